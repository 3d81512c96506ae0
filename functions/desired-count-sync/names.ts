/**
 * Pure helpers for ECS identifiers and placement constraints: no SDK, no I/O.
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

export interface PlacementConstraintLike {
  type?: string | undefined;
  expression?: string | undefined;
}

/** A compound expression needs parentheses before it is and-ed with another one. */
const COMPOUND = /\s(and|or)\s|&&|\|\||^\s*(not|!)/i;

/**
 * The cluster-query-language filter that selects the container instances a service may
 * use: its `memberOf` constraints, and-ed. `undefined` when it has none (every instance).
 *
 * One expression is passed through verbatim. Several are joined with ` and `, each
 * compound one in parentheses so `a or b` + `c` means `(a or b) and c`; simple ones stay
 * bare (ECS does not allow parentheses inside a single expression).
 */
export function memberOfFilter(
  constraints: readonly PlacementConstraintLike[] | undefined,
): string | undefined {
  const expressions = (constraints ?? [])
    .filter((c) => c.type === "memberOf")
    .map((c) => c.expression?.trim() ?? "")
    .filter((expression) => expression !== "");
  if (expressions.length === 0) return undefined;
  if (expressions.length === 1) return expressions[0];
  return expressions.map((e) => (COMPOUND.test(e) ? `(${e})` : e)).join(" and ");
}
