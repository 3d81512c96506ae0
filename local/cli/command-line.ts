import { connect } from "node:net";
import { parseArgs } from "node:util";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { bootSystem, type LocalSystem, type SystemOptions } from "../scenario/system";
import { localClientConfig } from "../settings";

/**
 * What every command reads from its command line and environment: the edge port
 * (`--port`, else `MICROSCALE_PORT`, else 4566) and the time scale (`--time-scale`,
 * else `MICROSCALE_TIME_SCALE`).
 */
export interface CommandLine {
  port: number;
  timeScale: number;
  /** `--hosts`: how many hosts `npm run local` and `npm run benchmark` start with. */
  hosts: number | undefined;
  positionals: string[];
}

export function readCommandLine(
  argv: readonly string[],
  defaults: { timeScale: number },
  env: NodeJS.ProcessEnv = process.env,
): CommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      port: { type: "string" },
      "time-scale": { type: "string" },
      hosts: { type: "string" },
    },
  });
  const port = Number(values.port ?? env.MICROSCALE_PORT ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(
      `--port / MICROSCALE_PORT: expected a port number, got ${values.port ?? env.MICROSCALE_PORT}`,
    );
  }
  const timeScale = Number(values["time-scale"] ?? env.MICROSCALE_TIME_SCALE ?? defaults.timeScale);
  if (!(timeScale > 0)) {
    throw new Error(
      `--time-scale / MICROSCALE_TIME_SCALE: expected a positive number, got ${timeScale}`,
    );
  }
  const hosts = values.hosts === undefined ? undefined : Number(values.hosts);
  if (hosts !== undefined && !(Number.isInteger(hosts) && hosts >= 0)) {
    throw new Error(`--hosts: expected a whole number, got ${values.hosts}`);
  }
  return { port, timeScale, hosts, positionals };
}

/** A trigger's failed invocation, on one line (the full error is in the function's log). */
export function printInvocationError(where: string, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`  ! ${where}: ${text.split("\n")[0]}\n`);
}

/** Stops `stop` once on SIGINT/SIGTERM, then exits with 130 / 143. */
export function onInterrupt(stop: () => Promise<void>): void {
  let stopping = false;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: shutting down…\n`);
      stop().then(
        () => process.exit(code),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

/** Awaits the boot; a failure (port in use, template problem) prints one line and exits 1. */
export async function orExit<T>(booting: Promise<T>): Promise<T> {
  try {
    return await booting;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/**
 * What `npm start`, `npm run local` and `npm run benchmark` share: boot the system with
 * the tasks as processes on the command line's port and time scale, one line per
 * failed invocation, exit 1 on a failed boot, and a clean shutdown on Ctrl-C.
 */
export async function bootFromCommandLine(
  commandLine: CommandLine,
  options: Pick<SystemOptions, "functionEnvironment"> = {},
): Promise<LocalSystem> {
  const system = await orExit(
    bootSystem({
      port: commandLine.port,
      runTasks: "processes",
      timeScale: commandLine.timeScale,
      onError: printInvocationError,
      ...options,
    }),
  );
  onInterrupt(() => system.stop());
  return system;
}

/** True when something on the port answers the ECS API (a local cloud, not any server). */
export async function localCloudAt(endpoint: string, port: number): Promise<boolean> {
  const open = await new Promise<boolean>((resolveOpen) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 300 });
    const done = (value: boolean) => {
      socket.destroy();
      resolveOpen(value);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
  if (!open) return false;
  const ecs = new ECSClient(localClientConfig(endpoint, { maxAttempts: 1 }));
  try {
    await ecs.send(new ListClustersCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    ecs.destroy();
  }
}
