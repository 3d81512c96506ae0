import { createHistogram } from "node:perf_hooks";
import type { Outcome } from "./http-connection";
import type { LoadRun } from "./load";

/**
 * The figures of one load run as its requests settle: counts, bytes, and the latency of
 * every 2xx answer in an HDR histogram. Node's own (perf_hooks.createHistogram, the C
 * HdrHistogram) rather than hdr-histogram-js, which cost about 60 ms of cold start to
 * import (docs/performance.md).
 */
export class Tally {
  private total = 0;
  private ok = 0;
  private non2xx = 0;
  private errors = 0;
  private timeouts = 0;
  private bytes = 0;
  // Microseconds up to an hour, three significant digits, as wrk2 keeps them.
  private readonly latency = createHistogram({
    lowest: 1,
    highest: 3_600_000_000,
    figures: 3,
  });

  /** A request settled: `latencyMs` is from when it was due (open loop) or sent (closed loop). */
  record(outcome: Outcome, latencyMs: number): void {
    if ("failed" in outcome) {
      // A request that got no answer is an error, a timeout one kind of it (LoadRun).
      this.errors += 1;
      if (outcome.failed === "timeout") this.timeouts += 1;
      return;
    }
    this.total += 1;
    if (outcome.status >= 200 && outcome.status < 300) {
      this.ok += 1;
      this.latency.record(Math.max(1, Math.round(latencyMs * 1000)));
    } else {
      this.non2xx += 1;
    }
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }

  /** The run's LoadRun, over the `durationSeconds` it lasted. */
  figures(durationSeconds: number): LoadRun {
    const ms = (microseconds: number) => round2(microseconds / 1000);
    const answered = this.latency.count > 0;
    return {
      total: this.total,
      ok: this.ok,
      non2xx: this.non2xx,
      errors: this.errors,
      timeouts: this.timeouts,
      bytes: this.bytes,
      latencyMs: {
        p50: answered ? ms(this.latency.percentile(50)) : 0,
        p90: answered ? ms(this.latency.percentile(90)) : 0,
        p99: answered ? ms(this.latency.percentile(99)) : 0,
        max: answered ? ms(this.latency.max) : 0,
      },
      durationSeconds: round2(durationSeconds),
    };
  }
}

export const round2 = (value: number) => Math.round(value * 100) / 100;
