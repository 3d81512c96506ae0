import {
  type ConsolidationStep,
  Observer,
  type Snapshot,
  withinCapacity,
  withinDecidedCapacity,
} from "./observe";
import type { LocalSystem } from "./system";

/**
 * Samples the system on a fixed period: the time series for the report, the safety
 * check on every sample, and the one place waits look at (a wait is a condition on
 * the next samples with a deadline — never a fixed sleep).
 */
export class Recorder {
  readonly timeline: Snapshot[] = [];
  /** Samples outside withinCapacity as taken, with when (epoch ms): see `overCapacity`. */
  private readonly outside: { snapshot: Snapshot; at: number }[] = [];
  private readonly observer: Observer;
  private timer: NodeJS.Timeout | undefined;
  private waiters: ((snapshot: Snapshot) => void)[] = [];
  private sampling: Promise<void> | undefined;
  private last: Snapshot | undefined;

  constructor(
    system: LocalSystem,
    private readonly intervalMs = 200,
  ) {
    this.observer = new Observer(system);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    void this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.observer.stop();
  }

  /** Every host the host consolidator terminated so far, on the timeline's clock. */
  get consolidations(): readonly ConsolidationStep[] {
    return this.observer.consolidations;
  }

  /** The host consolidator's latest round in the cluster: why it kept or chose each host. */
  get latestConsolidatorRound(): { t: number; reasons: string[] } | undefined {
    return this.observer.latestRound;
  }

  /**
   * Samples where P2 desired exceeded what capacity leaves after P1, even by the capacity
   * of a scaler decision in flight when the sample was taken (withinDecidedCapacity).
   */
  get overCapacity(): Snapshot[] {
    this.observer.followControllers();
    const decisions = this.observer.scalerDecisions;
    return this.outside
      .filter(({ snapshot, at }) => !withinDecidedCapacity(snapshot, at, decisions))
      .map(({ snapshot }) => snapshot);
  }

  get latest(): Snapshot | undefined {
    return this.last;
  }

  /** Takes one sample now (coalescing with one already being taken). */
  sample(): Promise<void> {
    // The ECS counts are read at once, before the snapshot's first await.
    const at = Date.now();
    this.sampling ??= this.observer
      .snapshot()
      .then((snapshot) => {
        this.last = snapshot;
        this.timeline.push(snapshot);
        if (!withinCapacity(snapshot)) this.outside.push({ snapshot, at });
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve(snapshot);
      })
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  next(): Promise<Snapshot> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Resolves with the first sample that satisfies `condition`, or with the last one
   * when `deadlineMs` passes (`ok` false): the caller reports what did not converge.
   */
  async until(
    condition: (snapshot: Snapshot) => boolean,
    deadlineMs: number,
    onSample?: (snapshot: Snapshot) => void,
  ): Promise<{ ok: boolean; snapshot: Snapshot; seconds: number }> {
    const started = Date.now();
    for (;;) {
      const snapshot = await this.next();
      onSample?.(snapshot);
      const seconds = (Date.now() - started) / 1000;
      if (condition(snapshot)) return { ok: true, snapshot, seconds };
      if (Date.now() - started > deadlineMs) return { ok: false, snapshot, seconds };
    }
  }
}
