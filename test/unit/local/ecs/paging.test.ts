import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Fields } from "../../../../local/ecs/api/fields";
import { type Listing, paginate } from "../../../../local/ecs/api/paging";

const listTasks: Listing = {
  operation: "ListTasks",
  filters: { cluster: "arn:aws:ecs:us-east-1:000000000000:cluster/a" },
  defaultMax: 100,
};

const page = (
  arns: readonly string[],
  input: Record<string, unknown> = {},
  listing: Partial<Listing> = {},
) => paginate(arns, new Fields(input), { ...listTasks, ...listing });

/** What ECS answers for a token it did not issue for the listing. */
const refused = (nextToken: string) =>
  expect.objectContaining({
    name: "InvalidParameterException",
    message: `Invalid token ${nextToken}`,
  });

/** Every page, following nextToken, as the SDK paginators do. */
function walk(arns: readonly string[], maxResults: number): string[][] {
  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const result = page(arns, { maxResults, ...(nextToken === undefined ? {} : { nextToken }) });
    pages.push(result.items);
    nextToken = result.nextToken;
  } while (nextToken !== undefined && pages.length <= arns.length + 1);
  return pages;
}

/** The straightforward reading of ECS's paging: sort everything, cut pages of maxResults. */
function reference(arns: readonly string[], maxResults: number): string[][] {
  const sorted = [...arns].sort();
  const pages: string[][] = [];
  for (let i = 0; i < sorted.length; i += maxResults) pages.push(sorted.slice(i, i + maxResults));
  return pages.length === 0 ? [[]] : pages;
}

describe("paginate (the List* pattern)", () => {
  it("pages in ARN order, whatever order the items come in, as the reference does", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        (arns, maxResults) => {
          expect(walk(arns, maxResults)).toEqual(reference(arns, maxResults));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sends no nextToken when the last page is exactly full", () => {
    const arns = ["c", "a", "d", "b"];
    const first = page(arns, { maxResults: 2 });
    expect(first.items).toEqual(["a", "b"]);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = page(arns, { maxResults: 2, nextToken: first.nextToken });
    expect(second).toEqual({ items: ["c", "d"] });
  });

  it("uses the operation's default page size without maxResults", () => {
    const arns = Array.from({ length: 25 }, (_, i) => `arn-${String(i).padStart(2, "0")}`);
    expect(page(arns, {}, { defaultMax: 10 }).items).toEqual(arns.slice(0, 10));
    expect(page(arns, {}).items).toEqual(arns);
  });

  it("skips nothing when items before the token are deleted between pages", () => {
    const arns = ["a", "b", "c", "d", "e"];
    const first = page(arns, { maxResults: 2 });
    const second = page(["c", "d", "e"], { maxResults: 2, nextToken: first.nextToken });
    expect(second.items).toEqual(["c", "d"]);
  });

  it("follows a custom order (ListTaskDefinitions sort DESC)", () => {
    const descending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
    const arns = ["b", "d", "a", "c"];
    const first = page(arns, { maxResults: 3 }, { order: descending });
    expect(first.items).toEqual(["d", "c", "b"]);
    const rest = page(arns, { maxResults: 3, nextToken: first.nextToken }, { order: descending });
    expect(rest).toEqual({ items: ["a"] });
  });

  it.each([0, 101, -1])("refuses maxResults %d", (maxResults) => {
    expect(() => page(["a"], { maxResults })).toThrow(
      expect.objectContaining({ name: "InvalidParameterException" }),
    );
  });

  it.each([
    ["garbage!"],
    [Buffer.from("not json").toString("base64url")],
    // The unsigned cursor the local ECS once issued, naming a real item.
    [Buffer.from(JSON.stringify({ after: "a" })).toString("base64url")],
  ])("refuses the made-up token %j as ECS does", (nextToken) => {
    expect(() => page(["a", "b", "c"], { nextToken })).toThrow(refused(nextToken));
  });

  it("refuses an issued token that was altered", () => {
    const issued = page(["a", "b", "c"], { maxResults: 1 }).nextToken ?? "";
    const [cursor = "", mac = ""] = issued.split(".");
    const altered = [
      `${Buffer.from("b").toString("base64url")}.${mac}`,
      `${cursor}.${mac.startsWith("A") ? "B" : "A"}${mac.slice(1)}`,
      `${issued}.x`,
      `${issued}x`,
    ];
    for (const nextToken of altered) {
      expect(() => page(["a", "b", "c"], { nextToken }), nextToken).toThrow(refused(nextToken));
    }
    expect(page(["a", "b", "c"], { maxResults: 1, nextToken: issued }).items).toEqual(["b"]);
  });

  it.each<[string, Partial<Listing>]>([
    ["another operation", { operation: "ListServices" }],
    ["another cluster", { filters: { cluster: "arn:aws:ecs:us-east-1:000000000000:cluster/b" } }],
    ["another filter", { filters: { ...listTasks.filters, desiredStatus: "STOPPED" } }],
  ])("refuses a token issued for %s", (_, other) => {
    const nextToken = page(["a", "b", "c"], { maxResults: 1 }).nextToken ?? "";
    expect(() => page(["a", "b", "c"], { nextToken }, other)).toThrow(refused(nextToken));
  });
});
