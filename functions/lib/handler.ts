import type { Context } from "aws-lambda";
import type { Environment } from "./config";
import { asError } from "./errors";
import { type Observability, type Observed, powertools } from "./observability";
import { mapStackToSources } from "./source-mapped-stack";

/**
 * The one handler shape (functions/README.md says why). A function is a definition —
 * its name, its config loader and its `run` — turned into a Lambda handler by
 * `lambdaHandler`, which does what every function needs around an invocation:
 * the Lambda context into the logs, the config read from the environment, a failure
 * logged and rethrown (so Lambda retries it and Step Functions sees its error name),
 * and the metrics flushed, on success and failure alike. A failure's stack names the
 * TypeScript sources (./source-mapped-stack.ts), in the log and in what Lambda reports.
 */

/** A core's dependencies without the ones the wrapper supplies: what `index.ts` passes. */
export type HandlerDeps<CoreDeps extends Observed> = Omit<CoreDeps, keyof Observed>;

export interface FunctionDefinition<Config, Deps, Result> {
  /** Names the function in its failure log line, `<name> failed`. */
  readonly name: string;
  /**
   * The function's `config.ts` loader: checks the environment, throwing a
   * ConfigurationError naming the variable. Called on every invocation, before `run`.
   */
  readonly loadConfig: (env: Environment) => Config;
  /** The thin body: check the event, call the core with config and deps, return its summary. */
  readonly run: (
    event: unknown,
    config: Config,
    deps: Deps & Observed,
    context: Context,
  ) => Promise<Result>;
}

/** For a function that reads no environment variable of its own: everything is in the event. */
export function noConfig(): undefined {
  return undefined;
}

export interface HandlerOptions<Deps> {
  /** The SDK clients and other dependencies, created once at module scope in production. */
  readonly deps: Deps;
  /**
   * Read on every invocation, never at module scope: the local cloud runs every function
   * in one process and gives each invocation its own environment (local/lambda/environment.ts),
   * and tests vary it. Defaults to `process.env`.
   */
  readonly env?: () => Environment;
  /** Called on the first invocation, inside its environment. Defaults to Powertools. */
  readonly observability?: () => Observability;
}

export type LambdaHandler<Result> = (event: unknown, context: Context) => Promise<Result>;

export function lambdaHandler<Config, Deps, Result>(
  definition: FunctionDefinition<Config, Deps, Result>,
  options: HandlerOptions<Deps>,
): LambdaHandler<Result> {
  const readEnv = options.env ?? (() => process.env);
  const observe = options.observability ?? powertools;
  let observability: Observability | undefined;
  return async (event, context) => {
    observability ??= observe();
    const around = observability;
    const { log, metrics } = around;
    around.addContext(context);
    try {
      const config = definition.loadConfig(readEnv());
      return await definition.run(event, config, { ...options.deps, log, metrics }, context);
    } catch (thrown) {
      log.error(`${definition.name} failed`, mapStackToSources(asError(thrown)));
      throw thrown;
    } finally {
      around.flush();
    }
  };
}
