import autocannon from "autocannon";
import type { LoadRun, LoadRunOptions } from "./load";

/** A closed-loop run with autocannon, reduced to the runner's LoadRun. */
export async function runClosedLoop(options: LoadRunOptions): Promise<LoadRun> {
  const raw = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds,
  });
  return {
    total: raw.requests.total,
    ok: raw["2xx"],
    non2xx: raw.non2xx,
    // autocannon counts a timeout as an error too, as LoadRun does.
    errors: raw.errors,
    timeouts: raw.timeouts,
    bytes: raw.throughput.total,
    latencyMs: {
      p50: raw.latency.p50,
      p90: raw.latency.p90,
      p99: raw.latency.p99,
      max: raw.latency.max,
    },
    durationSeconds: raw.duration,
  };
}
