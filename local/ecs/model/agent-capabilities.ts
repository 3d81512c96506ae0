/**
 * The capabilities an ECS-optimized AMI's container agent registers as attributes of its
 * container instance. Placement only picks instances that have every attribute a task
 * definition `requiresAttributes` (./required-attributes.ts), so the local hosts register
 * what a real agent would: without them no task whose definition logs to awslogs or has
 * an execution role would fit anywhere.
 */
const capability = "com.amazonaws.ecs.capability";
const dockerApiVersions = Array.from({ length: 28 }, (_, index) => `1.${17 + index}`);

export const agentCapabilities: readonly string[] = [
  ...["awslogs", "json-file", "syslog", "none"].map(
    (driver) => `${capability}.logging-driver.${driver}`,
  ),
  ...dockerApiVersions.map((version) => `${capability}.docker-remote-api.${version}`),
  `${capability}.task-iam-role`,
  `${capability}.task-iam-role-network-host`,
  `${capability}.ecr-auth`,
  `${capability}.privileged-container`,
  `${capability}.private-registry-authentication.secretsmanager`,
  "ecs.capability.execution-role-awslogs",
  "ecs.capability.execution-role-ecr-pull",
  "ecs.capability.task-eni",
  "ecs.capability.container-health-check",
  "ecs.capability.container-ordering",
  "ecs.capability.secrets.ssm.environment-variables",
  "ecs.capability.secrets.asm.environment-variables",
];
