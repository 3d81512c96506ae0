/**
 * agent — the per-host daemon (AgentService, one task per container instance). It logs
 * which host it runs on every REPORT_INTERVAL_MS and exits 0 promptly on SIGTERM.
 *
 * Environment: REPORT_INTERVAL_MS (30000); host identity as described in ./host.ts.
 */
import { configure, exitOnSignal, log, numberFromEnv } from "../../lib/runtime";
import { describeHost } from "./host";

const config = configure(() => ({
  intervalMs: numberFromEnv(process.env, "REPORT_INTERVAL_MS", 30_000, { min: 10, integer: true }),
}));

async function report(): Promise<void> {
  const host = await describeHost(process.env, (source, error) =>
    log("warn", "host metadata unavailable", { source, error: String(error) }),
  );
  log("info", "agent host", { ...host });
}

const timer = setInterval(() => void report(), config.intervalMs);
exitOnSignal("agent", () => clearInterval(timer), 2_000);
await report();
