import { runClosedLoop } from "./closed-loop";
import { runOpenLoop } from "./open-loop";

/**
 * One load run, whichever way it is driven: closed loop (each connection sends its
 * next request when the previous one is answered, as ab and autocannon do) or open
 * loop (requests fall due at a constant rate, as wrk2 sends them).
 */

export interface LoadRunOptions {
  url: string;
  connections: number;
  /** Requests in flight on each connection at once: 1 is one at a time, as ab sends them. */
  pipelining: number;
  durationSeconds: number;
  timeoutSeconds: number;
  /** Set: an open-loop run at this many requests per second. */
  ratePerSecond?: number;
}

export interface LoadRun {
  /** Responses received, 2xx and not. */
  total: number;
  ok: number;
  non2xx: number;
  /** Requests that got no response, timeouts among them. */
  errors: number;
  timeouts: number;
  bytes: number;
  /** Latency of 2xx responses; in an open-loop run, from when each request was due. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  durationSeconds: number;
  /** Open loop only: requests that fell due but were never sent because every connection stayed busy. */
  unsent?: number;
}

export type LoadGenerator = (options: LoadRunOptions) => Promise<LoadRun>;

export const load: LoadGenerator = (options) =>
  options.ratePerSecond === undefined
    ? runClosedLoop(options)
    : runOpenLoop({ ...options, ratePerSecond: options.ratePerSecond });
