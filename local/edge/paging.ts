import { readToken, signToken } from "./signed-token";

/**
 * Offset paging for the local services whose pages are positions in a list (Auto Scaling's
 * Describe*, CloudWatch ListMetrics, Step Functions GetExecutionHistory). AWS refuses a
 * NextToken it did not issue, each service with its own error, so a token here is the next
 * page's offset signed (`signed-token.ts`) for the listing (`scope`) that issued it: a
 * forged, altered or borrowed token is refused with the caller's `refuse()`.
 */
export interface OffsetPaging {
  /** Items a page. */
  size: number;
  /** The request's NextToken, if any. */
  token: string | undefined;
  /** What the token is good for, e.g. the operation and the execution it lists. */
  scope: string;
  /** The service's own error for a token it did not issue. */
  refuse: () => Error;
}

/** The offset an issued token names; the caller's error for anything else. */
function offsetOf(token: string, paging: OffsetPaging): number {
  const offset = readToken(token, paging.scope);
  if (offset === undefined) throw paging.refuse();
  return Number(offset);
}

/** One page of `items` from the offset the token names, and the token of the next one. */
export function offsetPage<T>(
  items: readonly T[],
  paging: OffsetPaging,
): { items: T[]; nextToken?: string } {
  const start = paging.token === undefined ? 0 : offsetOf(paging.token, paging);
  const end = start + paging.size;
  const page = items.slice(start, end);
  return end < items.length
    ? { items: page, nextToken: signToken(paging.scope, String(end)) }
    : { items: page };
}
