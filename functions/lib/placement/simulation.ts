import {
  type PlacementCandidate,
  type PlacementFailureReason,
  type PlacementStrategy,
  placeTask,
} from "../../../local/ecs/placement";
import { type HostCapacity, subjectValue, type TaskRequirements } from "./requirements";

/**
 * "Would these tasks still have somewhere to run?" — a what-if on the hosts' remaining
 * resources, with the local ECS's placement rules (`placeTask`): CPU, memory, host
 * ports, distinctInstance and memberOf (including `task:group`). Nothing here talks to
 * AWS, and a trial never changes the hosts it was given.
 */

export interface SimulatedHost {
  readonly capacity: HostCapacity;
  /** Task groups on the host and how many of each: distinctInstance and `task:group`. */
  readonly groups: ReadonlyMap<string, number>;
}

export type Fit =
  | { readonly fits: true; readonly placements: ReadonlyMap<string, number> }
  | {
      readonly fits: false;
      /** The task group that found no host, and AWS's reason for the closest miss. */
      readonly group: string;
      readonly reason: PlacementFailureReason;
    };

/**
 * Tightest packing first: a feasibility check, not a prediction of ECS's spread. Tasks
 * go largest first (first-fit decreasing), each onto the host with the least memory
 * left that takes it.
 */
const packing: readonly PlacementStrategy[] = [
  { type: "binpack", field: "memory" },
  { type: "binpack", field: "cpu" },
];

/**
 * A trial's view of one host. One per host for the simulation's life, reset at the
 * start of each trial (a decision runs a trial per host: no objects per trial); its
 * sets are copied on write, so the host's own are never changed.
 */
class TrialCandidate implements PlacementCandidate {
  readonly arn: string;
  remainingCpu = 0;
  remainingMemory = 0;
  portsInUse: ReadonlySet<number> = new Set();
  groupTaskCount = 0;
  groups: ReadonlyMap<string, number> = new Map();
  placed = 0;
  readonly subjectValues: PlacementCandidate["subjectValues"];

  constructor(readonly host: SimulatedHost) {
    this.arn = host.capacity.containerInstanceArn;
    const groupNames = () => [...this.groups.keys()];
    this.subjectValues = (subject) => subjectValue(host.capacity, groupNames, subject);
    this.reset();
  }

  reset(): void {
    this.remainingCpu = this.host.capacity.remainingCpu;
    this.remainingMemory = this.host.capacity.remainingMemory;
    this.portsInUse = this.host.capacity.portsInUse;
    this.groups = this.host.groups;
    this.placed = 0;
  }

  take(task: TaskRequirements): void {
    this.remainingCpu -= task.cpu;
    this.remainingMemory -= task.memory;
    if (task.hostPorts.length > 0)
      this.portsInUse = new Set([...this.portsInUse, ...task.hostPorts]);
    const groups = new Map(this.groups);
    groups.set(task.group, (groups.get(task.group) ?? 0) + 1);
    this.groups = groups;
    this.placed++;
  }
}

function larger(a: TaskRequirements, b: TaskRequirements): number {
  return b.memory - a.memory || b.cpu - a.cpu || b.hostPorts.length - a.hostPorts.length;
}

export class PlacementSimulation {
  private readonly candidates: readonly TrialCandidate[];

  constructor(hosts: readonly SimulatedHost[]) {
    this.candidates = hosts.map((host) => new TrialCandidate(host));
  }

  /** Tries to place `tasks` on every simulated host except `excluded` (ARNs). */
  place(tasks: readonly TaskRequirements[], excluded: ReadonlySet<string>): Fit {
    if (tasks.length === 0) return { fits: true, placements: new Map() };
    const candidates: TrialCandidate[] = [];
    for (const candidate of this.candidates) {
      if (excluded.has(candidate.arn)) continue;
      candidate.reset();
      candidates.push(candidate);
    }
    for (const task of [...tasks].sort(larger)) {
      for (const candidate of candidates)
        candidate.groupTaskCount = candidate.groups.get(task.group) ?? 0;
      const placement = placeTask(
        {
          cpu: task.cpu,
          memory: task.memory,
          hostPorts: task.hostPorts,
          distinctInstance: task.distinctInstance,
          memberOf: task.memberOf,
          strategy: packing,
        },
        candidates,
        () => 0,
      );
      if (!placement.placed) return { fits: false, group: task.group, reason: placement.reason };
      (placement.candidate as TrialCandidate).take(task);
    }
    const placements = new Map<string, number>();
    for (const candidate of candidates) {
      if (candidate.placed === 0) continue;
      placements.set(candidate.arn, candidate.placed);
    }
    return { fits: true, placements };
  }
}

/**
 * Whether one task of `task.group` fits on a host that runs none of its group yet:
 * the per-host sync's question for a host its task does not run on.
 */
export function fitsOn(capacity: HostCapacity, task: TaskRequirements): Fit {
  return new PlacementSimulation([{ capacity, groups: new Map() }]).place([task], new Set());
}
