/**
 * ECS names from identifiers that may be a name or an ARN: no SDK, no I/O. The one
 * place that knows ECS's ARN format, used by the functions and the local cloud's ECS.
 */

/** `arn:<partition>:ecs:<Region>:<account>:<resource type>/<resource>` */
const ECS_ARN = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/;

export interface EcsArn {
  partition: string;
  region: string;
  account: string;
  /** `cluster`, `container-instance`, `service`, `task`, `task-definition`, `container`… */
  resourceType: string;
  /** What follows the type: `prod`, `prod/web` (or `web` in the old format), `web:3`… */
  resource: string;
}

/** The parts of an ECS ARN, or undefined when `value` is not one. */
export function parseEcsArn(value: string): EcsArn | undefined {
  const match = ECS_ARN.exec(value);
  if (match === null) return undefined;
  const [, partition = "", region = "", account = "", resourceType = "", resource = ""] = match;
  return { partition, region, account, resourceType, resource };
}

/** The ARN of those parts: `parseEcsArn`'s inverse. */
export function formatEcsArn(arn: EcsArn): string {
  return `arn:${arn.partition}:ecs:${arn.region}:${arn.account}:${arn.resourceType}/${arn.resource}`;
}

export function isClusterArn(value: string): boolean {
  return parseEcsArn(value)?.resourceType === "cluster";
}

/** `arn:aws:ecs:…:cluster/prod` → `prod`; a plain name is returned as is. */
export function clusterName(nameOrArn: string): string {
  const arn = parseEcsArn(nameOrArn);
  return arn?.resourceType === "cluster" ? arn.resource : nameOrArn;
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

/**
 * `arn:aws:ecs:…:task-definition/web:3`, `web:3` → family `web`, revision 3; `web` →
 * family `web` and no revision (the latest ACTIVE one). A revision that is not a number
 * is NaN, which names no revision.
 */
export function taskDefinitionName(nameOrArn: string): { family: string; revision?: number } {
  const arn = parseEcsArn(nameOrArn);
  const short = arn?.resourceType === "task-definition" ? arn.resource : nameOrArn;
  const colon = short.indexOf(":");
  return colon === -1
    ? { family: short }
    : { family: short.slice(0, colon), revision: Number(short.slice(colon + 1)) };
}
