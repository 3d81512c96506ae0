/**
 * Issue 16's measure of the load generator, for `npm run bench benchmark`: the runner
 * against `ab -k` on one fast target, the target pinned to core 0 and each generator to
 * core 1 (taskset), 16 connections, 4 s, in ROUNDS interleaved rounds (the order
 * alternating), each generator's own CPU beside its requests/s. On a shared machine one
 * round says little: the median of the per-round ratios is the figure.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { promisify } from "node:util";
import type { BenchmarkResult } from "../../functions/benchmark-runner/benchmark";
import { median } from "./cold-start/measure";

const exec = promisify(execFile);

const CONNECTIONS = 16;
const SECONDS = 4;
const WARMUP_SECONDS = 1;
const ROUNDS = 5;

export type RunnerRun = (event: {
  url: string;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
}) => Promise<BenchmarkResult>;

interface Figures {
  requestsPerSecond: number;
  /** Share of one core, in %; NaN when it could not be measured. */
  cpuPercent: number;
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

/** One time-bound `ab -k` on core 1, with the CPU it used from /usr/bin/time when installed. */
async function abOnCore1(url: string, seconds: number): Promise<Figures> {
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
    cpuPercent:
      cpu === null ? Number.NaN : ((Number(cpu[1]) + Number(cpu[2])) / Number(cpu[3])) * 100,
  };
}

async function runnerOnCore1(
  runner: RunnerRun,
  url: string,
): Promise<Figures & { saturated: boolean }> {
  const result = await runner({
    url,
    durationSeconds: SECONDS,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
  });
  return {
    requestsPerSecond: result.requestsPerSecond,
    cpuPercent: result.loadGenerator.cpuPercent,
    saturated: result.loadGenerator.saturated,
  };
}

const fixed = (value: number, digits = 0) => (Number.isNaN(value) ? "–" : value.toFixed(digits));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");

/** Prints the rounds, the median ratio and each generator's requests per CPU-second. */
export async function pinnedComparison(
  targetPid: number,
  url: string,
  runner: RunnerRun,
): Promise<void> {
  const allCores = `0-${availableParallelism() - 1}`;
  await pin(targetPid, "0");
  // The runner is this process: its handler runs here, pinned like ab.
  await pin(process.pid, "1");
  const loadBefore = load();
  const rows: { runner: Figures & { saturated: boolean }; ab: Figures }[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      let runnerFigures: Figures & { saturated: boolean };
      let abFigures: Figures;
      if (round % 2 === 0) {
        runnerFigures = await runnerOnCore1(runner, url);
        await abOnCore1(url, WARMUP_SECONDS);
        abFigures = await abOnCore1(url, SECONDS);
      } else {
        await abOnCore1(url, WARMUP_SECONDS);
        abFigures = await abOnCore1(url, SECONDS);
        runnerFigures = await runnerOnCore1(runner, url);
      }
      rows.push({ runner: runnerFigures, ab: abFigures });
    }
  } finally {
    await pin(process.pid, allCores);
    await pin(targetPid, allCores);
  }
  const ratios = rows.map((row) => row.runner.requestsPerSecond / row.ab.requestsPerSecond);
  const perCpuSecond = (figures: Figures) => figures.requestsPerSecond / (figures.cpuPercent / 100);
  console.log(
    `pinned: target on core 0, each generator on core 1 (taskset); ${CONNECTIONS} connections, ` +
      `${SECONDS} s after a ${WARMUP_SECONDS} s warm-up, ${ROUNDS} interleaved rounds; ` +
      `load average ${loadBefore} before, ${load()} after\n`,
  );
  console.log(
    "| round | runner requests/s | runner CPU | saturated | ab -k requests/s | ab -k CPU | runner ÷ ab |",
  );
  console.log("| ---: | ---: | ---: | --- | ---: | ---: | ---: |");
  rows.forEach((row, index) => {
    console.log(
      `| ${index + 1} | ${fixed(row.runner.requestsPerSecond)} | ${fixed(row.runner.cpuPercent)} % | ${row.runner.saturated} | ` +
        `${fixed(row.ab.requestsPerSecond)} | ${fixed(row.ab.cpuPercent)} % | ${fixed(ratios[index] ?? Number.NaN, 2)} |`,
    );
  });
  console.log(
    `\nrunner / ab requests/s ratio, pinned, median of ${ROUNDS}: ${fixed(median(ratios), 2)} ` +
      `(goal ≥ 1.00; range ${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`,
  );
  console.log(
    `requests per CPU-second, median: runner ${fixed(median(rows.map((row) => perCpuSecond(row.runner))))}, ` +
      `ab -k ${fixed(median(rows.map((row) => perCpuSecond(row.ab))))}\n`,
  );
}
