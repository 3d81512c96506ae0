/**
 * What a consolidation plan says (./plan.ts decides it, ./consolidate.ts carries it out
 * and reports it): each host's decision and why, each group's budget, and the writes.
 */

export type CandidateKind = "empty" | "underutilized";

export type KeepReason =
  | "draining" // ECS status DRAINING: already on its way out
  | "terminating" // its EC2 instance is leaving the Auto Scaling group
  | "not-active" // REGISTERING, DEREGISTERING, …
  | "agent-disconnected" // ECS cannot tell what runs there
  | "unmanaged" // not in a configured Auto Scaling group
  | "young" // registered less than MIN_HOST_AGE_SECONDS ago
  | "standalone-task" // runs a task no service would start elsewhere
  | "busy" // its tasks would not fit on the other hosts
  | "waiting" // a candidate, for less than CONSOLIDATE_AFTER_SECONDS so far
  | "hold" // the cluster has tasks waiting for a place or a deployment in progress
  | "min-size" // its group is at MinSize
  | "budget" // its group has DISRUPTION_BUDGET hosts draining already
  | "making-room"; // its tasks fit once expendable tasks give up their slots: they shrink first

export interface HostDecision {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  readonly autoScalingGroup?: string;
  readonly status: string;
  readonly tasks: number;
  readonly movableTasks: number;
  readonly candidate: CandidateKind | null;
  /** ISO time since when it is a candidate (now, for a new one). */
  readonly candidateSince?: string;
  readonly decision: "terminate" | "keep";
  readonly reason: KeepReason | CandidateKind;
  readonly detail?: string;
  /** Leaving with movable tasks: the tasks each expendable service may keep meanwhile. */
  readonly expendableRoom?: Readonly<Record<string, number>>;
}

export interface GroupOutcome {
  readonly name: string;
  readonly minSize: number;
  readonly desiredCapacity: number;
  /** Instances of the group draining or terminating before this round. */
  readonly draining: number;
  /** DISRUPTION_BUDGET for the group's current size. */
  readonly budget: number;
  readonly terminating: number;
}

export interface Termination {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  readonly autoScalingGroup: string;
  readonly kind: CandidateKind;
}

export interface ClusterPlan {
  readonly hosts: readonly HostDecision[];
  readonly groups: readonly GroupOutcome[];
  /** Candidate attributes to write: new candidates, or a value that is not a time. */
  readonly mark: readonly { readonly containerInstanceArn: string; readonly since: Date }[];
  /** Candidate attributes to remove: ACTIVE hosts that are no longer candidates. */
  readonly unmark: readonly string[];
  /** Expendable-room attributes to write, before any termination: the hosts leaving. */
  readonly room: readonly { readonly containerInstanceArn: string; readonly value: string }[];
  /** Expendable-room attributes to remove: ACTIVE hosts that are not leaving. */
  readonly unroom: readonly string[];
  readonly terminate: readonly Termination[];
}
