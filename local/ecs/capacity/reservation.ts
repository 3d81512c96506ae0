import type { Expression, SubjectValues } from "../../../functions/lib/placement/query-language";
import {
  defaultStrategy,
  type PlacementCandidate,
  placeTask,
} from "../../../functions/lib/placement/task-placement";

/**
 * ECS managed scaling's arithmetic, pure: CapacityProviderReservation = M / N × 100,
 * with N the group's InService instances and M the instances needed to run every task,
 * PROVISIONING ones included; and the desired capacity target tracking then asks for.
 * As AWS defines M: with no task waiting, the instances running at least one non-DAEMON
 * task (so only empty ones count as spare); with tasks waiting, N plus the new instances
 * they need — placed as the scheduler would, respecting resources, ports,
 * distinctInstance and memberOf, on the instances still booting first.
 */

/** An InService instance of the group, registered in the cluster. */
export interface GroupHost {
  instanceId: string;
  remainingCpu: number;
  remainingMemory: number;
  portsInUse: ReadonlySet<number>;
  subjectValues: SubjectValues;
  /** Tasks on it per service (group), for distinctInstance. */
  tasksPerService: ReadonlyMap<string, number>;
  /** Runs a task that is not a DAEMON task: what keeps it from being "empty". */
  busy: boolean;
}

/** A task waiting for capacity (PROVISIONING). */
export interface WaitingTask {
  service: string;
  cpu: number;
  memory: number;
  hostPorts: readonly number[];
  distinctInstance: boolean;
  memberOf: readonly Expression[];
}

/** What one more instance of the group would register with. */
export interface NewHost {
  cpu: number;
  memory: number;
  reservedPorts: readonly number[];
  subjectValues: SubjectValues;
}

export interface ReservationInput {
  hosts: readonly GroupHost[];
  /** Instances launched but not InService yet: they will take waiting tasks. */
  pending: number;
  waiting: readonly WaitingTask[];
  newHost: NewHost;
}

export interface Reservation {
  /** Instances needed. */
  m: number;
  /** InService instances. */
  n: number;
  /** CapacityProviderReservation, percent. */
  reservation: number;
  /** New instances the waiting tasks need beyond the pending ones. */
  hostsNeeded: number;
  /** Waiting tasks that fit not even on an empty new instance. */
  neverFit: number;
}

interface Candidate extends PlacementCandidate {
  tasksPerService: Map<string, number>;
  remainingPorts: Set<number>;
}

function candidate(
  arn: string,
  cpu: number,
  memory: number,
  ports: Iterable<number>,
  subjectValues: SubjectValues,
  tasksPerService: ReadonlyMap<string, number>,
): Candidate {
  const remainingPorts = new Set(ports);
  return {
    arn,
    remainingCpu: cpu,
    remainingMemory: memory,
    portsInUse: remainingPorts,
    groupTaskCount: 0,
    subjectValues,
    tasksPerService: new Map(tasksPerService),
    remainingPorts,
  };
}

export function capacityProviderReservation(input: ReservationInput): Reservation {
  const n = input.hosts.length;
  const busy = input.hosts.filter((host) => host.busy).length;
  if (input.waiting.length === 0) {
    // AWS: with N = 0 and nothing to run, the reservation is 100 (nothing to scale).
    return {
      m: busy,
      n,
      reservation: n === 0 ? 100 : (busy / n) * 100,
      hostsNeeded: 0,
      neverFit: 0,
    };
  }
  const fresh = (index: number) =>
    candidate(
      `new-${index}`,
      input.newHost.cpu,
      input.newHost.memory,
      input.newHost.reservedPorts,
      input.newHost.subjectValues,
      new Map(),
    );
  const candidates: Candidate[] = input.hosts.map((host) =>
    candidate(
      host.instanceId,
      host.remainingCpu,
      host.remainingMemory,
      host.portsInUse,
      host.subjectValues,
      host.tasksPerService,
    ),
  );
  for (let index = 0; index < input.pending; index++) candidates.push(fresh(index));
  let hostsNeeded = 0;
  let neverFit = 0;
  for (const task of input.waiting) {
    const request = { ...task, strategy: defaultStrategy };
    for (const each of candidates)
      each.groupTaskCount = each.tasksPerService.get(task.service) ?? 0;
    let placement = placeTask(request, candidates, (_, c) => c.groupTaskCount);
    if (!placement.placed) {
      const extra = fresh(input.pending + hostsNeeded);
      placement = placeTask(request, [extra], (_, c) => c.groupTaskCount);
      if (!placement.placed) {
        neverFit++;
        continue;
      }
      candidates.push(extra);
      hostsNeeded++;
    }
    const chosen = placement.candidate as Candidate;
    chosen.remainingCpu -= task.cpu;
    chosen.remainingMemory -= task.memory;
    for (const port of task.hostPorts) chosen.remainingPorts.add(port);
    chosen.tasksPerService.set(task.service, (chosen.tasksPerService.get(task.service) ?? 0) + 1);
  }
  const m = n + hostsNeeded;
  // AWS: with N = 0 and tasks waiting, the reservation is 200, to launch the first instance.
  const reservation = n === 0 ? (hostsNeeded > 0 ? 200 : 100) : (m / n) * 100;
  return { m, n, reservation, hostsNeeded, neverFit };
}

export interface ScalingSettings {
  /** Percent, 1..100. */
  targetCapacity: number;
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
}

export interface GroupSizes {
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  pending: number;
}

/**
 * The desired capacity target tracking moves to: the instances M needs at the target
 * capacity (a target below 100 keeps spare instances). Out at once, by at least the
 * minimum and at most the maximum step; in only to what M needs, never while
 * instances are still booting (their warm-up); always within MinSize..MaxSize.
 */
export function nextDesiredCapacity(
  reservation: Reservation,
  settings: ScalingSettings,
  sizes: GroupSizes,
): number {
  // Booting instances count once they are needed: waiting tasks go to them first.
  const needed = reservation.hostsNeeded > 0 ? reservation.m + sizes.pending : reservation.m;
  const wanted = Math.ceil((needed * 100) / settings.targetCapacity);
  const launched = reservation.n + sizes.pending;
  const current = sizes.desiredCapacity;
  if (wanted > launched) {
    const step = Math.min(
      settings.maximumScalingStepSize,
      Math.max(settings.minimumScalingStepSize, wanted - launched),
    );
    return Math.min(sizes.maxSize, Math.max(current, launched + step));
  }
  if (sizes.pending > 0 || wanted >= current) return current;
  return Math.max(sizes.minSize, wanted);
}
