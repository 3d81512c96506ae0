import { type HostCapacity, subjectValue, type TaskRequirements } from "./requirements";
import {
  type PlacementCandidate,
  type PlacementFailureReason,
  type PlacementStrategy,
  placeTask,
  rejection,
} from "./task-placement";

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
 * A trial's view of one host. One per host for the simulation's life, reset when a trial
 * has changed it (a decision runs a trial per host: no objects per trial); its sets are
 * copied on write, so the host's own are never changed.
 */
class TrialCandidate implements PlacementCandidate {
  readonly arn: string;
  remainingCpu = 0;
  remainingMemory = 0;
  portsInUse: ReadonlySet<number> = new Set();
  groupTaskCount = 0;
  groups: ReadonlyMap<string, number> = new Map();
  placed = 0;
  /** Left out of the current trial (one of its `excluded`). */
  excluded = false;
  /** The trial's own copies of the host's ports and groups, made on its first take. */
  private ownPorts: Set<number> | undefined;
  private ownGroups: Map<string, number> | undefined;
  readonly subjectValues: PlacementCandidate["subjectValues"];

  constructor(
    readonly host: SimulatedHost,
    /** Its place among the hosts: placeTask keeps the first of equally good ones. */
    readonly position: number,
  ) {
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
    this.ownPorts = undefined;
    this.ownGroups = undefined;
  }

  take(task: TaskRequirements): void {
    this.remainingCpu -= task.cpu;
    this.remainingMemory -= task.memory;
    if (task.hostPorts.length > 0) {
      this.ownPorts ??= new Set(this.host.capacity.portsInUse);
      for (const port of task.hostPorts) this.ownPorts.add(port);
      this.portsInUse = this.ownPorts;
    }
    this.ownGroups ??= new Map(this.host.groups);
    this.ownGroups.set(task.group, (this.ownGroups.get(task.group) ?? 0) + 1);
    this.groups = this.ownGroups;
    this.placed++;
  }
}

function larger(a: TaskRequirements, b: TaskRequirements): number {
  return b.memory - a.memory || b.cpu - a.cpu || b.hostPorts.length - a.hostPorts.length;
}

/**
 * `packing`'s order as a sort key: least memory left, then least CPU, then the first
 * host — so the first host in this order that takes a task is the one placeTask picks.
 */
function tighter(a: TrialCandidate, b: TrialCandidate): number {
  return (
    a.remainingMemory - b.remainingMemory ||
    a.remainingCpu - b.remainingCpu ||
    a.position - b.position
  );
}

/** Memory left as `untouched` is sorted by (the host's own) and `touched` (the trial's). */
type MemoryLeft = (candidate: TrialCandidate) => number;
const hostMemory: MemoryLeft = (candidate) => candidate.host.capacity.remainingMemory;
const trialMemory: MemoryLeft = (candidate) => candidate.remainingMemory;

/**
 * A trial places each task with a look at a few hosts, not all of them: the hosts are
 * kept sorted by what they have left (`tighter`), those untouched by the trial in one
 * array sorted once, those it has placed tasks on in a second one kept sorted as they
 * fill. The tightest host that takes the task is the first one, from the first with
 * enough memory, that placeTask accepts, in either array. Same choices as placeTask over
 * every host (test/unit/lib/placement/simulation.test.ts compares them); a trial costs
 * O(tasks × (log hosts + hosts looked at)) instead of O(tasks × hosts).
 */
export class PlacementSimulation {
  private readonly candidates: readonly TrialCandidate[];
  /** Every candidate at its host's own remaining resources, tightest first. */
  private readonly untouched: readonly TrialCandidate[];
  /** Candidates the current trial has placed tasks on, tightest first. */
  private touched: TrialCandidate[] = [];
  private readonly byArn = new Map<string, TrialCandidate[]>();
  /** Candidates the current trial leaves out: a flag read while scanning, not a Set lookup. */
  private excluded: TrialCandidate[] = [];

  constructor(hosts: readonly SimulatedHost[]) {
    this.candidates = hosts.map((host, position) => new TrialCandidate(host, position));
    this.untouched = [...this.candidates].sort(tighter);
    for (const candidate of this.candidates) {
      const same = this.byArn.get(candidate.arn);
      if (same === undefined) this.byArn.set(candidate.arn, [candidate]);
      else same.push(candidate);
    }
  }

  /** Tries to place `tasks` on every simulated host except `excluded` (ARNs). */
  place(tasks: readonly TaskRequirements[], excluded: ReadonlySet<string>): Fit {
    if (tasks.length === 0) return { fits: true, placements: new Map() };
    this.begin(excluded);
    for (const task of [...tasks].sort(larger)) {
      const chosen = this.tightestTaking(task);
      if (chosen === undefined)
        return { fits: false, group: task.group, reason: this.miss(task, excluded) };
      this.take(chosen, task);
    }
    const placements = new Map<string, number>();
    for (const candidate of [...this.touched].sort((a, b) => a.position - b.position))
      placements.set(candidate.arn, candidate.placed);
    return { fits: true, placements };
  }

  /**
   * Places `required` as `place` does, then as many of `optional` as still fit, each on
   * the tightest host that takes it (largest first; one that fits nowhere is skipped, a
   * smaller one may still fit). `placed` counts the optional tasks that found a host, by
   * task group: the room `required` leaves them.
   */
  placeThenFill(
    required: readonly TaskRequirements[],
    optional: readonly TaskRequirements[],
    excluded: ReadonlySet<string>,
  ): { readonly fit: Fit; readonly placed: ReadonlyMap<string, number> } {
    const fit = this.place(required, excluded);
    const placed = new Map<string, number>();
    if (!fit.fits) return { fit, placed };
    if (required.length === 0) this.begin(excluded);
    for (const task of [...optional].sort(larger)) {
      const chosen = this.tightestTaking(task);
      if (chosen === undefined) continue;
      this.take(chosen, task);
      placed.set(task.group, (placed.get(task.group) ?? 0) + 1);
    }
    return { fit, placed };
  }

  /** A new trial: every host as it is, but `excluded`. */
  private begin(excluded: ReadonlySet<string>): void {
    for (const candidate of this.touched) candidate.reset();
    this.touched = [];
    for (const candidate of this.excluded) candidate.excluded = false;
    this.excluded = [...excluded].flatMap((arn) => this.byArn.get(arn) ?? []);
    for (const candidate of this.excluded) candidate.excluded = true;
  }

  private tightestTaking(task: TaskRequirements): TrialCandidate | undefined {
    const fromUntouched = firstTaking(this.untouched, hostMemory, task);
    const fromTouched = firstTaking(this.touched, trialMemory, task);
    if (fromUntouched === undefined) return fromTouched;
    if (fromTouched === undefined) return fromUntouched;
    return tighter(fromTouched, fromUntouched) < 0 ? fromTouched : fromUntouched;
  }

  private take(candidate: TrialCandidate, task: TaskRequirements): void {
    const at = this.touched.indexOf(candidate);
    if (at >= 0) this.touched.splice(at, 1);
    candidate.take(task);
    let low = 0;
    let high = this.touched.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (tighter(this.touched[mid] as TrialCandidate, candidate) < 0) low = mid + 1;
      else high = mid;
    }
    this.touched.splice(low, 0, candidate);
  }

  /** Nothing takes the task: placeTask over every host names AWS's reason. */
  private miss(task: TaskRequirements, excluded: ReadonlySet<string>): PlacementFailureReason {
    const candidates = this.candidates.filter((candidate) => !excluded.has(candidate.arn));
    for (const candidate of candidates)
      candidate.groupTaskCount = candidate.groups.get(task.group) ?? 0;
    const placement = placeTask({ ...task, strategy: packing }, candidates, () => 0);
    if (placement.placed) throw new Error("placement simulation: its index missed a host");
    return placement.reason;
  }
}

/** The first of `sorted`, from the first with enough memory, that placeTask would accept. */
function firstTaking(
  sorted: readonly TrialCandidate[],
  memoryLeft: MemoryLeft,
  task: TaskRequirements,
): TrialCandidate | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (memoryLeft(sorted[mid] as TrialCandidate) < task.memory) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < sorted.length; i++) {
    const candidate = sorted[i] as TrialCandidate;
    // In `untouched`, a touched one is out of place: `touched` has it as it is now.
    if (candidate.excluded || (memoryLeft === hostMemory && candidate.placed > 0)) continue;
    candidate.groupTaskCount = candidate.groups.get(task.group) ?? 0;
    if (rejection(task, candidate) === undefined) return candidate;
  }
  return undefined;
}

/**
 * Whether one task of `task.group` fits on a host that runs none of its group yet:
 * the per-host sync's question for a host its task does not run on.
 */
export function fitsOn(capacity: HostCapacity, task: TaskRequirements): Fit {
  return new PlacementSimulation([{ capacity, groups: new Map() }]).place([task], new Set());
}
