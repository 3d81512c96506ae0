/**
 * backend — the flaky dependency. Every request but `/health` waits LATENCY_MS, and
 * FAILURE_RATE of them fail with a 500: the original demo's backend failed 2%.
 *
 * The failures are spread evenly (request n fails when ⌊n × rate + ½⌋ grows), not drawn
 * at random: a short benchmark sees the rate itself, not the luck of its draws. Drawn
 * at random, the few hundred requests of a 2 s run on a loaded machine saw under 1 %,
 * and passed the 1 % gate meant to refuse them, in 2 of 8 runs of the system test.
 *
 * Environment: PORT (8080), FAILURE_RATE (0.02, 0..1), LATENCY_MS (5).
 */
import { hostname } from "node:os";
import { sendJson, serve } from "../../lib/http";
import { configure, numberFromEnv } from "../../lib/runtime";

const config = configure(() => ({
  port: numberFromEnv(process.env, "PORT", 8080, { min: 0, max: 65_535, integer: true }),
  failureRate: numberFromEnv(process.env, "FAILURE_RATE", 0.02, { min: 0, max: 1 }),
  latencyMs: numberFromEnv(process.env, "LATENCY_MS", 5, { min: 0 }),
}));

const host = hostname();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let served = 0;
const failuresAfter = (requests: number) => Math.floor(requests * config.failureRate + 0.5);
/** Whether the next request is one of the FAILURE_RATE that fail, evenly spaced. */
function failsNext(): boolean {
  served += 1;
  return failuresAfter(served) > failuresAfter(served - 1);
}

await serve("backend", config.port, async (request, response) => {
  const path = new URL(request.url ?? "/", "http://backend").pathname;
  // The health check never fails: the point is a healthy task behind a flaky API.
  if (path === "/health") return sendJson(response, 200, { status: "ok" });
  if (config.latencyMs > 0) await sleep(config.latencyMs);
  if (failsNext()) {
    return sendJson(response, 500, { service: "backend", error: "injected failure" });
  }
  sendJson(response, 200, { service: "backend", host, at: Date.now() });
});
