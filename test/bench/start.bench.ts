/**
 * `npm run bench start`: one real `npm start` (on a free port), timed from outside, with
 * each phase's duration read from the progress lines it prints (`  12.3s  ▶ name — …`)
 * and the whole process tree's CPU (`/usr/bin/time`, when the machine has it), against
 * the goal of 40 s on 2 cores.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";

const GOAL_SECONDS = 40;
const TIME = "/usr/bin/time";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Phase {
  name: string;
  startSeconds: number;
}

/** The phases `npm start` announced, in order, and the total its summary gives. */
export function readPhases(output: string): { phases: Phase[]; summarySeconds?: number } {
  const phases = [...output.matchAll(/^\s*([\d.]+)s\s+▶ (.+?) — /gmu)].map((match) => ({
    name: match[2] ?? "",
    startSeconds: Number(match[1]),
  }));
  const summary = /^Summary \(([\d.]+) s\)/m.exec(output)?.[1];
  return { phases, summarySeconds: summary === undefined ? undefined : Number(summary) };
}

export async function run(): Promise<void> {
  const port = await freePort();
  const npmArgs = ["start", "--", "--port", String(port)];
  const timed = existsSync(TIME);
  const [command, args] = timed
    ? [TIME, ["-f", "cpu %U user %S system", "npm", ...npmArgs]]
    : ["npm", npmArgs];
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const wallSeconds = (performance.now() - started) / 1000;

  const { phases, summarySeconds } = readPhases(stdout);
  const end = summarySeconds ?? wallSeconds;
  const rows = phases.map((phase, i) => {
    const until = phases[i + 1]?.startSeconds ?? end;
    return `| ${phase.name} | ${phase.startSeconds.toFixed(1)} s | ${(until - phase.startSeconds).toFixed(1)} s |`;
  });
  const cpu = /cpu ([\d.]+) user ([\d.]+) system/.exec(stderr);
  const cpuSeconds = cpu === null ? undefined : Number(cpu[1]) + Number(cpu[2]);
  console.log(
    [
      `\`npm start -- --port ${port}\`: exit ${code}, ${wallSeconds.toFixed(1)} s wall (goal ≤ ${GOAL_SECONDS} s: ${(wallSeconds / GOAL_SECONDS).toFixed(2)}× the goal)` +
        (cpuSeconds === undefined
          ? ""
          : `, ${cpuSeconds.toFixed(1)} s CPU (${(cpuSeconds / wallSeconds).toFixed(2)} cores busy on average)`),
      `Outside the scenario (npm, Node and tsx start-up, the report, shut-down): ${(wallSeconds - end).toFixed(1)} s (wall minus the summary's ${end.toFixed(1)} s).`,
      "",
      "| phase | starts at | takes |",
      "| --- | ---: | ---: |",
      ...rows,
    ].join("\n"),
  );
  if (code !== 0)
    console.log(`\nnpm start did not exit 0; its last lines:\n${stdout.slice(-2000)}`);
}
