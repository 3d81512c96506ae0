import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleContainer } from "../../../containers/build";
import { waitFor } from "../../support/wait-for";

/**
 * Runs workloads the way the local cloud does: bundled by containers/build.ts, started
 * as `node bundle.mjs` with only the given environment. Servers get PORT=0 and report
 * the port they bound in their "listening" log line.
 */
export interface Workload {
  process: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Set once a server has logged its port. */
  port?: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
}

export async function bundleAll(names: readonly string[]) {
  const root = await mkdtemp(join(tmpdir(), "microscale-containers-"));
  const bundles = new Map<string, string>();
  for (const name of names) bundles.set(name, await bundleContainer(name, join(root, name)));
  return { bundles, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function start(bundle: string, env: Record<string, string>): Workload {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const workload: Workload = {
    process: child,
    logs: [],
    exited: new Promise((resolve) => {
      let signalledAt = 0;
      const originalKill = child.kill.bind(child);
      child.kill = (signal?: NodeJS.Signals | number) => {
        signalledAt = Date.now();
        return originalKill(signal);
      };
      child.on("exit", (code, signal) =>
        resolve({ code, signal, afterMs: signalledAt === 0 ? 0 : Date.now() - signalledAt }),
      );
    }),
  };
  let buffered = "";
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        workload.logs.push(entry);
        if (typeof entry.port === "number" && String(entry.message).endsWith("listening")) {
          workload.port = entry.port;
        }
      } catch {
        workload.logs.push({ message: line });
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return workload;
}

export async function startServer(bundle: string, env: Record<string, string>): Promise<Workload> {
  const workload = start(bundle, { PORT: "0", ...env });
  await waitFor(`${bundle} to listen`, () => workload.port !== undefined);
  return workload;
}

export function stopAll(workloads: Workload[]): void {
  for (const workload of workloads) {
    if (workload.process.exitCode === null && workload.process.signalCode === null) {
      workload.process.kill("SIGKILL");
    }
  }
}
