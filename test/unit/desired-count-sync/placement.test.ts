import { describe, expect, it } from "vitest";
import { memberOfFilter } from "../../../functions/desired-count-sync/placement";
import { compileFilter, type FakeInstance } from "./fake-ecs";

describe("memberOfFilter", () => {
  it("is undefined without memberOf constraints", () => {
    expect(memberOfFilter(undefined)).toBeUndefined();
    expect(memberOfFilter([{ type: "distinctInstance" }])).toBeUndefined();
    expect(memberOfFilter([{ type: "memberOf", expression: "  " }])).toBeUndefined();
  });

  it("passes one expression through verbatim", () => {
    const expression = "attribute:ecs.instance-type =~ t3.* or attribute:pool == edge";
    expect(memberOfFilter([{ type: "memberOf", expression }])).toBe(expression);
  });

  it("and-s several, parenthesising only compound ones", () => {
    expect(
      memberOfFilter([
        { type: "memberOf", expression: "attribute:a == 1" },
        { type: "distinctInstance" },
        { type: "memberOf", expression: "attribute:b == 2 or attribute:c == 3" },
        { type: "memberOf", expression: "not(task:group == database)" },
      ]),
    ).toBe(
      "attribute:a == 1 and (attribute:b == 2 or attribute:c == 3) and (not(task:group == database))",
    );
  });

  it("keeps `(a or b) and c` semantics (checked with the cluster query language)", () => {
    const filter = memberOfFilter([
      { type: "memberOf", expression: "attribute:a == 1 or attribute:b == 1" },
      { type: "memberOf", expression: "attribute:c == 1" },
    ]);
    const host = (attributes: Record<string, string>): FakeInstance => ({
      id: "x",
      status: "ACTIVE",
      agentConnected: true,
      attributes,
      remaining: { cpu: 0, memory: 0, ports: [] },
    });
    const matches = compileFilter(filter);
    expect(matches(host({ a: "1", c: "1" }))).toBe(true);
    expect(matches(host({ b: "1", c: "1" }))).toBe(true);
    expect(matches(host({ a: "1" }))).toBe(false); // `a or (b and c)` would say true
  });
});
