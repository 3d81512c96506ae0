import type { Attribute, ContainerDefinition } from "@aws-sdk/client-ecs";
import type { TaskDefinitionRecord } from "./records";

const capability = "com.amazonaws.ecs.capability";
const dockerApi = (version: string) => `${capability}.docker-remote-api.${version}`;
const ecrImage = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/**
 * What RegisterTaskDefinition puts in `requiresAttributes`: the container agent
 * capabilities the definition's features need, so placement only picks agents that
 * have them ("Amazon ECS container agent capabilities" in the developer guide).
 */
const rules: readonly {
  when: (definition: TaskDefinitionRecord, container: ContainerDefinition) => boolean;
  attributes: (container: ContainerDefinition) => string[];
}[] = [
  {
    when: (_, c) => c.logConfiguration?.logDriver !== undefined,
    attributes: (c) => [
      `${capability}.logging-driver.${c.logConfiguration?.logDriver}`,
      ...(c.logConfiguration?.logDriver === "awslogs" ? [dockerApi("1.19")] : []),
    ],
  },
  {
    when: (d, c) => d.executionRoleArn !== undefined && c.logConfiguration?.logDriver === "awslogs",
    attributes: () => ["ecs.capability.execution-role-awslogs"],
  },
  {
    when: (_, c) => ecrImage.test(c.image ?? ""),
    attributes: () => [`${capability}.ecr-auth`],
  },
  {
    when: (d, c) => d.executionRoleArn !== undefined && ecrImage.test(c.image ?? ""),
    attributes: () => ["ecs.capability.execution-role-ecr-pull"],
  },
  { when: (_, c) => c.memoryReservation !== undefined, attributes: () => [dockerApi("1.21")] },
  {
    when: (_, c) => c.healthCheck !== undefined,
    attributes: () => ["ecs.capability.container-health-check"],
  },
  {
    when: (_, c) => (c.dependsOn ?? []).length > 0,
    attributes: () => ["ecs.capability.container-ordering"],
  },
  {
    when: (_, c) => (c.secrets ?? []).length > 0,
    attributes: (c) =>
      (c.secrets ?? []).map((secret) =>
        secret.valueFrom?.includes(":secretsmanager:")
          ? "ecs.capability.secrets.asm.environment-variables"
          : "ecs.capability.secrets.ssm.environment-variables",
      ),
  },
  {
    when: (_, c) => c.repositoryCredentials !== undefined,
    attributes: () => [`${capability}.private-registry-authentication.secretsmanager`],
  },
];

/** The definition's required attributes, each once, in the order its features appear. */
export function requiredAttributes(definition: TaskDefinitionRecord): Attribute[] {
  const names = new Set<string>();
  if (definition.taskRoleArn !== undefined) {
    names.add(`${capability}.task-iam-role`);
    if (definition.networkMode === "host") names.add(`${capability}.task-iam-role-network-host`);
  }
  if (definition.networkMode === "awsvpc") {
    names.add("ecs.capability.task-eni");
    names.add(dockerApi("1.18"));
  }
  for (const container of definition.containerDefinitions) {
    for (const rule of rules) {
      if (rule.when(definition, container)) {
        for (const name of rule.attributes(container)) names.add(name);
      }
    }
  }
  return [...names].map((name) => ({ name }));
}
