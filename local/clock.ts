/**
 * The local cloud's one clock. The demo runs faster than real time — `timeScale`
 * simulated seconds pass in one real second — so at ×30 a `rate(1 minute)` schedule
 * fires every two seconds, a target group's 10 s health check interval lasts a third of
 * a second and a state machine's 60 s Wait lasts two. Every part that waits for a
 * duration AWS states in seconds (schedules, health checks, Wait and Retry intervals,
 * the state machine's `…Seconds` substitutions) asks this clock how long that is in real
 * time; nothing else divides by the scale.
 */

/** Real-time timers; tests pass ones that move only when told to. */
export interface Timers {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    // A simulated wait alone (a schedule, say) should never keep the process alive.
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LocalClockOptions {
  /** Simulated seconds per real second; 1 (the default) is real time. */
  timeScale?: number;
  timers?: Timers;
}

export class LocalClock {
  readonly timeScale: number;
  private readonly timers: Timers;
  private readonly startedAt: number;

  constructor(options: LocalClockOptions = {}) {
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0 && Number.isFinite(this.timeScale))) {
      throw new RangeError(`timeScale must be a positive number, got ${options.timeScale}`);
    }
    this.timers = options.timers ?? realTimers;
    this.startedAt = this.timers.now();
  }

  /** Simulated now (epoch ms): the clock's start plus real time since, times the scale. */
  now(): number {
    return this.startedAt + (this.timers.now() - this.startedAt) * this.timeScale;
  }

  /** How many real milliseconds `seconds` of simulated time last. */
  realMs(seconds: number): number {
    return (seconds * 1000) / this.timeScale;
  }

  /**
   * `seconds` of simulated time as whole real seconds, at least 1: for durations that
   * reach a state machine as numbers (`SecondsPath`), which take whole seconds only.
   */
  realWholeSeconds(seconds: number): number {
    return Math.max(1, Math.round(seconds / this.timeScale));
  }

  /** Calls `callback` once `simulatedMs` of simulated time has passed. */
  setTimer(callback: () => void, simulatedMs: number): unknown {
    return this.timers.setTimer(callback, Math.max(0, Math.ceil(simulatedMs / this.timeScale)));
  }

  clearTimer(handle: unknown): void {
    this.timers.clearTimer(handle);
  }
}
