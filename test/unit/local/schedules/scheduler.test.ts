import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import { InvalidScheduleExpressionError } from "../../../../local/schedules/expression";
import { type ScheduledEvent, Scheduler } from "../../../../local/schedules/scheduler";
import { ManualTimers } from "../../../support/manual-timers";

const at = (iso: string) => Date.parse(iso);

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
