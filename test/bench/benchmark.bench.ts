/**
 * `npm run bench benchmark`: the figures behind deploy-and-benchmark.
 *
 * 1. BenchmarkRunnerFunction (autocannon) against ApacheBench (`ab -k`) on the same local
 *    target, one after the other in one run: requests/s and their ratio, so the runner's
 *    numbers can be read next to the original demo's ApacheBench figures.
 * 2. The web + backend pair with the backend failing 2% of calls: requests/s and success
 *    rate with the web's retries, and without them (BACKEND_RETRIES=0) for contrast.
 *
 * Targets run as separate processes (the workloads' own bundles), so the load generator
 * never shares an event loop with the server it measures.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { bundleAll, startServer, stopAll, type Workload } from "../unit/containers/processes";

const exec = promisify(execFile);

const DURATION_SECONDS = 5;
const WARMUP_SECONDS = 1;
const CONNECTIONS = 10;

// Quiet Powertools before the handler module creates its Logger and Metrics: the table is the output.
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
const { handler: benchmarkRunner } = await import("../../functions/benchmark-runner/index");
const { lambdaContext } = await import("../support/events");

/** The runner as Lambda would call it, with time to spare. */
async function autocannonFigures(url: string) {
  return benchmarkRunner(
    {
      url,
      durationSeconds: DURATION_SECONDS,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
    },
    lambdaContext({ remainingMs: 120_000 }),
  );
}

/** False when ApacheBench (Debian apache2-utils) is not installed. */
async function abAvailable(): Promise<boolean> {
  try {
    await exec("ab", ["-V"]);
    return true;
  } catch {
    return false;
  }
}

/** `ab -k`, time-bound like the runner (with its own warm-up run, discarded). */
async function abFigures(url: string) {
  // -t implies -n 50000 unless a later -n lifts it: the run must be bound by time, not count.
  const common = (seconds: number) => [
    ...["-k", "-q", "-c", String(CONNECTIONS), "-s", "10"],
    ...["-t", String(seconds), "-n", "100000000"],
  ];
  await exec("ab", [...common(WARMUP_SECONDS), url], { maxBuffer: 1 << 20 });
  const { stdout } = await exec("ab", [...common(DURATION_SECONDS), url], {
    maxBuffer: 1 << 20,
  });
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  return {
    requestsPerSecond: number(/Requests per second:\s+([\d.]+)/),
    completed: number(/Complete requests:\s+(\d+)/),
    failed: number(/Failed requests:\s+(\d+)/),
    non2xx: Number(/Non-2xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0),
  };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

export async function run(): Promise<void> {
  const { bundles, cleanup } = await bundleAll(["web", "backend"]);
  const started: Workload[] = [];
  const server = async (name: string, env: Record<string, string>) => {
    const workload = await startServer(bundles.get(name) as string, env);
    started.push(workload);
    return `http://127.0.0.1:${workload.port}/`;
  };
  try {
    // 1. runner vs ab on a target that always answers 200 at once
    const target = await server("backend", { FAILURE_RATE: "0", LATENCY_MS: "0" });
    const runner = await autocannonFigures(target);
    console.log(
      `target: backend bundle, FAILURE_RATE=0, LATENCY_MS=0; ${CONNECTIONS} connections, ${DURATION_SECONDS} s after a ${WARMUP_SECONDS} s warm-up\n`,
    );
    if (await abAvailable()) {
      const ab = await abFigures(target);
      console.log("| load generator | requests/s | requests | failed |");
      console.log("| --- | ---: | ---: | ---: |");
      console.log(
        `| BenchmarkRunnerFunction (autocannon) | ${fixed(runner.requestsPerSecond)} | ${runner.requests.total} | ${runner.requests.total - runner.requests.ok} |`,
      );
      console.log(`| ab -k | ${fixed(ab.requestsPerSecond)} | ${ab.completed} | ${ab.failed} |`);
      console.log(
        `\nrunner / ab requests/s ratio: ${fixed(runner.requestsPerSecond / ab.requestsPerSecond, 2)}\n`,
      );
    } else {
      console.log("skip: ab not installed (Debian package apache2-utils); runner alone:");
      console.log(`BenchmarkRunnerFunction: ${fixed(runner.requestsPerSecond)} requests/s\n`);
    }

    // 2. web + backend, the backend failing 2% of calls after 5 ms
    console.log("web + backend (FAILURE_RATE=0.02, LATENCY_MS=5), measured by the runner:\n");
    console.log("| web retries | requests/s | requests | ok | success rate | p50 ms | p99 ms |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const backend = await server("backend", { FAILURE_RATE: "0.02", LATENCY_MS: "5" });
    for (const retries of ["3", "0"]) {
      const web = await server("web", { BACKEND_URL: backend, BACKEND_RETRIES: retries });
      const figures = await autocannonFigures(web);
      const success = figures.requests.ok / Math.max(1, figures.requests.total);
      console.log(
        `| ${retries} | ${fixed(figures.requestsPerSecond)} | ${figures.requests.total} | ${figures.requests.ok} | ${fixed(success * 100, 2)}% | ${figures.latencyMs.p50} | ${figures.latencyMs.p99} |`,
      );
    }
    console.log("\n(the original demo: 85 requests/s, 46 failed of 1,500 = 96.9% success)");
  } finally {
    stopAll(started);
    await cleanup();
  }
}
