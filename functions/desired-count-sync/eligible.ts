import type { Service } from "@aws-sdk/client-ecs";
import { IncompleteReadError } from "../lib/ecs-reads";
import { hostCapacity, taskRequirements } from "../lib/placement/requirements";
import { fitsOn } from "../lib/placement/simulation";
import type { EcsCalls } from "./ecs-calls";
import { memberOfFilter } from "./placement";

/**
 * Which hosts a per-host service counts: the ACTIVE container instances matching its
 * memberOf constraints where its task runs, or where one would fit (CPU, memory, host
 * ports, required attributes and the task definition's memberOf — the local ECS's
 * placement rules, `lib/placement`).
 *
 * Counting a host the task cannot fit on is the runaway trap of docs/deploying.md ("How hosts scale in"): the
 * extra task stays PROVISIONING, managed scaling adds a host for it, the count rises
 * for the new host, and so on up to MaxSize. Such a host is reported as unfit instead.
 *
 * Cost for one service: the listing of its filter (shared with other services of the
 * same filter), max(1, ⌈k / 100⌉) ListContainerInstances of the k hosts its task does
 * not run on — one call in the steady state, where k = 0 — and only when k > 0,
 * ⌈k / 100⌉ DescribeContainerInstances and one DescribeTaskDefinition (kept for the
 * execution environment).
 */

export interface UnfitHost {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  /** AWS's placement failure reason, e.g. `RESOURCE:MEMORY`. */
  readonly reason: string;
}

export interface Eligibility {
  /** Hosts it runs on plus hosts it fits on: the desired count. */
  readonly eligible: number;
  readonly running: number;
  readonly unfit: readonly UnfitHost[];
}

export async function eligibleHosts(
  calls: EcsCalls,
  cluster: string,
  service: Service,
  activeMatching: (filter: string | undefined) => Promise<ReadonlySet<string>>,
): Promise<Eligibility> {
  const name = service.serviceName ?? "";
  const group = `service:${name}`;
  const active = await activeMatching(memberOfFilter(service.placementConstraints));
  if (active.size === 0) return { eligible: 0, running: 0, unfit: [] };
  // The hosts it does not run on, listed directly: in the steady state none, one call.
  const lacking = await calls.activeInstances(
    cluster,
    memberOfFilter([
      ...(service.placementConstraints ?? []),
      { type: "memberOf", expression: `not(task:group == ${group})` },
    ]),
  );
  const without = [...lacking].filter((arn) => active.has(arn));
  const running = active.size - without.length;
  if (without.length === 0) return { eligible: running, running, unfit: [] };

  if (service.taskDefinition === undefined) {
    throw new IncompleteReadError("DescribeServices", [
      { arn: service.serviceArn, reason: "no taskDefinition" },
    ]);
  }
  const definition = await calls.taskDefinition(service.taskDefinition);
  const task = taskRequirements(group, definition, service.placementConstraints);
  const unfit: UnfitHost[] = [];
  let fitting = 0;
  for (const instance of await calls.describeContainerInstances(cluster, without)) {
    const fit = fitsOn(hostCapacity(instance), task);
    if (fit.fits) fitting++;
    else {
      unfit.push({
        containerInstanceArn: instance.containerInstanceArn ?? "",
        ec2InstanceId: instance.ec2InstanceId ?? "",
        reason: fit.reason,
      });
    }
  }
  return { eligible: running + fitting, running, unfit };
}
