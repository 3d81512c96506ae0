/**
 * Issue 16's measure of the load generator, for `npm run bench benchmark`: the runner
 * against `ab -k` on one fast target, the target pinned to core 0 and each generator to
 * core 1 (taskset), 16 connections; the runner both as ab sends (one request in flight per
 * connection) and pipelined.
 *
 * The target's own speed drifts by a fifth or more within seconds on a shared VM (ab alone:
 * 12.6k–17.3k requests/s in six 1 s runs back to back, the target's core busy throughout).
 * So the measure is many short rounds, ab in the middle of each and the runner's two runs
 * either side, the order reversed every other round; each runner run is divided by the ab
 * run next to it, and the figure is the median of those ratios with a distribution-free
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
/** Each run of each round; whole seconds, as `ab -t` takes them. */
const SECONDS = 1;
const ROUNDS = 24;
/** The runner's pipelined run: past 8, more in flight mostly adds latency (docs/performance.md). */
const PIPELINING = 8;
/** Load on the pinned target before the pairs, so its JIT is not warmed by the first pair. */
const TARGET_WARMUP_SECONDS = 3;
/** The confidence of the interval printed around the median ratio. */
const CONFIDENCE = 0.95;

export type RunnerRun = (event: {
  url: string;
  durationSeconds: number;
  connections: number;
  pipelining: number;
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

/** `ab -k`'s arguments for a run of `seconds` over `connections` (both benches run it so). */
export function timeBoundAb(connections: number, seconds: number, url: string): string[] {
  // -t implies -n 50000 unless a later -n lifts it: the run must be bound by time, not count.
  return [
    ...["-k", "-q", "-c", String(connections), "-s", "10"],
    ...["-t", String(seconds), "-n", "100000000", url],
  ];
}

/** One time-bound `ab -k` on core 1, with the CPU it used from /usr/bin/time when installed. */
async function abOnCore1(url: string, seconds: number) {
  const ab = ["ab", ...timeBoundAb(CONNECTIONS, seconds, url)];
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
async function runnerOnCore1(runner: RunnerRun, url: string, seconds: number, pipelining: number) {
  const result = await runner({
    url,
    durationSeconds: seconds,
    connections: CONNECTIONS,
    pipelining,
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

interface Round {
  runner: Figures;
  ab: Figures;
  pipelined: Figures;
}

/** The median of `ratios` and the sign-test interval around it, as one line of text. */
function ratioSummary(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((a, b) => a - b);
  const interval = medianIntervalIndexes(sorted.length, CONFIDENCE);
  const intervalText =
    interval === undefined
      ? "too few rounds for an interval"
      : `${CONFIDENCE * 100} % interval ${fixed(sorted[interval.low] ?? Number.NaN, 2)}–${fixed(sorted[interval.high] ?? Number.NaN, 2)}`;
  return (
    `median of ${sorted.length}: ${fixed(median(sorted), 2)} (goal ≥ 1.00; ${intervalText}; ` +
    `range ${fixed(sorted[0] ?? Number.NaN, 2)}–${fixed(sorted.at(-1) ?? Number.NaN, 2)})`
  );
}

/** Prints the rounds, the median ratios with their intervals, and each generator's requests per CPU-second. */
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
  const rounds: Round[] = [];
  const runRunner = (pipelining: number) =>
    watchingTarget(target, () => runnerOnCore1(runner, url, SECONDS, pipelining));
  try {
    await runnerOnCore1(runner, url, TARGET_WARMUP_SECONDS, 1);
    for (let round = 0; round < ROUNDS; round++) {
      // ab in the middle, next to both runner runs; which runner run goes first alternates.
      const first = round % 2 === 0 ? 1 : PIPELINING;
      const before = await runRunner(first);
      const ab = await watchingTarget(target, () => abOnCore1(url, SECONDS));
      const after = await runRunner(first === 1 ? PIPELINING : 1);
      rounds.push(
        first === 1
          ? { runner: before, ab, pipelined: after }
          : { runner: after, ab, pipelined: before },
      );
    }
  } finally {
    await pin(process.pid, allCores);
    await pin(targetPid, allCores);
  }
  const ratio = (pick: (round: Round) => Figures) =>
    rounds.map((round) => pick(round).requestsPerSecond / round.ab.requestsPerSecond);
  const runnerRatios = ratio((round) => round.runner);
  const pipelinedRatios = ratio((round) => round.pipelined);
  const perCpuSecond = (figures: Figures) =>
    figures.requestsPerSecond / (figures.generatorCpuPercent / 100);
  const medianOf = (pick: (round: Round) => number) => fixed(median(rounds.map(pick)));
  console.log(
    `pinned: target on core 0, each generator on core 1 (taskset); ${CONNECTIONS} connections; ` +
      `${ROUNDS} rounds of ${SECONDS} s runs (runner, ab -k, runner pipelining ${PIPELINING}; the runners' order ` +
      `alternating) after ${TARGET_WARMUP_SECONDS} s warming the target; load average ${loadBefore} before, ${load()} after\n`,
  );
  console.log(
    "| round | runner requests/s | CPU | target CPU | ab -k requests/s | CPU | target CPU | " +
      `runner, pipelining ${PIPELINING} | CPU | target CPU | runner ÷ ab | pipelined ÷ ab |`,
  );
  console.log(
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const cells = (figures: Figures) =>
    `${fixed(figures.requestsPerSecond)} | ${fixed(figures.generatorCpuPercent)} % | ${fixed(figures.targetCpuPercent)} %`;
  rounds.forEach((round, index) => {
    console.log(
      `| ${index + 1} | ${cells(round.runner)} | ${cells(round.ab)} | ${cells(round.pipelined)} | ` +
        `${fixed(runnerRatios[index] ?? Number.NaN, 2)} | ${fixed(pipelinedRatios[index] ?? Number.NaN, 2)} |`,
    );
  });
  console.log(
    `\nrunner / ab requests/s ratio, pinned, one request in flight per connection as ab sends, ${ratioSummary(runnerRatios)}`,
  );
  console.log(
    `runner / ab requests/s ratio, pinned, the runner pipelining ${PIPELINING}, ${ratioSummary(pipelinedRatios)}`,
  );
  console.log(
    `target CPU, median: ${medianOf((round) => round.runner.targetCpuPercent)} % under the runner, ` +
      `${medianOf((round) => round.ab.targetCpuPercent)} % under ab -k, ` +
      `${medianOf((round) => round.pipelined.targetCpuPercent)} % under the pipelined runner (near 100 %: the target set the pace)`,
  );
  console.log(
    `requests per CPU-second of the generator, median: runner ${medianOf((round) => perCpuSecond(round.runner))}, ` +
      `ab -k ${medianOf((round) => perCpuSecond(round.ab))}, pipelined runner ${medianOf((round) => perCpuSecond(round.pipelined))}\n`,
  );
}
