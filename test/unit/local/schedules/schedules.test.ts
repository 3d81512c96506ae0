import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import {
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
} from "../../../../local/schedules/expression";
import { type ScheduledEvent, Scheduler } from "../../../../local/schedules/scheduler";
import { ManualTimers } from "../../../support/manual-timers";

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

describe("Scheduler", () => {
  const options = (timers: ManualTimers, timeScale = 1) => ({
    account: "000000000000",
    region: "us-east-1",
    clock: new LocalClock({ timers, timeScale }),
  });

  it("delivers nothing while a rule is disabled, and keeps its period when enabled again", () => {
    // Prepare
    const timers = new ManualTimers(at("2026-01-01T00:00:00Z"));
    const scheduler = new Scheduler(options(timers));
    const times: string[] = [];
    scheduler.add({
      name: "DemandRandomizerFunction.Tick",
      ruleArn: "arn:aws:events:us-east-1:000000000000:rule/tick",
      expression: "rate(1 minute)",
      target: (event) => times.push(event.time),
    });

    // Act
    timers.advance(60_000);
    scheduler.setEnabled("DemandRandomizerFunction.Tick", false);
    timers.advance(2 * 60_000);
    scheduler.setEnabled("DemandRandomizerFunction.Tick", true);
    timers.advance(60_000);
    scheduler.stop();

    // Assess
    expect(times).toEqual(["2026-01-01T00:01:00Z", "2026-01-01T00:04:00Z"]);
    expect(() => scheduler.setEnabled("Nope", false)).toThrow(/no schedule rule Nope/);
  });

  it("delivers the Scheduled Event shape on each period", () => {
    // Prepare
    const timers = new ManualTimers(at("2026-01-01T00:00:00Z"));
    const scheduler = new Scheduler(options(timers));
    const events: ScheduledEvent[] = [];
    const ruleArn = "arn:aws:events:us-east-1:000000000000:rule/demand";

    // Act
    scheduler.add({
      name: "demand",
      ruleArn,
      expression: "rate(1 minute)",
      target: (event) => events.push(event),
    });
    timers.advance(3 * 60_000);
    scheduler.stop();

    // Assess
    expect(events.map((event) => event.time)).toEqual([
      "2026-01-01T00:01:00Z",
      "2026-01-01T00:02:00Z",
      "2026-01-01T00:03:00Z",
    ]);
    expect(events[0]).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: "2026-01-01T00:01:00Z",
      region: "us-east-1",
      resources: [ruleArn],
      detail: {},
    });
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
    expect(timers.pending).toBe(0);
  });

  it("runs faster with a time scale: rate(1 minute) at 60× fires every real second", () => {
    const timers = new ManualTimers(at("2026-01-01T00:00:00Z"));
    const scheduler = new Scheduler(options(timers, 60));
    const times: string[] = [];
    scheduler.add({
      name: "fast",
      ruleArn: "arn:fast",
      expression: "rate(1 minute)",
      target: (event) => times.push(event.time),
    });

    timers.advance(5_000);
    scheduler.stop();

    expect(times).toHaveLength(5);
    expect(times[4]).toBe("2026-01-01T00:05:00Z");
    expect(scheduler.counts()).toEqual({ fast: 5 });
  });

  it("fires cron rules on matching minutes of simulated time", () => {
    const timers = new ManualTimers(at("2026-01-01T00:00:00Z"));
    const scheduler = new Scheduler(options(timers, 600));
    const times: string[] = [];
    scheduler.add({
      name: "hourly",
      ruleArn: "arn:hourly",
      expression: "cron(0 * * * ? *)",
      target: (event) => times.push(event.time),
    });

    timers.advance((3 * 3_600_000) / 600);
    scheduler.stop();

    expect(times).toEqual(["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"]);
  });

  it("reports a failing target and keeps the schedule going", async () => {
    const timers = new ManualTimers();
    const errors: string[] = [];
    const scheduler = new Scheduler({
      ...options(timers),
      onError: (rule, error) => errors.push(`${rule.name}: ${(error as Error).message}`),
    });
    let calls = 0;
    scheduler.add({
      name: "flaky",
      ruleArn: "arn:flaky",
      expression: "rate(1 minute)",
      target: () => {
        calls++;
        return Promise.reject(new Error("boom"));
      },
    });

    timers.advance(120_000);
    scheduler.stop();
    await Promise.resolve();

    expect(calls).toBe(2);
    expect(errors).toEqual(["flaky: boom", "flaky: boom"]);
  });

  it("rejects a bad expression when the rule is added", () => {
    const scheduler = new Scheduler(options(new ManualTimers()));
    expect(() =>
      scheduler.add({ name: "bad", ruleArn: "arn", expression: "rate(1 minutes)", target() {} }),
    ).toThrow(InvalidScheduleExpressionError);
  });
});
