import type { TaskRequirements } from "../lib/placement/requirements";
import type { SimulatedHost } from "../lib/placement/simulation";
import type { Host } from "./model";

/**
 * The room hosts have, as the plan counts it: a host's tasks by role, whole slots of the
 * largest moving task, and a host as it would be with its expendable tasks stopped.
 * Pure helpers of ./plan.ts.
 */

export function groupsOnHost(host: Host): Map<string, number> {
  const groups = new Map<string, number>();
  for (const task of host.tasks) groups.set(task.group, (groups.get(task.group) ?? 0) + 1);
  return groups;
}

function ofRole(host: Host, role: "movable" | "expendable"): TaskRequirements[] {
  return host.tasks.flatMap((task) =>
    task.role === role && task.requirements !== undefined ? [task.requirements] : [],
  );
}
export const movable = (host: Host) => ofRole(host, "movable");
export const expendable = (host: Host) => ofRole(host, "expendable");

/**
 * Whole slots of the largest of `tasks` (CPU and memory apart) on the hosts not
 * `excluded`. A task no larger than the slot takes at most one, whichever host ECS puts
 * it on: so when there are as many slots as tasks, every one finds a host in any order
 * and with any placement strategy — which a first-fit-decreasing packing does not
 * promise (ECS may spread a small task into the room a large one needed).
 */
export function slots(
  hosts: readonly SimulatedHost[],
  excluded: ReadonlySet<string>,
  tasks: readonly TaskRequirements[],
): number {
  const cpu = Math.max(0, ...tasks.map((t) => t.cpu));
  const memory = Math.max(0, ...tasks.map((t) => t.memory));
  const whole = (free: number, size: number) =>
    size === 0 ? Number.POSITIVE_INFINITY : Math.floor(Math.max(0, free) / size);
  let total = 0;
  for (const { capacity } of hosts) {
    if (excluded.has(capacity.containerInstanceArn)) continue;
    const n = Math.min(whole(capacity.remainingCpu, cpu), whole(capacity.remainingMemory, memory));
    total += Number.isFinite(n) ? n : tasks.length;
  }
  return total;
}

/** A host as it would be once its expendable tasks have stopped: their slots free. */
export function released(host: Host): SimulatedHost {
  const groups = groupsOnHost(host);
  const ports = new Set(host.capacity.portsInUse);
  let cpu = 0;
  let memory = 0;
  let count = 0;
  for (const task of expendable(host)) {
    cpu += task.cpu;
    memory += task.memory;
    count++;
    for (const port of task.hostPorts) ports.delete(port);
    const left = (groups.get(task.group) ?? 1) - 1;
    if (left > 0) groups.set(task.group, left);
    else groups.delete(task.group);
  }
  return {
    capacity: {
      ...host.capacity,
      remainingCpu: host.capacity.remainingCpu + cpu,
      remainingMemory: host.capacity.remainingMemory + memory,
      portsInUse: ports,
      runningTasksCount: Math.max(0, host.capacity.runningTasksCount - count),
    },
    groups,
  };
}
