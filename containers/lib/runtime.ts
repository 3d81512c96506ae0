/**
 * What every workload shares: configuration from the environment, JSON-line logs and
 * a SIGTERM handler that stops promptly and exits 0.
 *
 * Containers are built with `containers/` as the Docker build context, so they cannot
 * import `functions/lib`; these few helpers are the container-side equivalent, with
 * Node built-ins only (the local cloud runs the same bundle as a plain process).
 */

type Fields = Readonly<Record<string, unknown>>;

/** One JSON object per line on stdout: CloudWatch Logs (awslogs) and the local cloud read it as is. */
export function log(level: "info" | "warn" | "error", message: string, fields: Fields = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
}

/** A configuration mistake: the process logs it and exits 1 before serving anything. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

type Environment = Readonly<Record<string, string | undefined>>;

function present(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function stringFromEnv(env: Environment, name: string, fallback?: string): string {
  const value = present(env, name) ?? fallback;
  if (value === undefined) throw new ConfigurationError(`${name} is required but not set`);
  return value;
}

/** A finite number within [min, max]; `integer` rejects fractions. */
export function numberFromEnv(
  env: Environment,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const {
    min = Number.NEGATIVE_INFINITY,
    max = Number.POSITIVE_INFINITY,
    integer = false,
  } = bounds;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(
      `${name}: expected ${integer ? "an integer" : "a number"}, got "${raw}"`,
    );
  }
  if (value < min || value > max) {
    throw new ConfigurationError(`${name}: must be within [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Reads the configuration, or logs the problem and exits 1: a container with a bad
 * environment should fail its start, visibly, not serve with a guess.
 */
export function configure<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    log("error", "invalid configuration", { error: String(error) });
    process.exit(1);
  }
}

/**
 * Runs `stop` on SIGTERM (ECS's stop signal) or SIGINT, then exits 0. If `stop` has not
 * finished within `graceMs` the process exits anyway: a prompt exit 0 is the point
 * (ECS would otherwise SIGKILL it after the stop timeout, exit 137).
 */
export function exitOnSignal(
  name: string,
  stop: () => Promise<void> | void,
  graceMs: number,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log("info", `${name} stopping`, { signal });
    const deadline = setTimeout(() => {
      log("warn", `${name} did not stop within ${graceMs} ms; exiting anyway`);
      process.exit(0);
    }, graceMs);
    deadline.unref();
    Promise.resolve()
      .then(stop)
      .then(
        () => {
          log("info", `${name} stopped`);
          process.exit(0);
        },
        (error: unknown) => {
          log("error", `${name} failed while stopping`, { error: String(error) });
          process.exit(0);
        },
      );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
