/**
 * worker — the P1/P2 task the priority scaler scales. It does a little CPU work every
 * WORK_INTERVAL_MS and, unlike the original demo's containers, exits 0 at once on
 * SIGTERM instead of being SIGKILLed (exit 137) at every scale-in.
 *
 * Environment: PRIORITY (e.g. "high" / "low"; logged), WORK_INTERVAL_MS (1000),
 * WORK_UNITS (200 hash rounds per cycle), LOG_EVERY (60 cycles).
 */
import { createHash } from "node:crypto";
import { configure, exitOnSignal, log, numberFromEnv, stringFromEnv } from "../../lib/runtime";

const config = configure(() => ({
  priority: stringFromEnv(process.env, "PRIORITY", "unspecified"),
  intervalMs: numberFromEnv(process.env, "WORK_INTERVAL_MS", 1000, { min: 1, integer: true }),
  units: numberFromEnv(process.env, "WORK_UNITS", 200, { min: 0, integer: true }),
  logEvery: numberFromEnv(process.env, "LOG_EVERY", 60, { min: 1, integer: true }),
}));

/** Light, bounded CPU work: repeated hashing, small enough never to delay the SIGTERM handler much. */
function doWork(seed: number): string {
  let digest = String(seed);
  for (let unit = 0; unit < config.units; unit += 1) {
    digest = createHash("sha256").update(digest).digest("hex");
  }
  return digest;
}

let cycles = 0;
const timer = setInterval(() => {
  cycles += 1;
  const digest = doWork(cycles);
  if (cycles % config.logEvery === 0) {
    log("info", "worker cycles", { priority: config.priority, cycles, digest: digest.slice(0, 8) });
  }
}, config.intervalMs);

exitOnSignal("worker", () => clearInterval(timer), 2_000);
log("info", "worker started", {
  priority: config.priority,
  intervalMs: config.intervalMs,
  pid: process.pid,
});
