import type { HostCapacity, TaskRequirements } from "../lib/placement/requirements";

/**
 * The cluster as the consolidator decides on it: plain data, read once per invocation
 * (`snapshot.ts` builds it from the ECS and Auto Scaling answers), so the decision
 * (`plan.ts`) is pure and the property test can generate it.
 */

/**
 * Why a task is on a host, which decides whether it keeps the host alive:
 * - `per-host`: a replica of a per-host service (tag `PER_HOST_TAG_KEY`); it goes with
 *   the host and the per-host sync lowers the count;
 * - `daemon`: a DAEMON service's task, the same;
 * - `expendable`: a task of an `EXPENDABLE_SERVICES` service; it may wait for room;
 * - `standalone`: started by RunTask or by a service ECS no longer lists; nothing
 *   would start it elsewhere, so its host is kept;
 * - `movable`: any other service's task; its host goes only if it fits elsewhere.
 */
export type TaskRole = "per-host" | "daemon" | "expendable" | "standalone" | "movable";

export interface HostTask {
  readonly taskArn: string;
  readonly group: string;
  readonly role: TaskRole;
  /**
   * For `movable` tasks, what it needs wherever it moves; for `expendable` ones, what
   * its slot gives back when the scaler lowers its count (and what it needs to move).
   */
  readonly requirements?: TaskRequirements;
}

export interface Host {
  readonly capacity: HostCapacity;
  /** ECS status: ACTIVE, DRAINING, REGISTERING, DEREGISTERING, … */
  readonly status: string;
  /** The configured Auto Scaling group the EC2 instance belongs to, if any. */
  readonly autoScalingGroup: string | undefined;
  readonly tasks: readonly HostTask[];
  /** From the candidate attribute; undefined when absent or not a timestamp. */
  readonly candidateSince: Date | undefined;
  /** Whether the candidate attribute is present at all (valid or not). */
  readonly marked: boolean;
  /** The expendable-room attribute's value (functions/lib/expendable-room.ts), if any. */
  readonly expendableRoom: string | undefined;
}

export interface GroupInstance {
  readonly instanceId: string;
  /** EC2 Auto Scaling lifecycle state: InService, Pending, Terminating:Wait, … */
  readonly lifecycleState: string;
}

export interface Group {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  readonly instances: readonly GroupInstance[];
}

export interface ClusterSnapshot {
  readonly cluster: string;
  readonly hosts: readonly Host[];
  readonly groups: readonly Group[];
  /**
   * Why no host may go now, though hosts may still become candidates: tasks of
   * non-expendable services waiting for a place, or deployments in progress.
   */
  readonly hold: readonly string[];
  /** Desired count of each expendable service, by name: whether the scaler has applied a room. */
  readonly expendableDesired: ReadonlyMap<string, number>;
}

/** `DISRUPTION_BUDGET`: hosts of a group draining at once. */
export type DisruptionBudget =
  | { readonly kind: "count"; readonly count: number }
  | { readonly kind: "percent"; readonly percent: number };

export interface PlanSettings {
  readonly consolidateAfterSeconds: number;
  readonly minHostAgeSeconds: number;
  readonly disruptionBudget: DisruptionBudget;
  /** `EXPENDABLE_SERVICES` by name: each is held to the room left while hosts drain. */
  readonly expendableServices: ReadonlySet<string>;
  /**
   * How long a room must have been on the hosts before one goes with movable tasks: any
   * priority scaler invocation that read the hosts before it was written has ended by then.
   */
  readonly roomSettleSeconds: number;
}
