import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { serviceName } from "../lib/ecs-names";
import { EXPENDABLE_ROOM_ATTRIBUTE } from "../lib/expendable-room";
import {
  definitionSize,
  hostCapacity,
  type TaskRequirements,
  taskCpu,
  taskMemory,
  taskRequirements,
} from "../lib/placement/requirements";
import type { ClusterSnapshot, Group, Host, HostTask, TaskRole } from "./model";

/**
 * ECS and Auto Scaling answers → the plain snapshot `plan.ts` decides on. Pure.
 *
 * The attribute that remembers since when a host is a candidate. ECS attribute names
 * may hold letters, digits, `-`, `_`, `/`, `\` and `.`, but no `:` — hence the dot.
 */
export const CANDIDATE_ATTRIBUTE = "microscale.candidate-since";

export interface Classification {
  readonly expendableServices: ReadonlySet<string>;
  readonly perHostTagKey: string;
}

export interface ClusterReads {
  readonly cluster: string;
  readonly instances: readonly ContainerInstance[];
  readonly tasks: readonly Task[];
  readonly services: readonly Service[];
  /** Task definitions of the movable tasks, by ARN. */
  readonly definitions: ReadonlyMap<string, TaskDefinition>;
  readonly groups: readonly AutoScalingGroup[];
}

const SERVICE_GROUP = "service:";

export function servicesByName(services: readonly Service[]): Map<string, Service> {
  return new Map(
    services.map((s) => [s.serviceName ?? serviceName(s.serviceArn ?? ""), s] as const),
  );
}

function perHost(service: Service, tagKey: string): boolean {
  return (service.tags ?? []).some(
    (tag) => tag.key === tagKey && tag.value?.trim().toLowerCase() === "true",
  );
}

export function serviceRole(service: Service, classification: Classification): TaskRole {
  if (service.schedulingStrategy === "DAEMON") return "daemon";
  if (perHost(service, classification.perHostTagKey)) return "per-host";
  if (classification.expendableServices.has(service.serviceName ?? "")) return "expendable";
  return "movable";
}

/** A task's role: by its service, or `standalone` when no listed service started it. */
export function taskRole(
  task: Task,
  services: ReadonlyMap<string, Service>,
  classification: Classification,
): TaskRole {
  const group = task.group ?? "";
  if (!group.startsWith(SERVICE_GROUP)) return "standalone";
  const service = services.get(group.slice(SERVICE_GROUP.length));
  return service === undefined ? "standalone" : serviceRole(service, classification);
}

/** Roles whose tasks the plan sizes: those that move, and the expendable ones whose slots it may free. */
const sized = (role: TaskRole) => role === "movable" || role === "expendable";

/** Task definitions the plan needs: those of the tasks that would move or give room. */
export function definitionsNeeded(
  tasks: readonly Task[],
  services: ReadonlyMap<string, Service>,
  classification: Classification,
): string[] {
  const arns = new Set<string>();
  for (const task of tasks) {
    if (sized(taskRole(task, services, classification)) && task.taskDefinitionArn) {
      arns.add(task.taskDefinitionArn);
    }
  }
  return [...arns];
}

function group(asg: AutoScalingGroup): Group {
  return {
    name: asg.AutoScalingGroupName ?? "",
    minSize: asg.MinSize ?? 0,
    maxSize: asg.MaxSize ?? 0,
    desiredCapacity: asg.DesiredCapacity ?? 0,
    instances: (asg.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? "",
      lifecycleState: i.LifecycleState ?? "",
    })),
  };
}

/** Why no host may go now: non-expendable work waiting for a place, or a rollout. */
function holdReasons(
  reads: ClusterReads,
  services: ReadonlyMap<string, Service>,
  classification: Classification,
): string[] {
  const reasons: string[] = [];
  const unplaced = new Map<string, number>();
  for (const task of reads.tasks) {
    if (task.containerInstanceArn !== undefined && task.lastStatus !== "PROVISIONING") continue;
    if (taskRole(task, services, classification) !== "movable") continue;
    const name = (task.group ?? "").slice(SERVICE_GROUP.length);
    unplaced.set(name, (unplaced.get(name) ?? 0) + 1);
  }
  for (const [name, count] of unplaced)
    reasons.push(`${count} ${name} task(s) waiting for a place`);
  for (const [name, service] of services) {
    if (service.status !== "ACTIVE" || serviceRole(service, classification) !== "movable") continue;
    const rollout = (service.deployments ?? []).some(
      (d) => d.status !== "PRIMARY" || d.rolloutState === "IN_PROGRESS",
    );
    if (rollout) reasons.push(`service ${name}: deployment in progress`);
    else if ((service.runningCount ?? 0) < (service.desiredCount ?? 0) && !unplaced.has(name)) {
      reasons.push(
        `service ${name}: ${service.runningCount ?? 0} of ${service.desiredCount} running`,
      );
    }
  }
  return reasons;
}

export function buildSnapshot(
  reads: ClusterReads,
  classification: Classification,
): ClusterSnapshot {
  const services = servicesByName(reads.services);
  const groups = reads.groups.map(group);
  const groupOfInstance = new Map<string, string>();
  for (const g of groups) for (const i of g.instances) groupOfInstance.set(i.instanceId, g.name);

  const tasksByHost = new Map<string, HostTask[]>();
  // Tasks of one service, revision and size ask the same: compiled once, not per task
  // (10,000 tasks, a handful of kinds).
  const requirementsOf = new Map<string, TaskRequirements>();
  for (const task of reads.tasks) {
    const host = task.containerInstanceArn;
    if (host === undefined || task.lastStatus === "PROVISIONING") continue;
    const role = taskRole(task, services, classification);
    const entry: HostTask = { taskArn: task.taskArn ?? "", group: task.group ?? "", role };
    let requirements: HostTask["requirements"];
    if (sized(role)) {
      const definition = reads.definitions.get(task.taskDefinitionArn ?? "");
      if (definition === undefined) {
        throw new Error(
          `task definition ${task.taskDefinitionArn} of ${task.taskArn} was not read`,
        );
      }
      const key = [entry.group, task.taskDefinitionArn, task.cpu, task.memory].join("\u0000");
      requirements = requirementsOf.get(key);
      if (requirements === undefined) {
        const service = services.get((task.group ?? "").slice(SERVICE_GROUP.length));
        const size = definitionSize(definition);
        requirements = taskRequirements(entry.group, definition, service?.placementConstraints, {
          cpu: taskCpu(task.cpu) ?? size.cpu,
          memory: taskMemory(task.memory) ?? size.memory,
        });
        requirementsOf.set(key, requirements);
      }
    }
    const list = tasksByHost.get(host) ?? [];
    list.push(requirements === undefined ? entry : { ...entry, requirements });
    tasksByHost.set(host, list);
  }

  const hosts: Host[] = reads.instances.map((instance) => {
    const capacity = hostCapacity(instance);
    const mark = instance.attributes?.find((a) => a.name === CANDIDATE_ATTRIBUTE);
    const since = mark?.value === undefined ? Number.NaN : Date.parse(mark.value);
    return {
      capacity,
      status: instance.status ?? "UNKNOWN",
      autoScalingGroup: groupOfInstance.get(capacity.ec2InstanceId),
      tasks: tasksByHost.get(capacity.containerInstanceArn) ?? [],
      candidateSince: Number.isFinite(since) ? new Date(since) : undefined,
      marked: mark !== undefined,
      expendableRoom: instance.attributes?.find((a) => a.name === EXPENDABLE_ROOM_ATTRIBUTE)?.value,
    };
  });
  const expendableDesired = new Map<string, number>();
  for (const [name, service] of services) {
    if (serviceRole(service, classification) === "expendable")
      expendableDesired.set(name, service.desiredCount ?? 0);
  }
  return {
    cluster: reads.cluster,
    hosts,
    groups,
    hold: holdReasons(reads, services, classification),
    expendableDesired,
  };
}
