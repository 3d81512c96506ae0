import { randomUUID } from "node:crypto";
import { nextFireTime, parseScheduleExpression, type Schedule } from "./expression";

/**
 * Runs schedule rules on a clock that can go faster than real time, so the demo
 * sees a `rate(1 minute)` rule fire every second with `timeScale: 60`. Events
 * carry the schedule's (simulated) time, in the shape EventBridge delivers.
 */

/** The timers the scheduler needs; tests pass a ManualClock. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    // A schedule alone should never keep the process alive.
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A clock that moves only when told to; `advance` fires due timers in time order. */
export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, delayMs), callback });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.current = due[1].at;
      due[1].callback();
    }
    this.current = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

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
  clock?: Clock;
  /** Simulated seconds per real second; 1 is real time. */
  timeScale?: number;
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
  private readonly clock: Clock;
  private readonly timeScale: number;
  private readonly startReal: number;
  private readonly running: Running[] = [];
  private stopped = false;

  constructor(
    private readonly options: SchedulerOptions,
    /** Simulated time at start; defaults to the clock's now. */
    private readonly startSimulated?: number,
  ) {
    this.clock = options.clock ?? systemClock;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new RangeError("timeScale must be positive");
    this.startReal = this.clock.now();
  }

  /** Simulated now: real time elapsed since start, times the scale. */
  now(): number {
    const start = this.startSimulated ?? this.startReal;
    return start + (this.clock.now() - this.startReal) * this.timeScale;
  }

  /** Validates the expression at once (a bad rule fails at boot) and starts it. */
  add(rule: ScheduleRule): void {
    const schedule = parseScheduleExpression(rule.expression);
    const entry: Running = { rule, schedule, anchor: this.now(), fired: 0, enabled: true };
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
    const now = this.now();
    const at = nextFireTime(entry.schedule, now, entry.anchor);
    const delay = Math.max(0, Math.ceil((at - now) / this.timeScale));
    entry.timer = this.clock.setTimer(() => {
      entry.timer = undefined;
      this.fire(entry, at);
      this.arm(entry);
    }, delay);
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
