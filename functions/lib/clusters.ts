import { type ECSClient, paginateListClusters } from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage } from "./api-calls";
import { type Environment, list } from "./config";
import { otherClusterReason } from "./container-instance-event";
import { ECS_PAGE_SIZE } from "./ecs-limits";
import { clusterName, isClusterArn, sameCluster } from "./ecs-names";
import { ConfigurationError } from "./errors";

/**
 * Which clusters a controller serves: `CLUSTERS` (names or ARNs, comma-separated, or
 * `*` for every cluster of the account and Region, as the original per-host Lambda
 * served them), or the one cluster of `CLUSTER`.
 */
export type ClusterSelection = readonly string[] | "all";

/** ECS cluster names: letters, digits, hyphens and underscores, up to 255. */
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Reads `CLUSTERS` (or `CLUSTER`, as a one-cluster list); throws ConfigurationError naming it. */
export function clusterSelection(env: Environment): ClusterSelection {
  const clusters = list(env, "CLUSTERS");
  const cluster = list(env, "CLUSTER");
  if (clusters !== undefined && cluster !== undefined) {
    throw new ConfigurationError("CLUSTERS", "and CLUSTER are both set; set one of them");
  }
  const variable = clusters === undefined ? "CLUSTER" : "CLUSTERS";
  const listed = clusters ?? cluster;
  if (listed === undefined) {
    throw new ConfigurationError("CLUSTERS", "is required but not set (names, ARNs, or *)");
  }
  if (listed.includes("*")) {
    if (listed.length > 1 || variable === "CLUSTER") {
      throw new ConfigurationError(variable, "* means every cluster: set CLUSTERS=* alone");
    }
    return "all";
  }
  if (variable === "CLUSTER" && listed.length > 1) {
    throw new ConfigurationError("CLUSTER", "names one cluster; list several in CLUSTERS");
  }
  for (const identifier of listed) {
    if (!CLUSTER_NAME.test(identifier) && !isClusterArn(identifier)) {
      throw new ConfigurationError(variable, `"${identifier}" is neither a cluster name nor ARN`);
    }
  }
  return listed.filter(
    (identifier, i) => listed.findIndex((c) => sameCluster(c, identifier)) === i,
  );
}

/** `*`, or the listed clusters' names: for logs and summaries. */
export function describeSelection(selection: ClusterSelection): string {
  return selection === "all" ? "*" : selection.map(clusterName).join(",");
}

/**
 * Why an event about `clusterArn` is not for these clusters, or undefined when it is
 * one of them (every cluster is, with `*`: a rule only sees its own account and Region).
 */
export function unselectedClusterReason(
  selection: ClusterSelection,
  clusterArn: string,
): string | undefined {
  if (selection === "all") return undefined;
  if (selection.some((cluster) => sameCluster(cluster, clusterArn))) return undefined;
  const [only] = selection;
  if (selection.length === 1 && only !== undefined) return otherClusterReason(clusterArn, only);
  return `event is for cluster ${clusterName(clusterArn)}, not one of ${describeSelection(selection)}`;
}

/** Every cluster ARN of the account and Region, 100 per ListClusters call, counted. */
export async function listClusterArns(client: ECSClient, apiCalls: ApiCalls): Promise<string[]> {
  const arns: string[] = [];
  const pages = paginateListClusters(
    {
      client,
      pageSize: ECS_PAGE_SIZE,
      withCommand: countEachPage(apiCalls, "ecs:ListClusters"),
    },
    {},
  );
  for await (const page of pages) arns.push(...(page.clusterArns ?? []));
  return arns;
}
