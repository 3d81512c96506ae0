import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { localSdkEnvironment } from "../settings";
import { withEnvironment } from "./environment";

/**
 * Runs Lambda functions in-process, from source, through their real exported
 * handler, with a Lambda context and the function's own environment variables.
 */

export interface LocalFunctionDefinition {
  /** Template logical ID, e.g. `PriorityScalerFunction`. */
  logicalId: string;
  /** The function's name (`FunctionName`, or what CloudFormation would generate). */
  functionName: string;
  /** Absolute path of the module that exports the handler. */
  modulePath: string;
  /** Name of the export, e.g. `handler`. */
  exportName: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  /** The function's resolved `Environment.Variables`. */
  environment: Readonly<Record<string, string>>;
  /** `ReservedConcurrentExecutions`: at most this many invocations at once; more wait their turn. */
  reservedConcurrency?: number;
}

export interface RuntimeOptions {
  region: string;
  accountId: string;
  /** The edge endpoint every SDK client in a function talks to. */
  endpoint: string;
  /** Extra variables for every function (e.g. `POWERTOOLS_LOG_LEVEL`). */
  environment?: Readonly<Record<string, string>>;
}

export interface InvocationRecord {
  logicalId: string;
  requestId: string;
  startedAt: number;
  durationMs: number;
  outcome: "success" | "error";
  error?: { errorType: string; errorMessage: string };
  /** The handler's JSON result (success only): what a controller decided, for reports and tests. */
  result?: unknown;
}

/** What Lambda reports when a function runs past its timeout. */
export class FunctionTimeoutError extends Error {
  override readonly name = "Sandbox.Timedout";
}

export class FunctionNotFoundError extends Error {
  override readonly name = "ResourceNotFoundException";
}

type Handler = (event: unknown, context: Context) => unknown;

/**
 * MICROSCALE_FUNCTION_LOG_LEVEL (set by `npm start`, `npm run local` and the tests): the
 * console's level for every function's Powertools logs, over the template's
 * POWERTOOLS_LOG_LEVEL, so progress lines are not buried in INFO logs.
 */
function consoleLogLevel(): Record<string, string> {
  const level = process.env.MICROSCALE_FUNCTION_LOG_LEVEL;
  return level === undefined || level === "" ? {} : { POWERTOOLS_LOG_LEVEL: level };
}

export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunctionDefinition>();
  private readonly handlers = new Map<string, Promise<Handler>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per function with reserved concurrency: invocations running, and those waiting for a slot. */
  private readonly slots = new Map<string, { running: number; waiting: (() => void)[] }>();
  readonly invocations: InvocationRecord[] = [];
  private readonly listeners = new Set<(record: InvocationRecord) => void>();

  constructor(private readonly options: RuntimeOptions) {}

  register(definition: LocalFunctionDefinition): void {
    this.functions.set(definition.logicalId, definition);
    this.functions.set(definition.functionName, definition);
  }

  /** Calls `listener` after every invocation settles (what `npm run local` prints); returns the unsubscribe. */
  onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get definitions(): LocalFunctionDefinition[] {
    return [...new Set(this.functions.values())];
  }

  /** By logical ID, function name or function ARN. */
  find(name: string): LocalFunctionDefinition {
    const key = name.startsWith("arn:") ? (name.split(":")[6] ?? name) : name;
    const definition = this.functions.get(key);
    if (definition === undefined) throw new FunctionNotFoundError(`Function not found: ${name}`);
    return definition;
  }

  functionArn(definition: LocalFunctionDefinition): string {
    const { region, accountId } = this.options;
    return `arn:aws:lambda:${region}:${accountId}:function:${definition.functionName}`;
  }

  /**
   * Invokes like `InvocationType: RequestResponse`: resolves with the handler's
   * result, rejects with its error (or FunctionTimeoutError).
   */
  invoke(name: string, event: unknown): Promise<unknown> {
    const invocation = this.invokeInTurn(name, event);
    this.inFlight.add(invocation);
    const settled = () => this.inFlight.delete(invocation);
    invocation.then(settled, settled);
    return invocation;
  }

  /** Resolves once every invocation started so far (and any they start) has settled. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private async invokeInTurn(name: string, event: unknown): Promise<unknown> {
    const definition = this.find(name);
    const limit = definition.reservedConcurrency;
    if (limit === undefined) return this.run(definition, event);
    // Lambda throttles past the reservation and the event source retries; waiting our turn
    // keeps the same guarantee (never more than `limit` at once) without losing the event.
    let slot = this.slots.get(definition.logicalId);
    if (slot === undefined) {
      slot = { running: 0, waiting: [] };
      this.slots.set(definition.logicalId, slot);
    }
    const current = slot;
    if (current.running >= Math.max(1, limit)) {
      await new Promise<void>((resolveTurn) => current.waiting.push(resolveTurn));
    } else {
      current.running++;
    }
    try {
      return await this.run(definition, event);
    } finally {
      const next = current.waiting.shift();
      // The slot passes straight to the next waiter, so `running` stays counted.
      if (next !== undefined) next();
      else current.running--;
    }
  }

  private async run(definition: LocalFunctionDefinition, event: unknown): Promise<unknown> {
    const handler = await this.load(definition);
    const requestId = randomUUID();
    const startedAt = Date.now();
    const deadline = startedAt + definition.timeoutSeconds * 1000;
    const record: InvocationRecord = {
      logicalId: definition.logicalId,
      requestId,
      startedAt,
      durationMs: 0,
      outcome: "success",
    };
    // A copy, as Lambda deserialises the payload: a handler never shares our object.
    const payload = event === undefined ? {} : structuredClone(event);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await withEnvironment(this.environmentFor(definition), () =>
        Promise.race([
          Promise.resolve().then(() =>
            handler(payload, this.context(definition, requestId, deadline)),
          ),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new FunctionTimeoutError(
                    `Task timed out after ${definition.timeoutSeconds.toFixed(2)} seconds`,
                  ),
                ),
              deadline - Date.now(),
            );
          }),
        ]),
      );
      const json: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
      record.result = json;
      return json;
    } catch (error) {
      record.outcome = "error";
      const thrown = error instanceof Error ? error : new Error(String(error));
      record.error = { errorType: thrown.name, errorMessage: thrown.message };
      throw thrown;
    } finally {
      clearTimeout(timer);
      record.durationMs = Date.now() - startedAt;
      this.invocations.push(record);
      for (const listener of this.listeners) listener(record);
    }
  }

  /** The variables Lambda sets, the function's own, and the local cloud's endpoint. */
  environmentFor(definition: LocalFunctionDefinition): Record<string, string> {
    const { region, endpoint } = this.options;
    return {
      ...localSdkEnvironment(endpoint, region),
      // A function's role gives it temporary credentials, which always come with a token.
      AWS_SESSION_TOKEN: "local",
      AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.functionName}`,
      // What Lambda sets for an on-demand sandbox; Powertools reports cold_start only then.
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      _HANDLER: definition.exportName,
      TZ: "UTC",
      ...this.options.environment,
      ...definition.environment,
      ...consoleLogLevel(),
    };
  }

  private load(definition: LocalFunctionDefinition): Promise<Handler> {
    let loaded = this.handlers.get(definition.modulePath + definition.exportName);
    if (loaded === undefined) {
      // Modules load once, like a warm sandbox: module-scope clients are shared by invocations.
      loaded = import(pathToFileURL(definition.modulePath).href).then((module: object) => {
        const exported = (module as Record<string, unknown>)[definition.exportName];
        if (typeof exported !== "function") {
          throw new Error(
            `${definition.modulePath} does not export a ${definition.exportName} function`,
          );
        }
        return exported as Handler;
      });
      this.handlers.set(definition.modulePath + definition.exportName, loaded);
    }
    return loaded;
  }

  private context(
    definition: LocalFunctionDefinition,
    requestId: string,
    deadline: number,
  ): Context {
    const unsupported = () => {
      throw new Error("callback-style completion is not supported: return a promise");
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: definition.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: this.functionArn(definition),
      memoryLimitInMB: String(definition.memorySizeMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${definition.functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${requestId.replaceAll("-", "")}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }
}
