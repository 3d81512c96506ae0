import { describe, expect, it } from "vitest";
import { readToken, signToken } from "../../../../local/edge/signed-token";

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("signed tokens", () => {
  it("reads back the value of a token issued for the same scope", () => {
    const value = "arn:aws:ecs:us-east-1:000000000000:task/a/0f.1 x\n";
    expect(readToken(signToken("ListTasks", value), "ListTasks")).toBe(value);
  });

  it("reads nothing from a token issued for another scope", () => {
    expect(readToken(signToken("ListTasks", "a"), "ListServices")).toBeUndefined();
  });

  it("keeps scope and value apart: no two (scope, value) pairs sign alike", () => {
    const token = signToken("a\nb", "c");
    expect(
      readToken(token.replace(/^[^.]*/, Buffer.from("b\nc").toString("base64url")), "a"),
    ).toBeUndefined();
  });

  it("reads nothing from a made-up or altered token", () => {
    const issued = signToken("ListThings", "2");
    const [value = "", mac = ""] = issued.split(".");
    // The same signature bytes spelt another way: the last character's spare low bit set.
    const last = base64url.indexOf(mac.slice(-1));
    const respelt = `${mac.slice(0, -1)}${base64url[last ^ 1]}`;
    expect(Buffer.from(respelt, "base64url")).toEqual(Buffer.from(mac, "base64url"));
    const forged = [
      "",
      "2",
      value,
      `${Buffer.from("4").toString("base64url")}.${mac}`,
      `${value}.${respelt}`,
      `${value}=.${mac}`,
      `${issued}.`,
      `${issued}x`,
    ];
    for (const token of forged) expect(readToken(token, "ListThings"), token).toBeUndefined();
  });
});
