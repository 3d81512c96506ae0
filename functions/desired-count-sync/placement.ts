/**
 * Placement constraints as a ListContainerInstances filter: pure, no SDK, no I/O.
 */

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
