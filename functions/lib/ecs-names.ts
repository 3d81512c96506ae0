/**
 * ECS names from identifiers that may be a name or an ARN: no SDK, no I/O. The one
 * place functions take a cluster or service name out of an ARN.
 */

const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]*:\d*:cluster\/(.+)$/;

export function isClusterArn(value: string): boolean {
  return CLUSTER_ARN.test(value);
}

/** `arn:aws:ecs:…:cluster/prod` → `prod`; a plain name is returned as is. */
export function clusterName(nameOrArn: string): string {
  return CLUSTER_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

/**
 * Whether two cluster identifiers (name or ARN) denote the same cluster. Two ARNs
 * must be equal (same account and Region); otherwise the names are compared, since a
 * name is only meaningful in the function's own account and Region.
 */
export function sameCluster(a: string, b: string): boolean {
  if (isClusterArn(a) && isClusterArn(b)) return a === b;
  return clusterName(a) === clusterName(b);
}

/**
 * `arn:aws:ecs:…:service/cluster/web` (new format) or `…:service/web` (old) → `web`;
 * a plain name is returned as is.
 */
export function serviceName(nameOrArn: string): string {
  if (!nameOrArn.startsWith("arn:")) return nameOrArn;
  const slash = nameOrArn.lastIndexOf("/");
  return slash === -1 ? nameOrArn : nameOrArn.slice(slash + 1);
}
