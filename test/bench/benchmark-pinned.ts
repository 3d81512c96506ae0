/**
 * Issue 16's measure of the load generator, for `npm run bench benchmark`: the runner
 * against `ab -k` on one fast target, the target pinned to core 0 and each generator to
 * core 1 (taskset), 16 connections.
 *
 * The target's own speed drifts by a fifth or more within seconds on a shared VM (ab alone:
 * 12.6k–17.3k requests/s in six 1 s runs back to back, the target's core busy throughout).
 * So the measure is many short pairs, each generator run right after the other in an
 * ABBA order, and the figure is the median of the pairs' ratios with a distribution-free
 * confidence interval for it. Beside each run: the generator's own CPU and the target's,
 * which says who set the pace (a target near 100 % of its core is the bottleneck, and the
 * ratio then measures what each generator's requests cost it).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { promisify } from "node:util";
import type { BenchmarkResult } from "../../functions/benchmark-runner/benchmark";
import { median } from "./cold-start/measure";

const exec = promisify(execFile);

const CONNECTIONS = 16;
/** Each run of each pair; whole seconds, as `ab -t` takes them. */
const SECONDS = 1;
const PAIRS = 30;
/** Load on the pinned target before the pairs, so its JIT is not warmed by the first pair. */
const TARGET_WARMUP_SECONDS = 3;
/** The confidence of the interval printed around the median ratio. */
const CONFIDENCE = 0.95;

export type RunnerRun = (event: {
  url: string;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
}) => Promise<BenchmarkResult>;

interface Figures {
  requestsPerSecond: number;
  /** Shares of one core, in %; NaN when they could not be measured. */
  generatorCpuPercent: number;
  targetCpuPercent: number;
}

/** True when this machine can pin processes to separate cores (taskset, two CPUs or more). */
export async function canPin(): Promise<boolean> {
  try {
    await exec("taskset", ["-V"]);
    return availableParallelism() >= 2;
  } catch {
    return false;
  }
}

/** Pins a process and all its threads to `cores` (`taskset -a -cp`). */
const pin = (pid: number, cores: string) => exec("taskset", ["-a", "-cp", cores, String(pid)]);

/** A process's CPU time so far, in clock ticks (utime + stime, proc(5)); NaN without /proc. */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

/** Runs `work` and adds the share of one core the target used meanwhile. */
async function watchingTarget(
  target: { pid: number; ticksPerSecond: number },
  work: () => Promise<Omit<Figures, "targetCpuPercent">>,
): Promise<Figures> {
  const ticksBefore = cpuTicks(target.pid);
  const startedAt = performance.now();
  const figures = await work();
  const seconds = (performance.now() - startedAt) / 1000;
  const targetSeconds = (cpuTicks(target.pid) - ticksBefore) / target.ticksPerSecond;
  return { ...figures, targetCpuPercent: (targetSeconds / seconds) * 100 };
}

/** One time-bound `ab -k` on core 1, with the CPU it used from /usr/bin/time when installed. */
async function abOnCore1(url: string, seconds: number) {
  // -t implies -n 50000 unless a later -n lifts it: the run must be bound by time, not count.
  const ab = [
    ...["ab", "-k", "-q", "-c", String(CONNECTIONS), "-s", "10"],
    ...["-t", String(seconds), "-n", "100000000", url],
  ];
  const timed = existsSync("/usr/bin/time");
  const command = timed ? ["/usr/bin/time", "-f", "cpu-seconds %U %S %e", ...ab] : ab;
  const { stdout, stderr } = await exec("taskset", ["-c", "1", ...command], {
    maxBuffer: 1 << 20,
  });
  const cpu = /cpu-seconds ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  return {
    requestsPerSecond: Number(/Requests per second:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN),
    generatorCpuPercent:
      cpu === null ? Number.NaN : ((Number(cpu[1]) + Number(cpu[2])) / Number(cpu[3])) * 100,
  };
}

/** The runner's handler in this process (pinned to core 1), no warm-up: the target is warm. */
async function runnerOnCore1(runner: RunnerRun, url: string, seconds: number) {
  const result = await runner({
    url,
    durationSeconds: seconds,
    connections: CONNECTIONS,
    warmupSeconds: 0,
  });
  return {
    requestsPerSecond: result.requestsPerSecond,
    generatorCpuPercent: result.loadGenerator.cpuPercent,
  };
}

/**
 * The order statistics bounding the median of `count` paired ratios at `confidence`
 * (the sign-test interval: no assumption about how the ratios are distributed), as
 * 0-based indexes into the sorted ratios; undefined when too few pairs for it.
 */
export function medianIntervalIndexes(
  count: number,
  confidence: number,
): { low: number; high: number } | undefined {
  // P(X ≤ k) for X ~ Binomial(count, ½), summed term by term.
  let term = 0.5 ** count;
  let below = 0;
  let k = -1;
  for (let i = 0; i < count; i++) {
    if (below + term > (1 - confidence) / 2) break;
    below += term;
    k = i;
    term = (term * (count - i)) / (i + 1);
  }
  // The interval is [x(k+1), x(count-k)] in 1-based order statistics.
  return k < 0 ? undefined : { low: k, high: count - k - 1 };
}

const fixed = (value: number, digits = 0) => (Number.isNaN(value) ? "–" : value.toFixed(digits));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");

/** Prints the pairs, the median ratio with its interval, and each generator's requests per CPU-second. */
export async function pinnedComparison(
  targetPid: number,
  url: string,
  runner: RunnerRun,
): Promise<void> {
  const allCores = `0-${availableParallelism() - 1}`;
  const { stdout: ticks } = await exec("getconf", ["CLK_TCK"]);
  const target = { pid: targetPid, ticksPerSecond: Number(ticks.trim()) || 100 };
  await pin(targetPid, "0");
  // The runner is this process: its handler runs here, pinned like ab.
  await pin(process.pid, "1");
  const loadBefore = load();
  const pairs: { runner: Figures; ab: Figures }[] = [];
  try {
    await runnerOnCore1(runner, url, TARGET_WARMUP_SECONDS);
    for (let pair = 0; pair < PAIRS; pair++) {
      const runRunner = () => watchingTarget(target, () => runnerOnCore1(runner, url, SECONDS));
      const runAb = () => watchingTarget(target, () => abOnCore1(url, SECONDS));
      // ABBA: each generator goes first in half the pairs, and second right after going first.
      if (pair % 2 === 0) {
        const runnerFigures = await runRunner();
        pairs.push({ runner: runnerFigures, ab: await runAb() });
      } else {
        const abFigures = await runAb();
        pairs.push({ ab: abFigures, runner: await runRunner() });
      }
    }
  } finally {
    await pin(process.pid, allCores);
    await pin(targetPid, allCores);
  }
  const ratios = pairs.map((pair) => pair.runner.requestsPerSecond / pair.ab.requestsPerSecond);
  const perCpuSecond = (figures: Figures) =>
    figures.requestsPerSecond / (figures.generatorCpuPercent / 100);
  const medianOf = (pick: (pair: { runner: Figures; ab: Figures }) => number) =>
    median(pairs.map(pick));
  console.log(
    `pinned: target on core 0, each generator on core 1 (taskset); ${CONNECTIONS} connections; ` +
      `${PAIRS} pairs of ${SECONDS} s runs in ABBA order after ${TARGET_WARMUP_SECONDS} s warming ` +
      `the target; load average ${loadBefore} before, ${load()} after\n`,
  );
  console.log(
    "| pair | runner requests/s | runner CPU | target CPU | ab -k requests/s | ab -k CPU | target CPU | runner ÷ ab |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  pairs.forEach((pair, index) => {
    const cells = (figures: Figures) =>
      `${fixed(figures.requestsPerSecond)} | ${fixed(figures.generatorCpuPercent)} % | ${fixed(figures.targetCpuPercent)} %`;
    console.log(
      `| ${index + 1} | ${cells(pair.runner)} | ${cells(pair.ab)} | ${fixed(ratios[index] ?? Number.NaN, 2)} |`,
    );
  });
  const sorted = [...ratios].sort((a, b) => a - b);
  const interval = medianIntervalIndexes(sorted.length, CONFIDENCE);
  const intervalText =
    interval === undefined
      ? "too few pairs for an interval"
      : `${CONFIDENCE * 100} % interval ${fixed(sorted[interval.low] ?? Number.NaN, 2)}–${fixed(sorted[interval.high] ?? Number.NaN, 2)}`;
  console.log(
    `\nrunner / ab requests/s ratio, pinned, median of ${PAIRS} pairs: ${fixed(median(ratios), 2)} ` +
      `(goal ≥ 1.00; ${intervalText}; range ${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`,
  );
  console.log(
    `target CPU, median: ${fixed(medianOf((pair) => pair.runner.targetCpuPercent))} % under the runner, ` +
      `${fixed(medianOf((pair) => pair.ab.targetCpuPercent))} % under ab -k (near 100 %: the target set the pace)`,
  );
  console.log(
    `requests per CPU-second of the generator, median: runner ${fixed(medianOf((pair) => perCpuSecond(pair.runner)))}, ` +
      `ab -k ${fixed(medianOf((pair) => perCpuSecond(pair.ab)))}\n`,
  );
}
