import type { Failure } from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import { type Fields, isRecord } from "./fields";

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The List* pattern: `maxResults` (1..100) items per page, sorted by ARN (or `order`), and
 * an opaque `nextToken` naming the last item of the page, so deletions between pages skip nothing.
 */
export function paginate(
  arns: string[],
  fields: Fields,
  defaultMax: number,
  order: (a: string, b: string) => number = byString,
): { items: string[]; nextToken?: string } {
  const maxResults = fields.integer("maxResults") ?? defaultMax;
  if (maxResults < 1 || maxResults > 100) {
    throw ecsErrors.invalidParameter("maxResults must be between 1 and 100.");
  }
  const token = fields.string("nextToken");
  let after: string | undefined;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
      if (!isRecord(decoded) || typeof decoded.after !== "string") throw new Error("shape");
      after = decoded.after;
    } catch {
      throw ecsErrors.invalidParameter("Invalid nextToken.");
    }
  }
  const sorted = arns.sort(order);
  const start = after === undefined ? 0 : sorted.findIndex((arn) => order(arn, after) > 0);
  const items = start < 0 ? [] : sorted.slice(start, start + maxResults);
  const last = items[items.length - 1];
  const more = start >= 0 && start + maxResults < sorted.length && last !== undefined;
  return more
    ? { items, nextToken: Buffer.from(JSON.stringify({ after: last })).toString("base64url") }
    : { items };
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
