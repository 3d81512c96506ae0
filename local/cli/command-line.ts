import { connect } from "node:net";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { bootSystem, type LocalSystem, type SystemOptions } from "../scenario/system";
import { localClientConfig } from "../settings";
import {
  type CommandLine,
  CommandLineError,
  type CommandSpec,
  parseCommandLine,
  usage,
} from "./arguments";

export type { CommandLine, CommandSpec } from "./arguments";

/**
 * The command line a command was run with: `--help` prints its usage and exits 0; a bad
 * or unknown flag prints one line naming it and exits 2.
 */
export function readCommandLine(
  argv: readonly string[],
  spec: CommandSpec,
  env: NodeJS.ProcessEnv = process.env,
): CommandLine {
  let read: CommandLine | "help";
  try {
    read = parseCommandLine(argv, spec, env);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    console.error(`${spec.name}: ${error.message} (--help for usage)`);
    process.exit(2);
  }
  if (read === "help") {
    console.log(usage(spec));
    process.exit(0);
  }
  return read;
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
  options: Pick<SystemOptions, "functionEnvironment" | "parameters"> = {},
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
