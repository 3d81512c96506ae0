import type {
  Compatibility,
  ContainerDefinition,
  TaskDefinitionPlacementConstraint,
} from "@aws-sdk/client-ecs";
import { taskDefinitionName } from "../../../functions/lib/ecs-names";
import type { Expression } from "../../../functions/lib/placement/query-language";
import type { EcsArns } from "../arns";
import { ecsErrors } from "../errors";
import { resourceNamePattern } from "./clusters";
import type {
  ContainerDefinitionRecord,
  NetworkMode,
  PortMapping,
  Tag,
  TaskDefinitionRecord,
} from "./records";

/** RegisterTaskDefinition's input, its fields' types checked. */
export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
  /** Task-level sizes as given: "256", "1 vCPU", "2 GB". */
  cpu?: string;
  memory?: string;
  placementConstraints: TaskDefinitionPlacementConstraint[];
  /** The memberOf expressions of `placementConstraints`, compiled. */
  memberOf: Expression[];
  requiresCompatibilities: Compatibility[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  tags: Tag[];
}

const networkModes: readonly string[] = ["bridge", "host", "awsvpc", "none"];

/** Task definition families and their revisions: registration and lookup. */
export class TaskDefinitions {
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  constructor(private readonly arns: EcsArns) {}

  /** Registers the family's next revision, with ECS's rules and defaults. */
  register(input: TaskDefinitionInput): TaskDefinitionRecord {
    const { family } = input;
    if (!resourceNamePattern.test(family)) {
      throw ecsErrors.client(
        "Family must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    if (input.containerDefinitions.length === 0) {
      throw ecsErrors.client("Container list cannot be empty.");
    }
    const networkMode = input.networkMode ?? "bridge";
    if (!isNetworkMode(networkMode))
      throw ecsErrors.client(`Invalid networkMode "${networkMode}".`);
    const taskCpu = parseUnits(input.cpu, "cpu");
    const taskMemory = parseUnits(input.memory, "memory");
    const containers = input.containerDefinitions.map((definition) =>
      containerRecord(definition, networkMode, taskMemory),
    );
    if (new Set(containers.map((c) => c.name)).size !== containers.length) {
      throw ecsErrors.client("Container names must be unique.");
    }
    const revisions = this.families.get(family) ?? [];
    const revision = (revisions[revisions.length - 1]?.revision ?? 0) + 1;
    const record: TaskDefinitionRecord = {
      arn: this.arns.taskDefinition(family, revision),
      family,
      revision,
      status: "ACTIVE",
      containers,
      containerDefinitions: input.containerDefinitions.map((definition, index) => ({
        cpu: 0,
        essential: true,
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        ...definition,
        portMappings: containers[index]?.portMappings ?? [],
      })),
      networkMode,
      ...(taskCpu === undefined ? {} : { requestedCpu: input.cpu }),
      ...(taskMemory === undefined ? {} : { requestedMemory: input.memory }),
      cpu: taskCpu ?? containers.reduce((sum, c) => sum + c.cpu, 0),
      memory:
        taskMemory ??
        containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0),
      hostPorts: containers
        .flatMap((c) => c.portMappings.map((m) => m.hostPort))
        .filter((port) => port !== 0),
      memberOf: input.memberOf,
      placementConstraints: input.placementConstraints,
      requiresCompatibilities: input.requiresCompatibilities,
      ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
      ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
      registeredAt: new Date(),
      registeredBy: `arn:aws:iam::${this.arns.accountId}:root`,
      tags: input.tags,
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record;
  }

  /** ListTaskDefinitions: every revision in `status`, of the family when one is given. */
  list(status: string, family?: string): TaskDefinitionRecord[] {
    const families =
      family === undefined ? [...this.families.values()] : [this.families.get(family) ?? []];
    return families.flat().filter((definition) => definition.status === status);
  }

  /** ListTaskDefinitionFamilies: a family is ACTIVE while one of its revisions is. */
  familyNames(status: "ACTIVE" | "INACTIVE" | "ALL", prefix = ""): string[] {
    return [...this.families]
      .filter(([name]) => name.startsWith(prefix))
      .filter(([, revisions]) => {
        const active = revisions.some((definition) => definition.status === "ACTIVE");
        return status === "ALL" || (status === "ACTIVE") === active;
      })
      .map(([name]) => name);
  }

  /** `family` (its latest ACTIVE revision), `family:revision` or the ARN. */
  find(ref: string): TaskDefinitionRecord | undefined {
    const { family, revision } = taskDefinitionName(ref);
    const revisions = this.families.get(family);
    if (revisions === undefined) return undefined;
    if (revision === undefined) {
      return [...revisions].reverse().find((definition) => definition.status === "ACTIVE");
    }
    return revisions.find((definition) => definition.revision === revision);
  }
}

function isNetworkMode(value: string): value is NetworkMode {
  return networkModes.includes(value);
}

function containerRecord(
  definition: ContainerDefinition,
  networkMode: NetworkMode,
  taskMemory: number | undefined,
): ContainerDefinitionRecord {
  const { name, image, memory, memoryReservation } = definition;
  if (name === undefined || name === "") {
    throw ecsErrors.client("Container.name should not be null or empty.");
  }
  if (image === undefined || image === "") {
    throw ecsErrors.client("Container.image should not be null or empty.");
  }
  if (memory === undefined && memoryReservation === undefined && taskMemory === undefined) {
    throw ecsErrors.client(
      `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  const environment: Record<string, string> = {};
  for (const variable of definition.environment ?? []) {
    if (variable.name !== undefined) environment[variable.name] = variable.value ?? "";
  }
  const portMappings = (definition.portMappings ?? []).map((mapping): PortMapping => {
    if (mapping.containerPort === undefined) {
      throw ecsErrors.client(`Container '${name}': containerPort is required.`);
    }
    return {
      containerPort: mapping.containerPort,
      hostPort: mapping.hostPort ?? (networkMode === "bridge" ? 0 : mapping.containerPort),
      protocol: mapping.protocol === "udp" ? "udp" : "tcp",
    };
  });
  return {
    name,
    image,
    essential: definition.essential ?? true,
    cpu: definition.cpu ?? 0,
    memory,
    memoryReservation,
    environment,
    portMappings,
    stopTimeout: definition.stopTimeout,
  };
}

/** Task-level cpu and memory: a number of units or MiB, or "1 vCPU", "2 GB". */
function parseUnits(given: string | undefined, kind: "cpu" | "memory"): number | undefined {
  if (given === undefined) return undefined;
  const text = given.trim();
  const match = /^(\d+(?:\.\d+)?)\s*(vcpu|gb|mb)?$/i.exec(text);
  if (match === null) throw ecsErrors.client(`Invalid ${kind} value "${text}".`);
  const amount = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  if (unit === "vcpu" || unit === "gb") return Math.round(amount * 1024);
  return Math.round(amount);
}
