import { describe, expect, it } from "vitest";
import { offsetPage } from "../../../../local/edge/paging";

class Refused extends Error {}
const refuse = () => new Refused("not issued here");
const items = ["a", "b", "c", "d", "e"];
const paging = (token: string | undefined, scope = "ListThings") => ({
  size: 2,
  token,
  scope,
  refuse,
});

describe("offsetPage", () => {
  it("pages through the items with the tokens it issues, and issues none after the last page", () => {
    const first = offsetPage(items, paging(undefined));
    const second = offsetPage(items, paging(first.nextToken));
    const third = offsetPage(items, paging(second.nextToken));
    expect([first.items, second.items, third.items]).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(third.nextToken).toBeUndefined();
  });

  it("refuses a token it did not issue with the service's error", () => {
    const issued = offsetPage(items, paging(undefined)).nextToken ?? "";
    const [, mac] = issued.split(".");
    const forged = [
      "2",
      Buffer.from("2").toString("base64url"),
      `${Buffer.from("4").toString("base64url")}.${mac}`,
      `${issued}x`,
      `${issued}.2`,
      "",
    ];
    for (const token of forged) {
      expect(() => offsetPage(items, paging(token)), token).toThrow(Refused);
    }
  });

  it("refuses a token another listing issued", () => {
    const issued = offsetPage(items, paging(undefined, "ListThings")).nextToken;
    expect(() => offsetPage(items, paging(issued, "ListOtherThings"))).toThrow(Refused);
  });
});
