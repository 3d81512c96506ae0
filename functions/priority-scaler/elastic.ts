import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ApiCalls } from "../lib/api-calls";
import {
  capacityProviderGroups,
  describeAutoScalingGroups,
  isLeaving,
} from "../lib/auto-scaling-groups";
import { MissingDataError } from "../lib/errors";
import type { DerivedCapacity } from "./capacity";

/**
 * Elastic capacity (CAPACITY unset): how many worker slots the cluster can hold once
 * the Auto Scaling groups behind its capacity providers are at MaxSize. P1 may grow
 * up to this ceiling: what does not fit yet goes PROVISIONING, and managed scaling
 * adds hosts for it. P2 only takes slots free now (./plan.ts).
 *
 *     ceiling = capacity now + Σ_groups (MaxSize − instances not leaving) × new-host slots
 *
 * A cluster without capacity providers cannot grow by itself: its ceiling is the
 * capacity it has now.
 */

export interface GroupRoom {
  readonly name: string;
  readonly maxSize: number;
  /** Instances in the group that are not Terminating or Detaching. */
  readonly instances: number;
}

export interface ElasticCapacity {
  readonly groups: readonly GroupRoom[];
  readonly newHostSlots: number;
  readonly ceiling: number;
}

export async function elasticCeiling(
  ecs: ECSClient,
  autoscaling: AutoScalingClient,
  cluster: string,
  derived: DerivedCapacity,
  apiCalls: ApiCalls,
): Promise<ElasticCapacity> {
  const names = await capacityProviderGroups(ecs, apiCalls, cluster);
  const described = await describeAutoScalingGroups(autoscaling, apiCalls, names);
  const groups = names.map((name): GroupRoom => {
    const group = described.find((g) => g.AutoScalingGroupName === name);
    if (group === undefined) {
      throw new MissingDataError(
        `DescribeAutoScalingGroups ${name}`,
        "the capacity provider's group was not found",
      );
    }
    const staying = (group.Instances ?? []).filter((i) => !isLeaving(i.LifecycleState));
    return { name, maxSize: group.MaxSize ?? 0, instances: staying.length };
  });
  const room = groups.reduce((sum, g) => sum + Math.max(0, g.maxSize - g.instances), 0);
  return {
    groups,
    newHostSlots: derived.newHostSlots,
    ceiling: derived.capacity + room * derived.newHostSlots,
  };
}
