/**
 * backend — the flaky dependency. Every request but `/health` waits LATENCY_MS and then
 * fails with a 500 with probability FAILURE_RATE: the original demo's backend failed 2%.
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

await serve("backend", config.port, async (request, response) => {
  const path = new URL(request.url ?? "/", "http://backend").pathname;
  // The health check never fails: the point is a healthy task behind a flaky API.
  if (path === "/health") return sendJson(response, 200, { status: "ok" });
  if (config.latencyMs > 0) await sleep(config.latencyMs);
  if (Math.random() < config.failureRate) {
    return sendJson(response, 500, { service: "backend", error: "injected failure" });
  }
  sendJson(response, 200, { service: "backend", host, at: Date.now() });
});
