import { describe, expect, it } from "vitest";
import { compilePattern, matchesPattern } from "../../../../local/eventbridge/pattern";
import {
  InvalidEventPatternError,
  isValidEventPattern,
} from "../../../../local/eventbridge/pattern-validation";

// An ECS Container Instance State Change, trimmed to the fields the cases use.
const containerInstanceEvent = {
  version: "0",
  id: "8952ba83-7be2-4ab5-9c32-6687532d15a2",
  "detail-type": "ECS Container Instance State Change",
  source: "aws.ecs",
  account: "111122223333",
  time: "2016-12-06T16:41:06Z",
  region: "us-east-1",
  resources: ["arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04"],
  detail: {
    clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/default",
    status: "ACTIVE",
    agentConnected: true,
    runningTasksCount: 1,
    attributes: [
      { name: "ecs.os-type", value: "linux" },
      { name: "ecs.instance-type", value: "t3.micro" },
    ],
    ec2InstanceId: "i-0123456789abcdef0",
    sourceIp: "10.0.0.17",
    versionInfo: {},
    nothing: null,
    empty: "",
  },
};

describe("matchesPattern: values, AND and OR", () => {
  it("matches exact values, OR within a list, AND across fields", () => {
    // Prepare
    const pattern = {
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change", "ECS Container Instance State Change"],
      detail: { status: ["ACTIVE", "DRAINING"] },
    };

    // Act / Assess
    expect(matchesPattern(pattern, containerInstanceEvent)).toBe(true);
    expect(matchesPattern({ ...pattern, source: ["aws.ec2"] }, containerInstanceEvent)).toBe(false);
    expect(
      matchesPattern({ ...pattern, detail: { status: ["INACTIVE"] } }, containerInstanceEvent),
    ).toBe(false);
  });

  it("matches a leaf against any element of an array in the event", () => {
    expect(
      matchesPattern(
        { resources: ["arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04"] },
        containerInstanceEvent,
      ),
    ).toBe(true);
    expect(matchesPattern({ resources: ["arn:other"] }, containerInstanceEvent)).toBe(false);
  });

  it("matches an object pattern within one element of an array of objects", () => {
    const same = { detail: { attributes: { name: ["ecs.os-type"], value: ["linux"] } } };
    const mixed = { detail: { attributes: { name: ["ecs.os-type"], value: ["t3.micro"] } } };
    expect(matchesPattern(same, containerInstanceEvent)).toBe(true);
    expect(matchesPattern(mixed, containerInstanceEvent)).toBe(false);
  });

  it("compares numbers by value and never matches a number against a string", () => {
    expect(matchesPattern({ detail: { runningTasksCount: [1.0] } }, containerInstanceEvent)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { runningTasksCount: ["1"] } }, containerInstanceEvent)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { agentConnected: [true] } }, containerInstanceEvent)).toBe(
      true,
    );
  });

  it("treats null and the empty string as values, distinct from each other and from absence", () => {
    const detail = (field: string, values: unknown[]) => ({ detail: { [field]: values } });
    expect(matchesPattern(detail("nothing", [null]), containerInstanceEvent)).toBe(true);
    expect(matchesPattern(detail("nothing", [""]), containerInstanceEvent)).toBe(false);
    expect(matchesPattern(detail("empty", [""]), containerInstanceEvent)).toBe(true);
    expect(matchesPattern(detail("empty", [null]), containerInstanceEvent)).toBe(false);
    expect(matchesPattern(detail("missing", [null]), containerInstanceEvent)).toBe(false);
    expect(matchesPattern(detail("missing", [""]), containerInstanceEvent)).toBe(false);
  });

  it("requires nested objects to be objects in the event", () => {
    expect(matchesPattern({ source: { inner: ["aws.ecs"] } }, containerInstanceEvent)).toBe(false);
    expect(matchesPattern({ detail: { missing: { deeper: ["x"] } } }, containerInstanceEvent)).toBe(
      false,
    );
  });

  it("matches $or alternatives at any level", () => {
    const pattern = {
      source: ["aws.ecs"],
      $or: [{ "detail-type": ["nope"] }, { detail: { status: ["ACTIVE"] } }],
    };
    const neither = {
      source: ["aws.ecs"],
      $or: [{ "detail-type": ["nope"] }, { detail: { status: ["DRAINING"] } }],
    };
    const nested = {
      detail: { $or: [{ runningTasksCount: [{ numeric: [">", 5] }] }, { status: ["ACTIVE"] }] },
    };
    expect(matchesPattern(pattern, containerInstanceEvent)).toBe(true);
    expect(matchesPattern(neither, containerInstanceEvent)).toBe(false);
    expect(matchesPattern(nested, containerInstanceEvent)).toBe(true);
  });
});

describe("matchesPattern: comparison operators", () => {
  const ok = (leaf: unknown, field = "status") =>
    matchesPattern({ detail: { [field]: [leaf] } }, containerInstanceEvent);

  it("prefix and suffix, with and without equals-ignore-case", () => {
    expect(matchesPattern({ time: [{ prefix: "2016-12-06" }] }, containerInstanceEvent)).toBe(true);
    expect(ok({ prefix: "ACT" })).toBe(true);
    expect(ok({ prefix: "act" })).toBe(false);
    expect(ok({ prefix: { "equals-ignore-case": "act" } })).toBe(true);
    expect(ok({ suffix: "IVE" })).toBe(true);
    expect(ok({ suffix: "ive" })).toBe(false);
    expect(ok({ suffix: { "equals-ignore-case": "ive" } })).toBe(true);
    expect(ok({ prefix: "1" }, "runningTasksCount")).toBe(false);
  });

  it("equals-ignore-case", () => {
    expect(ok({ "equals-ignore-case": "active" })).toBe(true);
    expect(ok({ "equals-ignore-case": "activ" })).toBe(false);
  });

  it("wildcard, with escaped asterisks", () => {
    expect(ok({ wildcard: "A*E" })).toBe(true);
    expect(ok({ wildcard: "*CTIV*" })).toBe(true);
    expect(ok({ wildcard: "B*" })).toBe(false);
    expect(ok({ wildcard: "ACT.VE" })).toBe(false);
    expect(
      matchesPattern({ name: [{ wildcard: "a\\*b*" }] }, { name: "a*bcd" }) &&
        !matchesPattern({ name: [{ wildcard: "a\\*b*" }] }, { name: "axbcd" }),
    ).toBe(true);
  });

  it("anything-but: value, list, prefix, suffix, ignore case, wildcard, numeric", () => {
    expect(ok({ "anything-but": "DRAINING" })).toBe(true);
    expect(ok({ "anything-but": "ACTIVE" })).toBe(false);
    expect(ok({ "anything-but": ["ACTIVE", "DRAINING"] })).toBe(false);
    expect(ok({ "anything-but": ["INACTIVE", "DRAINING"] })).toBe(true);
    expect(ok({ "anything-but": { prefix: "ACT" } })).toBe(false);
    expect(ok({ "anything-but": { prefix: "DRA" } })).toBe(true);
    expect(ok({ "anything-but": { suffix: "IVE" } })).toBe(false);
    expect(ok({ "anything-but": { "equals-ignore-case": "active" } })).toBe(false);
    expect(ok({ "anything-but": { "equals-ignore-case": ["x", "y"] } })).toBe(true);
    expect(ok({ "anything-but": { wildcard: "*TIV*" } })).toBe(false);
    expect(ok({ "anything-but": 1 }, "runningTasksCount")).toBe(false);
    expect(ok({ "anything-but": [2, 3] }, "runningTasksCount")).toBe(true);
    expect(ok({ "anything-but": { numeric: [">", 0] } }, "runningTasksCount")).toBe(false);
    // A missing field has no value to differ: anything-but does not match absence.
    expect(ok({ "anything-but": "x" }, "missing")).toBe(false);
  });

  it("numeric ranges and equality", () => {
    const count = (numeric: unknown[]) => ok({ numeric }, "runningTasksCount");
    expect(count([">", 0, "<=", 1])).toBe(true);
    expect(count([">", 1])).toBe(false);
    expect(count(["=", 1])).toBe(true);
    expect(count([">=", 2, "<", 10])).toBe(false);
    expect(ok({ numeric: [">", 0] }, "status")).toBe(false);
  });

  it("exists true and false, including null values and empty arrays", () => {
    expect(ok({ exists: true })).toBe(true);
    expect(ok({ exists: false })).toBe(false);
    expect(ok({ exists: false }, "missing")).toBe(true);
    expect(ok({ exists: true }, "missing")).toBe(false);
    expect(ok({ exists: true }, "nothing")).toBe(true);
    expect(matchesPattern({ list: [{ exists: false }] }, { list: [] })).toBe(true);
    expect(
      matchesPattern({ detail: { absentParent: { child: [{ exists: false }] } } }, { detail: {} }),
    ).toBe(true);
  });

  it("cidr blocks over IPv4 addresses", () => {
    expect(ok({ cidr: "10.0.0.0/24" }, "sourceIp")).toBe(true);
    expect(ok({ cidr: "10.0.1.0/24" }, "sourceIp")).toBe(false);
    expect(ok({ cidr: "0.0.0.0/0" }, "sourceIp")).toBe(true);
    expect(ok({ cidr: "10.0.0.17/32" }, "sourceIp")).toBe(true);
    expect(ok({ cidr: "10.0.0.0/8" }, "status")).toBe(false);
  });

  it("compilePattern gives the same answers as matchesPattern", () => {
    const pattern = { source: ["aws.ecs"], detail: { status: [{ prefix: "ACT" }] } };
    const compiled = compilePattern(pattern);
    expect(compiled(containerInstanceEvent)).toBe(true);
    expect(compiled({ source: "aws.ecs" })).toBe(false);
    expect(compiled("not an event")).toBe(false);
  });
});

describe("matchesPattern: patterns as EventBridge stores them, and malformed ones", () => {
  it("accepts a JSON string pattern as EventBridge stores it", () => {
    expect(isValidEventPattern('{"source":["aws.ecs"]}')).toBe(true);
    expect(matchesPattern('{"source":["aws.ecs"]}', containerInstanceEvent)).toBe(true);
  });

  it("throws rather than answering false for a malformed pattern", () => {
    expect(() => matchesPattern({ source: "aws.ecs" }, containerInstanceEvent)).toThrow(
      InvalidEventPatternError,
    );
  });
});
