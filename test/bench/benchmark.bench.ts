/**
 * `npm run bench benchmark`: the figures behind deploy-and-benchmark.
 *
 * 1. BenchmarkRunnerFunction against ApacheBench (`ab -k`) on the same local
 *    target, one after the other in one run: requests/s and their ratio, so the runner's
 *    numbers can be read next to the original demo's ApacheBench figures.
 *    Then issue 16's measure (./benchmark-pinned.ts): the target on core 0, each
 *    generator on core 1 (taskset), interleaved rounds, the median ratio and each
 *    generator's own CPU.
 * 2. The web + backend pair with the backend failing 2% of calls: requests/s and success
 *    rate with the web's retries, and without them (BACKEND_RETRIES=0) for contrast.
 * 3. The open-loop runner (ratePerSecond): requests/s achieved against requested.
 * 4. A rollout of web on the local cloud with an outside probe every 50 ms: the share
 *    of 2xx answers and the longest gap between two.
 *
 * Targets run as separate processes (the workloads' own bundles), so the load generator
 * never shares an event loop with the server it measures.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { bundleAll, startServer, stopAll, type Workload } from "../unit/containers/processes";
import { canPin, pinnedComparison, timeBoundAb } from "./benchmark-pinned";

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
async function runnerFigures(url: string) {
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
  const run = (seconds: number) =>
    exec("ab", timeBoundAb(CONNECTIONS, seconds, url), { maxBuffer: 1 << 20 });
  await run(WARMUP_SECONDS);
  const { stdout } = await run(DURATION_SECONDS);
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  return {
    requestsPerSecond: number(/Requests per second:\s+([\d.]+)/),
    completed: number(/Complete requests:\s+(\d+)/),
    failed: number(/Failed requests:\s+(\d+)/),
    non2xx: Number(/Non-2xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0),
  };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

/** The open-loop runner at a few rates: what it achieved against what was asked. */
async function openLoopRates(url: string): Promise<void> {
  console.log(`open loop, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per rate:\n`);
  console.log("| requested/s | achieved/s | ratio | unsent | p50 ms | p99 ms | generator CPU |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const ratePerSecond of [500, 2_000, 8_000]) {
    const figures = await benchmarkRunner(
      {
        url,
        durationSeconds: DURATION_SECONDS,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_SECONDS,
        ratePerSecond,
      },
      lambdaContext({ remainingMs: 120_000 }),
    );
    console.log(
      `| ${ratePerSecond} | ${fixed(figures.requestsPerSecond)} | ${fixed(figures.requestsPerSecond / ratePerSecond, 3)} | ${figures.unsent ?? 0} | ${figures.latencyMs.p50} | ${figures.latencyMs.p99} | ${figures.loadGenerator.cpuPercent} % |`,
    );
  }
  console.log("");
}

/**
 * A rollout of web on the local cloud (tasks as processes, time ×30) with an outside
 * probe on the load balancer every 50 ms: the share of 2xx answers and the longest gap.
 */
async function rolloutAvailability(): Promise<void> {
  const { bootSystem, quietFunctionLogs } = await import("../../local/scenario/system");
  const { joinHosts } = await import("../../local/scenario/hosts");
  const { readDeployInput } = await import("../../local/scenario/deploy");
  const { probedRollout } = await import("../../local/scenario/rollouts");
  const { silentProgress } = await import("../../local/scenario/progress");
  const { Recorder } = await import("../../local/scenario/recorder");
  quietFunctionLogs("SILENT");
  const system = await bootSystem({
    port: 0,
    runTasks: "processes",
    timeScale: 30,
    parameters: { DemandRandomizerState: "DISABLED" },
    // With the randomizer off the priority scaler finds no demand item: not this figure's business.
    onError: () => {},
  });
  const recorder = new Recorder(system, 100);
  try {
    recorder.start();
    joinHosts(system, 3);
    const balancer = system.wired.loadBalancers.get("LoadBalancer");
    await recorder.until(
      (s) =>
        s.web.desired > 0 &&
        s.web.running === s.web.desired &&
        (balancer?.healthyCount ?? 0) === s.web.desired,
      30_000,
    );
    const input = readDeployInput(system);
    console.log(
      "| rollout of web (time ×30) | probes | 2xx | availability | longest gap | execution |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | --- |");
    for (let run = 1; run <= 3; run++) {
      const { outcome, probe } = await probedRollout(
        system,
        {
          ...input,
          benchmark: { durationSeconds: 2, warmupSeconds: 1, connections: 4, path: "/" },
        },
        silentProgress,
      );
      console.log(
        `| ${run} | ${probe.sent} | ${probe.ok} | ${fixed(probe.availability * 100, 2)} % | ${probe.longestGapMs} ms | ${outcome.status} |`,
      );
    }
    console.log(
      "\n(probe: GET every 50 ms through the local load balancer from StartExecution to the end)\n",
    );
  } finally {
    recorder.stop();
    await system.stop();
  }
}

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
    const targetWorkload = started.at(-1) as Workload;
    // A fresh target's JIT is cold for its first second or two: warm it before either generator.
    await runnerFigures(target);
    const runner = await runnerFigures(target);
    console.log(
      `target: backend bundle, FAILURE_RATE=0, LATENCY_MS=0, warmed by a first run; ${CONNECTIONS} connections, ` +
        `${DURATION_SECONDS} s after a ${WARMUP_SECONDS} s warm-up\n`,
    );
    if (await abAvailable()) {
      const ab = await abFigures(target);
      console.log("| load generator | requests/s | requests | failed |");
      console.log("| --- | ---: | ---: | ---: |");
      console.log(
        `| BenchmarkRunnerFunction | ${fixed(runner.requestsPerSecond)} | ${runner.requests.total} | ${runner.requests.total - runner.requests.ok} |`,
      );
      console.log(`| ab -k | ${fixed(ab.requestsPerSecond)} | ${ab.completed} | ${ab.failed} |`);
      console.log(
        `\nrunner / ab requests/s ratio: ${fixed(runner.requestsPerSecond / ab.requestsPerSecond, 2)}\n`,
      );
      if (await canPin()) {
        await pinnedComparison(targetWorkload.process.pid as number, target, (event) =>
          benchmarkRunner(event, lambdaContext({ remainingMs: 120_000 })),
        );
      } else console.log("skip pinned comparison: needs taskset and two cores\n");
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
      const figures = await runnerFigures(web);
      const success = figures.requests.ok / Math.max(1, figures.requests.total);
      console.log(
        `| ${retries} | ${fixed(figures.requestsPerSecond)} | ${figures.requests.total} | ${figures.requests.ok} | ${fixed(success * 100, 2)}% | ${figures.latencyMs.p50} | ${figures.latencyMs.p99} |`,
      );
    }
    console.log("\n(the original demo: 85 requests/s, 46 failed of 1,500 = 96.9% success)\n");

    // 3. open loop against the always-200 target
    await openLoopRates(target);
  } finally {
    stopAll(started);
    await cleanup();
  }
  // 4. availability through a rollout, on the whole local cloud
  await rolloutAvailability();
}
