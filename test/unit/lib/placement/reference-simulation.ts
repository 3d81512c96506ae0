import type { TaskRequirements } from "../../../../functions/lib/placement/requirements";
import { subjectValue } from "../../../../functions/lib/placement/requirements";
import type { Fit, SimulatedHost } from "../../../../functions/lib/placement/simulation";
import {
  type PlacementCandidate,
  placeTask,
} from "../../../../functions/lib/placement/task-placement";

/**
 * The placement simulation written the plain way, to hold the indexed one to: every
 * task, largest first, goes through placeTask over every host that is not excluded,
 * binpack memory then CPU, on fresh copies of the hosts.
 */
export function referencePlace(
  hosts: readonly SimulatedHost[],
  tasks: readonly TaskRequirements[],
  excluded: ReadonlySet<string>,
): Fit {
  if (tasks.length === 0) return { fits: true, placements: new Map() };
  const candidates = hosts
    .filter((host) => !excluded.has(host.capacity.containerInstanceArn))
    .map((host) => {
      const groups = new Map(host.groups);
      const ports = new Set(host.capacity.portsInUse);
      const candidate: PlacementCandidate & { groups: Map<string, number>; placed: number } = {
        arn: host.capacity.containerInstanceArn,
        remainingCpu: host.capacity.remainingCpu,
        remainingMemory: host.capacity.remainingMemory,
        portsInUse: ports,
        groupTaskCount: 0,
        groups,
        placed: 0,
        subjectValues: (subject) => subjectValue(host.capacity, () => [...groups.keys()], subject),
      };
      return candidate;
    });
  const sorted = [...tasks].sort(
    (a, b) => b.memory - a.memory || b.cpu - a.cpu || b.hostPorts.length - a.hostPorts.length,
  );
  for (const task of sorted) {
    for (const candidate of candidates)
      candidate.groupTaskCount = candidate.groups.get(task.group) ?? 0;
    const placement = placeTask(
      {
        ...task,
        strategy: [
          { type: "binpack", field: "memory" },
          { type: "binpack", field: "cpu" },
        ],
      },
      candidates,
      () => 0,
    );
    if (!placement.placed) return { fits: false, group: task.group, reason: placement.reason };
    const chosen = placement.candidate as (typeof candidates)[number];
    chosen.remainingCpu -= task.cpu;
    chosen.remainingMemory -= task.memory;
    for (const port of task.hostPorts) (chosen.portsInUse as Set<number>).add(port);
    chosen.groups.set(task.group, (chosen.groups.get(task.group) ?? 0) + 1);
    chosen.placed++;
  }
  return {
    fits: true,
    placements: new Map(candidates.filter((c) => c.placed > 0).map((c) => [c.arn, c.placed])),
  };
}
