import { randomUUID } from "node:crypto";
import { LocalClock } from "../clock";
import { nextFireTime, parseScheduleExpression, type Schedule } from "./expression";

/**
 * Runs schedule rules on the local cloud's clock, which can go faster than real time,
 * so the demo sees a `rate(1 minute)` rule fire every second at ×60. Events carry the
 * schedule's (simulated) time, in the shape EventBridge delivers.
 */

export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

export interface ScheduleRule {
  /** The rule's name, for messages. */
  name: string;
  ruleArn: string;
  expression: string;
  /** Receives each event; a rejection is reported to `onError`, never stops the schedule. */
  target(event: ScheduledEvent): unknown;
}

export interface SchedulerOptions {
  account: string;
  region: string;
  /** Default: a real-time clock of its own. */
  clock?: LocalClock;
  onError?(rule: ScheduleRule, error: unknown): void;
}

interface Running {
  rule: ScheduleRule;
  schedule: Schedule;
  anchor: number;
  timer?: unknown;
  fired: number;
  enabled: boolean;
}

/** EventBridge timestamps are to the second, no fraction. */
function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export class Scheduler {
  private readonly clock: LocalClock;
  private readonly running: Running[] = [];
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? new LocalClock();
  }

  /** Validates the expression at once (a bad rule fails at boot) and starts it. */
  add(rule: ScheduleRule): void {
    const schedule = parseScheduleExpression(rule.expression);
    const entry: Running = { rule, schedule, anchor: this.clock.now(), fired: 0, enabled: true };
    this.running.push(entry);
    this.arm(entry);
  }

  /** The rules' names, in the order they were added. */
  ruleNames(): string[] {
    return this.running.map((entry) => entry.rule.name);
  }

  /** How many times each rule fired, by name. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.running.map((entry) => [entry.rule.name, entry.fired]));
  }

  /**
   * EventBridge's DisableRule / EnableRule: a disabled rule keeps its schedule but
   * delivers nothing. Rules are named `<FunctionLogicalId>.<EventName>`.
   */
  setEnabled(name: string, enabled: boolean): void {
    const entry = this.running.find((candidate) => candidate.rule.name === name);
    if (entry === undefined) throw new Error(`no schedule rule ${name}`);
    entry.enabled = enabled;
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.running) {
      if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    }
  }

  private arm(entry: Running): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const at = nextFireTime(entry.schedule, now, entry.anchor);
    entry.timer = this.clock.setTimer(() => {
      entry.timer = undefined;
      this.fire(entry, at);
      this.arm(entry);
    }, at - now);
  }

  private fire(entry: Running, at: number): void {
    if (this.stopped || !entry.enabled) return;
    entry.fired++;
    const event: ScheduledEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: this.options.account,
      time: eventTime(at),
      region: this.options.region,
      resources: [entry.rule.ruleArn],
      detail: {},
    };
    const report = (error: unknown) => this.options.onError?.(entry.rule, error);
    try {
      const result = entry.rule.target(event);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  }
}
