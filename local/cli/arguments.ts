import { parseArgs } from "node:util";

/**
 * The command line every command reads, checked: the flags a command takes, `--help`,
 * and one line naming what was wrong for anything else (never a stack trace).
 */

export type Flag = "port" | "time-scale" | "hosts" | "quiet";

export interface CommandSpec {
  /** How the user runs it: `npm run local`. */
  readonly name: string;
  /** Positional arguments after the flags, e.g. `[<input file>]`; none when absent. */
  readonly arguments?: string;
  /** At most this many positionals. */
  readonly maxPositionals?: number;
  /** One paragraph: what the command does. */
  readonly summary: string;
  readonly flags: readonly Flag[];
  /** The time scale when neither `--time-scale` nor MICROSCALE_TIME_SCALE is given. */
  readonly timeScale: number;
}

export interface CommandLine {
  port: number;
  timeScale: number;
  /** `--hosts`: how many hosts `npm run local` and `npm run benchmark` start with. */
  hosts: number | undefined;
  /** `--quiet`: no line per controller invocation. */
  quiet: boolean;
  positionals: string[];
}

/** A bad command line: its message is the one line the user sees. */
export class CommandLineError extends Error {
  override readonly name = "CommandLineError";
}

const flagHelp: Record<Flag, string> = {
  port: "--port <n>          edge port (else MICROSCALE_PORT, else 4566); the load balancer listens on port + 1",
  "time-scale":
    "--time-scale <x>    how much faster than real time schedules, waits and health checks run",
  hosts: "--hosts <n>         hosts that join at boot (a whole number, 0 or more)",
  quiet: "--quiet             no line per controller invocation",
};

export function usage(spec: CommandSpec): string {
  const flags = spec.flags.map((flag) => `  ${flagHelp[flag]}`);
  return [
    `usage: ${spec.name}${spec.flags.length > 0 || spec.arguments ? " --" : ""}${spec.arguments ? ` ${spec.arguments}` : ""}${spec.flags.length > 0 ? " [options]" : ""}`,
    "",
    spec.summary,
    "",
    "options:",
    ...flags,
    `  --help              this text (time ×${spec.timeScale} unless --time-scale says otherwise)`,
  ].join("\n");
}

/** The command line read and checked; `help` when `--help` was asked for. */
export function parseCommandLine(
  argv: readonly string[],
  spec: CommandSpec,
  env: NodeJS.ProcessEnv = process.env,
): CommandLine | "help" {
  const options = Object.fromEntries([
    ["help", { type: "boolean" as const }],
    ...spec.flags.map((flag) => [
      flag,
      { type: flag === "quiet" ? ("boolean" as const) : ("string" as const) },
    ]),
  ]);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, spec.flags),
      allowPositionals: true,
      strict: true,
      options,
    });
  } catch (error) {
    throw new CommandLineError(oneLine(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return "help";
  const text = (flag: Flag) =>
    typeof values[flag] === "string" ? (values[flag] as string) : undefined;
  const portText = text("port") ?? env.MICROSCALE_PORT ?? "4566";
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new CommandLineError(
      `--port / MICROSCALE_PORT: expected a port number (0-65535), got '${portText}'`,
    );
  }
  const scaleText = text("time-scale") ?? env.MICROSCALE_TIME_SCALE;
  const timeScale = scaleText === undefined ? spec.timeScale : Number(scaleText);
  if (!(timeScale > 0 && Number.isFinite(timeScale))) {
    throw new CommandLineError(
      `--time-scale / MICROSCALE_TIME_SCALE: expected a positive number, got '${scaleText}'`,
    );
  }
  const hostsText = text("hosts");
  const hosts =
    hostsText === undefined ? undefined : /^\d+$/.test(hostsText) ? Number(hostsText) : Number.NaN;
  if (Number.isNaN(hosts)) {
    throw new CommandLineError(`--hosts: expected a whole number, 0 or more, got '${hostsText}'`);
  }
  const max = spec.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new CommandLineError(`unexpected argument '${parsed.positionals[max]}'`);
  }
  return { port, timeScale, hosts, quiet: values.quiet === true, positionals: parsed.positionals };
}

/** `--hosts -1` reads as a flag to parseArgs ("ambiguous"): pass it as `--hosts=-1`, to be refused by value. */
function joinNegativeValues(argv: readonly string[], flags: readonly Flag[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] ?? "";
    const next = argv[index + 1];
    if (flags.some((flag) => token === `--${flag}`) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${token}=${next}`);
      index++;
    } else joined.push(token);
  }
  return joined;
}

/** parseArgs' message without its error code, cut to its first sentence. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]?.replace(/\. To specify.*$/, ".") ?? message;
}
