import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage, sent } from "./api-calls";
import { batches } from "./batches";
import { complete } from "./ecs-reads";

/** DescribeAutoScalingGroups: up to 100 names and 100 groups a page. */
const GROUPS_PAGE_SIZE = 100;

/**
 * The Auto Scaling groups behind a cluster's capacity providers (by name):
 * DescribeClusters, then — only if the cluster has any — DescribeCapacityProviders.
 * Shared by the host consolidator (whose hosts to terminate) and the priority scaler
 * (how far the cluster can grow).
 */
export async function capacityProviderGroups(
  ecs: ECSClient,
  apiCalls: ApiCalls,
  cluster: string,
): Promise<string[]> {
  const described = await sent(apiCalls, "ecs:DescribeClusters", () =>
    ecs.send(new DescribeClustersCommand({ clusters: [cluster] })),
  );
  complete("DescribeClusters", described.failures);
  const providers = described.clusters?.[0]?.capacityProviders ?? [];
  if (providers.length === 0) return [];
  const out = await sent(apiCalls, "ecs:DescribeCapacityProviders", () =>
    ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: providers })),
  );
  complete("DescribeCapacityProviders", out.failures);
  return (out.capacityProviders ?? []).flatMap((provider) => {
    const arn = provider.autoScalingGroupProvider?.autoScalingGroupArn ?? "";
    // arn:aws:autoscaling:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>, or the
    // group's name itself: CreateCapacityProvider takes either (CloudFormation's
    // `!Ref HostAutoScalingGroup` gives the name).
    const name = arn.startsWith("arn:") ? arn.split("autoScalingGroupName/")[1] : arn;
    return name === undefined || name === "" ? [] : [name];
  });
}

/** An instance on its way out of its group: it will not host tasks, nor count against MaxSize for long. */
export const isLeaving = (lifecycleState: string | undefined): boolean =>
  /^(Terminating|Detaching)/.test(lifecycleState ?? "");

/** The named groups, through the SDK paginator, 100 names at a time. */
export async function describeAutoScalingGroups(
  autoscaling: AutoScalingClient,
  apiCalls: ApiCalls,
  names: readonly string[],
): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  for (const batch of batches(names, GROUPS_PAGE_SIZE)) {
    const pages = paginateDescribeAutoScalingGroups(
      {
        client: autoscaling,
        pageSize: GROUPS_PAGE_SIZE,
        withCommand: countEachPage(apiCalls, "autoscaling:DescribeAutoScalingGroups"),
      },
      { AutoScalingGroupNames: batch },
    );
    for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));
  }
  return groups;
}
