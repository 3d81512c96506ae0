import { describe, expect, it } from "vitest";
import {
  InvalidEventPatternError,
  isValidEventPattern,
  validateEventPattern,
} from "../../../../local/eventbridge/pattern-validation";

describe("validateEventPattern", () => {
  it.each([
    ["a non-object", "aws.ecs"],
    ["an empty pattern", {}],
    ["a bare string leaf", { source: "aws.ecs" }],
    ["an empty leaf array", { source: [] }],
    ["a nested array", { source: [["aws.ecs"]] }],
    ["an unknown operator", { source: [{ "starts-with": "aws." }] }],
    ["two operators in one matcher", { source: [{ prefix: "a", suffix: "b" }] }],
    ["a numeric prefix", { source: [{ prefix: 1 }] }],
    ["a bad numeric operator", { n: [{ numeric: ["!=", 1] }] }],
    ["a numeric bound that is a string", { n: [{ numeric: [">", "1"] }] }],
    ["two lower numeric bounds", { n: [{ numeric: [">", 1, ">=", 2] }] }],
    ["exists with a string", { n: [{ exists: "true" }] }],
    ["a mixed anything-but list", { n: [{ "anything-but": ["a", 1] }] }],
    ["an anything-but with exists", { n: [{ "anything-but": { exists: true } }] }],
    ["a consecutive wildcard", { n: [{ wildcard: "a**b" }] }],
    ["a bad cidr", { ip: [{ cidr: "10.0.0.0/33" }] }],
    ["a one-branch $or", { $or: [{ a: ["x"] }] }],
    ["a $or with an empty branch", { $or: [{ a: ["x"] }, {}] }],
    ["invalid JSON text", "{"],
  ])("rejects %s", (_name, pattern) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidEventPatternError);
    expect(isValidEventPattern(pattern)).toBe(false);
  });

  it("names the offending path in the message", () => {
    expect(() => validateEventPattern({ detail: { status: [{ prefix: 1 }] } })).toThrow(
      /detail\.status\[0\]\.prefix/,
    );
  });
});
