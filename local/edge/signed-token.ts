import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Paging tokens only this process can issue. AWS refuses a NextToken it did not issue, so
 * a local token is its value (the next page's offset, the last ARN listed…) signed with a
 * key this process made, for the listing (`scope`) that issued it. A token made up by a
 * client, altered, or issued for another scope reads as nothing.
 */
const signingKey = randomBytes(32);

function signature(scope: string, value: string): string {
  // JSON keeps scope and value apart whatever characters either holds.
  return createHmac("sha256", signingKey)
    .update(JSON.stringify([scope, value]))
    .digest("base64url");
}

/** A token carrying `value`, good for `scope` alone. */
export function signToken(scope: string, value: string): string {
  return `${Buffer.from(value, "utf8").toString("base64url")}.${signature(scope, value)}`;
}

/** The value of a token `signToken` issued for `scope`; `undefined` for any other string. */
export function readToken(token: string, scope: string): string | undefined {
  const [encoded = ""] = token.split(".", 1);
  const value = Buffer.from(encoded, "base64url").toString("utf8");
  // Issuing the token again and comparing all of it also refuses a token that decodes to
  // the same bytes but is spelt differently (extra parts, non-canonical base64).
  const given = Buffer.from(token, "utf8");
  const expected = Buffer.from(signToken(scope, value), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
}
