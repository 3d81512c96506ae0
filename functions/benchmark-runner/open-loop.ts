import { Agent, type IncomingMessage, request } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { build as buildHistogram } from "hdr-histogram-js";
import type { LoadRun, LoadRunOptions } from "./load";

/**
 * An open-loop load run, the way wrk2 drives one: request i is due at
 * start + i / rate whatever the server does, and its latency is measured from when it
 * was due, not from when a free connection finally sent it. A server that stalls
 * shows the stall in every request that waited behind it, instead of in one slow
 * sample (coordinated omission).
 *
 * autocannon's own `overallRate` does not do this (v9, lib/httpClient.js and
 * lib/run.js): each connection sends its per-second quota back to back and pauses
 * until the next second, and the histogram is "corrected" with an expected interval
 * of `Math.ceil(1 / rate)` — seconds, where its latencies are milliseconds, so
 * always 1 ms.
 */

export type OpenLoopOptions = LoadRunOptions & { ratePerSecond: number };

/** The scheduler wakes this often to send what has fallen due (timers are no finer than ~1 ms). */
const TICK_MS = 1;

const round2 = (value: number) => Math.round(value * 100) / 100;

export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadRun & { unsent: number }> {
  const target = new URL(options.url);
  const secure = target.protocol === "https:";
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets: options.connections })
    : new Agent({ keepAlive: true, maxSockets: options.connections });
  const send = secure ? httpsRequest : request;
  // Microseconds up to an hour, three significant digits, as wrk2 keeps them.
  const histogram = buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const counts = { total: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, bytes: 0 };
  const intervalMs = 1000 / options.ratePerSecond;
  const durationMs = options.durationSeconds * 1000;
  const dueInRun = Math.ceil(durationMs / intervalMs);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let finished = false;
  const start = performance.now();
  const dueNow = () => Math.min(Math.floor((performance.now() - start) / intervalMs) + 1, dueInRun);

  /** One request due at `dueAt`; figures count only while the run lasts. */
  const sendOne = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const fail = (timedOut: boolean) => {
        if (!finished) {
          counts.errors += 1;
          if (timedOut) counts.timeouts += 1;
        }
        resolve();
      };
      const answered = (response: IncomingMessage) => {
        response.on("data", (chunk: Buffer) => {
          if (!finished) counts.bytes += chunk.length;
        });
        response.on("error", () => fail(false));
        response.on("end", () => {
          if (!finished) {
            const status = response.statusCode ?? 0;
            counts.total += 1;
            if (status >= 200 && status < 300) {
              counts.ok += 1;
              histogram.recordValue(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
            } else {
              counts.non2xx += 1;
            }
          }
          resolve();
        });
      };
      let timedOut = false;
      const outgoing = send(target, { agent, timeout: options.timeoutSeconds * 1000 }, answered);
      outgoing.on("timeout", () => {
        timedOut = true;
        outgoing.destroy();
      });
      outgoing.on("error", () => fail(timedOut));
      outgoing.end();
    });

  /** Sends every request that is due while a connection is free. */
  const pump = () => {
    if (finished) return;
    for (const due = dueNow(); sent < due && inFlight.size < options.connections; sent++) {
      const pending = sendOne(start + sent * intervalMs).then(() => {
        inFlight.delete(pending);
        pump();
      });
      inFlight.add(pending);
    }
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      pump();
      if (performance.now() - start >= durationMs) resolve();
      else setTimeout(tick, TICK_MS);
    };
    tick();
  });
  finished = true;
  const durationSeconds = (performance.now() - start) / 1000;
  // Requests still in flight belong to no second of the run: drop them, as wrk2 does.
  agent.destroy();
  await Promise.all(inFlight);
  return {
    ...counts,
    unsent: dueInRun - sent,
    latencyMs: {
      p50: round2(histogram.getValueAtPercentile(50) / 1000),
      p90: round2(histogram.getValueAtPercentile(90) / 1000),
      p99: round2(histogram.getValueAtPercentile(99) / 1000),
      max: round2(histogram.maxValue / 1000),
    },
    durationSeconds: round2(durationSeconds),
  };
}
