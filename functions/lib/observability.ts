import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { optionalString } from "./config";

/** The narrow logging surface core logic takes, so tests can pass a spy or a silent logger. */
export interface Log {
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
  debug(message: string, ...extra: object[]): void;
}

export type MetricUnitName = "Count" | "None" | "Milliseconds" | "Percent";

/** The narrow metrics surface core logic takes; `dimensions` adds per-metric dimensions. */
export interface MetricSink {
  record(
    name: string,
    unit: MetricUnitName,
    value: number,
    dimensions?: Readonly<Record<string, string>>,
  ): void;
}

/**
 * Metrics without extra dimensions go into the invocation's EMF blob (flushed by
 * `metrics.publishStoredMetrics()`); metrics with dimensions (one per service, say)
 * are emitted at once as their own blob so dimensions never leak between them.
 */
export function powertoolsMetricSink(target: Metrics): MetricSink {
  return {
    record(name, unit, value, dimensions) {
      if (dimensions === undefined || Object.keys(dimensions).length === 0) {
        target.addMetric(name, unit, value);
        return;
      }
      const single = target.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions))
        single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
    },
  };
}

/** The narrow logging and metrics surfaces every core takes in its deps. */
export interface Observed {
  readonly log: Log;
  readonly metrics: MetricSink;
}

/**
 * What the shared handler wrapper (./handler.ts) needs around an invocation: the narrow
 * surfaces it hands to the core, the Lambda context for every log line, and a flush at
 * the end. Narrow, so tests can record it without mocking Powertools.
 */
export interface Observability extends Observed {
  /** Adds the request id, function name and cold start to every log line after this. */
  addContext(context: Context): void;
  /** Sends the metrics the invocation stored (its EMF blob). */
  flush(): void;
}

/**
 * Powertools' Logger takes `Record<string, unknown>` extras, which the narrow `Log`
 * surface (`object`) is not assignable to; this adapter bridges the two, once.
 */
type LoggerExtras = Record<string, unknown>[];
function powertoolsLog(logger: Logger): Log {
  return {
    info: (message, ...extra) => logger.info(message, ...(extra as LoggerExtras)),
    warn: (message, ...extra) => logger.warn(message, ...(extra as LoggerExtras)),
    error: (message, ...extra) => logger.error(message, ...(extra as LoggerExtras)),
    debug: (message, ...extra) => logger.debug(message, ...(extra as LoggerExtras)),
  };
}

/**
 * A Powertools Logger and Metrics behind the narrow surfaces, made when called. The
 * handler wrapper calls it on a function's first invocation, inside the invocation's
 * environment, so the service name, namespace and log level come from the function's
 * POWERTOOLS_* variables and its first log line says cold_start: true. (Made at import
 * they would read the environment before the local cloud applies the template's, and
 * every function sharing one process would share one Logger.) On Lambda the wrapper
 * calls it once per sandbox, so there is still one Logger and one Metrics per process.
 */
export function powertools(): Observability {
  const logger = new Logger();
  const metrics = new Metrics({
    namespace: optionalString(process.env, "POWERTOOLS_METRICS_NAMESPACE") ?? "Microscale",
  });
  return {
    log: powertoolsLog(logger),
    metrics: powertoolsMetricSink(metrics),
    addContext: (context) => logger.addContext(context),
    // Metrics with dimensions went out as they were recorded; this sends the rest.
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** Discards everything: for unit tests and benchmarks. */
export const silentLog: Log = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};

export const silentMetrics: MetricSink = { record() {} };
