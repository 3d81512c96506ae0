import { describe, expect, it } from "vitest";
import {
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
} from "../../../../local/schedules/expression";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("parseScheduleExpression: rate", () => {
  it.each([
    ["rate(1 minute)", 60_000],
    ["rate(5 minutes)", 300_000],
    ["rate(1 hour)", 3_600_000],
    ["rate(2 days)", 172_800_000],
  ])("%s has a period of %d ms", (expression, periodMs) => {
    expect(parseScheduleExpression(expression)).toMatchObject({ kind: "rate", periodMs });
  });

  it.each(["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 seconds)", "rate(x)"])(
    "rejects %s",
    (expression) => {
      expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
    },
  );

  it("fires every period after the rule was created", () => {
    const schedule = parseScheduleExpression("rate(5 minutes)");
    const anchor = at("2026-01-01T00:00:30Z");
    expect(iso(nextFireTime(schedule, anchor, anchor))).toBe("2026-01-01T00:05:30.000Z");
    expect(iso(nextFireTime(schedule, at("2026-01-01T00:05:30Z"), anchor))).toBe(
      "2026-01-01T00:10:30.000Z",
    );
  });
});

describe("parseScheduleExpression: cron", () => {
  const next = (expression: string, after: string) =>
    iso(nextFireTime(parseScheduleExpression(expression), at(after)));

  it("every minute, every 5 minutes, and offset steps", () => {
    expect(next("cron(* * * * ? *)", "2026-01-01T00:00:30Z")).toBe("2026-01-01T00:01:00.000Z");
    expect(next("cron(0/5 * * * ? *)", "2026-01-01T00:01:00Z")).toBe("2026-01-01T00:05:00.000Z");
    expect(next("cron(3/15 * * * ? *)", "2026-01-01T00:04:00Z")).toBe("2026-01-01T00:18:00.000Z");
  });

  it("lists, ranges and named days of the week (1 = SUN)", () => {
    // 2026-01-03 is a Saturday: the next weekday 08:00 is Monday the 5th.
    expect(next("cron(0 8 ? * MON-FRI *)", "2026-01-03T09:00:00Z")).toBe(
      "2026-01-05T08:00:00.000Z",
    );
    expect(next("cron(0 8 ? * 1 *)", "2026-01-03T09:00:00Z")).toBe("2026-01-04T08:00:00.000Z");
    expect(next("cron(15,45 10-11 * * ? *)", "2026-01-01T10:20:00Z")).toBe(
      "2026-01-01T10:45:00.000Z",
    );
  });

  it("day of month, named months and years", () => {
    expect(next("cron(0 0 1 JUL ? *)", "2026-01-01T00:00:00Z")).toBe("2026-07-01T00:00:00.000Z");
    expect(next("cron(0 12 31 * ? *)", "2026-02-01T00:00:00Z")).toBe("2026-03-31T12:00:00.000Z");
    expect(next("cron(0 0 1 1 ? 2028)", "2026-05-01T00:00:00Z")).toBe("2028-01-01T00:00:00.000Z");
    expect(() => next("cron(0 0 1 1 ? 2020)", "2026-05-01T00:00:00Z")).toThrow(/never fires/);
  });

  it.each([
    ["five fields", "cron(0 8 * * ?)"],
    ["both day fields set", "cron(0 8 * * MON *)"],
    ["neither day field ?", "cron(0 8 ? * ? *)"],
    ["minute 60", "cron(60 * * * ? *)"],
    ["a backwards range", "cron(0 5-3 * * ? *)"],
    ["a zero step", "cron(0/0 * * * ? *)"],
    ["an unknown name", "cron(0 0 ? * FUNDAY *)"],
  ])("rejects %s", (_name, expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
  });

  it.each([
    "cron(0 0 L * ? *)",
    "cron(0 0 15W * ? *)",
    "cron(0 0 ? * 6#3 *)",
    "cron(0 0 ? * 6L *)",
  ])("rejects %s as valid on AWS but unsupported locally", (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(/not supported by the local/);
  });

  it("does not mistake the W in WED or the L in JUL for modifiers", () => {
    expect(() => parseScheduleExpression("cron(0 0 ? JUL WED *)")).not.toThrow();
  });
});
