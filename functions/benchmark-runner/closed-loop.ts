import { connectionPool } from "./connections";
import type { LoadRun, LoadRunOptions } from "./load";
import { Tally } from "./tally";

/**
 * A closed-loop run, as ab and wrk drive one: every connection sends its next request
 * the moment the previous one settled, so the target sets the pace; pipelined, each keeps
 * `pipelining` in flight. Latency is from when each request was sent. Answers still in
 * flight when the run ends are dropped.
 */
export async function runClosedLoop(options: LoadRunOptions): Promise<LoadRun> {
  const tally = new Tally();
  let measuring = true;
  const pool = connectionPool(options, {
    settled(connection, outcome, sinceMs, atMs) {
      if (!measuring) return;
      tally.record(outcome, atMs - sinceMs);
      connection.send(atMs);
    },
    received(bytes) {
      if (measuring) tally.received(bytes);
    },
  });
  const start = performance.now();
  for (const connection of pool.connections) {
    for (let request = 0; request < options.pipelining; request++) connection.send(start);
  }
  await new Promise((resolve) => setTimeout(resolve, options.durationSeconds * 1000));
  measuring = false;
  const durationSeconds = (performance.now() - start) / 1000;
  pool.close();
  return tally.figures(durationSeconds);
}
