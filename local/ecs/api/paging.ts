import type { Failure } from "@aws-sdk/client-ecs";
import { readToken, signToken } from "../../edge/signed-token";
import { ecsErrors } from "../errors";
import type { Fields } from "./fields";

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One List* listing: a `nextToken` it issued is good for it alone, as on ECS. */
export interface Listing {
  /** The operation, e.g. `ListTasks`. */
  operation: string;
  /**
   * What the listing is filtered by (the cluster's ARN, a status, a family…), unset ones
   * undefined: a token issued for one cluster or filter is refused for another.
   */
  filters?: Readonly<Record<string, string | undefined>>;
  /** Items a page without `maxResults`. */
  defaultMax: number;
  /** The page order; ARN order unless given. */
  order?: (a: string, b: string) => number;
}

/**
 * The List* pattern: `maxResults` (1..100) items per page, sorted by ARN (or `order`), and
 * a `nextToken` naming the last item of the page, so deletions between pages skip nothing.
 * The token is signed for the listing (`signed-token.ts`): ECS refuses a token it did not
 * issue, or issued by another operation or for another cluster, with InvalidParameterException.
 */
export function paginate(
  arns: readonly string[],
  fields: Fields,
  listing: Listing,
): { items: string[]; nextToken?: string } {
  const maxResults = fields.integer("maxResults") ?? listing.defaultMax;
  if (maxResults < 1 || maxResults > 100) {
    throw ecsErrors.invalidParameter("maxResults must be between 1 and 100.");
  }
  const scope = JSON.stringify([listing.operation, listing.filters ?? {}]);
  const token = fields.string("nextToken");
  const after = token === undefined ? undefined : readToken(token, scope);
  if (token !== undefined && after === undefined) throw ecsErrors.invalidToken(token);
  const { items, more } = firstAfter(arns, after, maxResults, listing.order ?? byString);
  const last = items[items.length - 1];
  return more && last !== undefined ? { items, nextToken: signToken(scope, last) } : { items };
}

/**
 * The `limit` smallest items after `after` in `order`, sorted, and whether more follow:
 * one pass with a bounded max-heap, O(n log limit). Sorting every item for every page
 * made paging a list of n items O(n² log n / limit) — 10,000 tasks, 100 pages.
 */
function firstAfter(
  all: readonly string[],
  after: string | undefined,
  limit: number,
  order: (a: string, b: string) => number,
): { items: string[]; more: boolean } {
  // heap[0] is the largest kept item; an item larger than it cannot be on this page.
  const heap: string[] = [];
  let following = 0;
  for (const item of all) {
    if (after !== undefined && order(item, after) <= 0) continue;
    following++;
    if (heap.length < limit) {
      heap.push(item);
      siftUp(heap, heap.length - 1, order);
    } else if (order(item, heap[0] as string) < 0) {
      heap[0] = item;
      siftDown(heap, 0, order);
    }
  }
  return { items: heap.sort(order), more: following > limit };
}

function siftUp(heap: string[], at: number, order: (a: string, b: string) => number): void {
  let child = at;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (order(heap[child] as string, heap[parent] as string) <= 0) return;
    [heap[child], heap[parent]] = [heap[parent] as string, heap[child] as string];
    child = parent;
  }
}

function siftDown(heap: string[], at: number, order: (a: string, b: string) => number): void {
  let parent = at;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let largest = parent;
    if (left < heap.length && order(heap[left] as string, heap[largest] as string) > 0)
      largest = left;
    if (right < heap.length && order(heap[right] as string, heap[largest] as string) > 0)
      largest = right;
    if (largest === parent) return;
    [heap[parent], heap[largest]] = [heap[largest] as string, heap[parent] as string];
    parent = largest;
  }
}

/**
 * The Describe* pattern: 1..`max` references in, the shapes found and a `MISSING`
 * failure for each reference that names nothing.
 */
export function describeEach<Found, Shape>(
  name: string,
  refs: string[] | undefined,
  max: number,
  find: (ref: string) => Found | undefined,
  shape: (record: Found) => Shape,
  missingArn: (ref: string) => string = (ref) => ref,
): { found: Shape[]; failures: Failure[] } {
  const list = refs ?? [];
  if (list.length === 0 || list.length > max) {
    throw ecsErrors.invalidParameter(`${name} must have between 1 and ${max} items.`);
  }
  const found: Shape[] = [];
  const failures: Failure[] = [];
  for (const ref of list) {
    const record = find(ref);
    if (record === undefined) failures.push({ arn: missingArn(ref), reason: "MISSING" });
    else found.push(shape(record));
  }
  return { found, failures };
}
