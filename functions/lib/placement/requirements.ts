import type {
  ContainerInstance,
  PlacementConstraint,
  Resource,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { compileExpression, type Expression } from "./query-language";

/**
 * ECS API shapes → the placement model (`./task-placement.ts`), which both the functions
 * and the local cloud's scheduler use: one set of rules for "does this task fit on that
 * host", written in AWS's terms. Pure, no I/O.
 */

/** What one task asks of the instance it lands on. */
export interface TaskRequirements {
  /** The task group (`service:web`): distinctInstance and `task:group` count by it. */
  readonly group: string;
  readonly cpu: number;
  readonly memory: number;
  /** Fixed host ports (dynamic ones, hostPort 0 in bridge mode, always fit). */
  readonly hostPorts: readonly number[];
  readonly distinctInstance: boolean;
  readonly memberOf: readonly Expression[];
}

/** A container instance as placement sees it: what is left, and what expressions read. */
export interface HostCapacity {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  readonly registeredCpu: number;
  readonly registeredMemory: number;
  readonly remainingCpu: number;
  readonly remainingMemory: number;
  /** Host ports in use (ECS reports them in remainingResources PORTS). */
  readonly portsInUse: ReadonlySet<number>;
  readonly attributes: ReadonlyMap<string, string | undefined>;
  readonly agentConnected: boolean;
  readonly registeredAt: Date | undefined;
  readonly runningTasksCount: number;
  readonly agentVersion: string | undefined;
}

function resource(resources: readonly Resource[] | undefined, name: string): Resource | undefined {
  return resources?.find((r) => r.name === name);
}

export function integerResource(resources: readonly Resource[] | undefined, name: string): number {
  return resource(resources, name)?.integerValue ?? 0;
}

export function hostCapacity(instance: ContainerInstance): HostCapacity {
  const ports = new Set<number>();
  for (const name of ["PORTS", "PORTS_UDP"]) {
    for (const port of resource(instance.remainingResources, name)?.stringSetValue ?? []) {
      ports.add(Number(port));
    }
  }
  return {
    containerInstanceArn: instance.containerInstanceArn ?? "",
    ec2InstanceId: instance.ec2InstanceId ?? "",
    registeredCpu: integerResource(instance.registeredResources, "CPU"),
    registeredMemory: integerResource(instance.registeredResources, "MEMORY"),
    remainingCpu: integerResource(instance.remainingResources, "CPU"),
    remainingMemory: integerResource(instance.remainingResources, "MEMORY"),
    portsInUse: ports,
    attributes: new Map((instance.attributes ?? []).map((a) => [a.name ?? "", a.value])),
    agentConnected: instance.agentConnected ?? false,
    registeredAt: instance.registeredAt,
    runningTasksCount: instance.runningTasksCount ?? 0,
    agentVersion: instance.versionInfo?.agentVersion,
  };
}

/**
 * A subject's value on a host, as `memberOf` reads it. `task:group` holds the groups
 * of the tasks on it, which a caller may have added to in a simulation.
 */
export function subjectValue(
  host: HostCapacity,
  taskGroups: () => readonly string[],
  subject: string,
): string | readonly string[] | undefined {
  if (subject.startsWith("attribute:")) {
    const name = subject.slice("attribute:".length);
    // An attribute without a value exists (for `exists`) and equals nothing.
    return host.attributes.has(name) ? (host.attributes.get(name) ?? "") : undefined;
  }
  switch (subject) {
    case "ec2InstanceId":
      return host.ec2InstanceId;
    case "agentConnected":
      return String(host.agentConnected);
    case "agentVersion":
      return host.agentVersion;
    case "registeredAt":
      return host.registeredAt?.toISOString();
    case "runningTasksCount":
      return String(host.runningTasksCount);
    case "task:group":
      return taskGroups();
    default:
      return undefined;
  }
}

/** `"1 vCPU"` → 1024, `"2 GB"` → 2048, `"512"` → 512: the forms ECS accepts for task size. */
function taskSize(value: string | undefined, unit: RegExp, perUnit: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const plain = Number(value);
  if (Number.isFinite(plain)) return plain;
  const match = new RegExp(`^\\s*([\\d.]+)\\s*${unit.source}\\s*$`, "i").exec(value);
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * perUnit);
}

export function taskCpu(value: string | undefined): number | undefined {
  return taskSize(value, /vcpu/, 1024);
}

export function taskMemory(value: string | undefined): number | undefined {
  return taskSize(value, /gb/, 1024);
}

/**
 * The task definition's reservation: task-level size when it has one, else the sum of
 * its containers (memory, or memoryReservation when only that is set) — what ECS
 * subtracts from the instance's remaining resources.
 */
export function definitionSize(definition: TaskDefinition): { cpu: number; memory: number } {
  const containers = definition.containerDefinitions ?? [];
  return {
    cpu: taskCpu(definition.cpu) ?? containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0),
    memory:
      taskMemory(definition.memory) ??
      containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0),
  };
}

/**
 * Host ports the task holds on its instance: in `host` mode every container port, in
 * `bridge` mode the non-zero host ports; `awsvpc` tasks have their own network interface.
 */
export function definitionHostPorts(definition: TaskDefinition): number[] {
  if (definition.networkMode === "awsvpc") return [];
  const ports: number[] = [];
  for (const container of definition.containerDefinitions ?? []) {
    for (const mapping of container.portMappings ?? []) {
      const port =
        definition.networkMode === "host"
          ? (mapping.hostPort ?? mapping.containerPort)
          : mapping.hostPort;
      if (port !== undefined && port !== 0) ports.push(port);
    }
  }
  return ports;
}

function memberOfExpressions(
  constraints: readonly PlacementConstraint[] | undefined,
): Expression[] {
  return (constraints ?? [])
    .filter((c) => c.type === "memberOf" && (c.expression ?? "").trim() !== "")
    .map((c) => compileExpression(c.expression ?? ""));
}

/**
 * The definition's `requiresAttributes` (capabilities the agent registers as
 * attributes) as `memberOf` expressions: ECS places a task only where all exist.
 */
function requiredAttributes(definition: TaskDefinition): Expression[] {
  return (definition.requiresAttributes ?? []).flatMap((attribute) => {
    if (attribute.name === undefined || attribute.name === "") return [];
    const subject = `attribute:${attribute.name}`;
    return [
      compileExpression(
        attribute.value === undefined ? `${subject} exists` : `${subject} == ${attribute.value}`,
      ),
    ];
  });
}

/**
 * What a task of `group` needs: the definition's size, ports and required attributes,
 * and the service's and the definition's placement constraints together, as ECS
 * applies them all.
 */
export function taskRequirements(
  group: string,
  definition: TaskDefinition,
  serviceConstraints: readonly PlacementConstraint[] | undefined,
  size: { cpu: number; memory: number } = definitionSize(definition),
): TaskRequirements {
  return {
    group,
    cpu: size.cpu,
    memory: size.memory,
    hostPorts: definitionHostPorts(definition),
    distinctInstance: (serviceConstraints ?? []).some((c) => c.type === "distinctInstance"),
    memberOf: [
      ...memberOfExpressions(serviceConstraints),
      ...memberOfExpressions(definition.placementConstraints),
      ...requiredAttributes(definition),
    ],
  };
}
