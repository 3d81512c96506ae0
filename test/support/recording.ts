/**
 * Spies for the narrow surfaces core logic takes (functions/lib/observability.ts): a
 * Log that keeps its lines, a MetricSink that keeps its points, and both inside an
 * Observability that also keeps the contexts and flushes the handler wrapper made.
 */
import type { Context } from "aws-lambda";
import type {
  Log,
  MetricSink,
  MetricUnitName,
  Observability,
} from "../../functions/lib/observability";

export interface LogLine {
  readonly level: "info" | "warn" | "error" | "debug";
  readonly message: string;
  /** The line's extras merged into one object, as Powertools writes them (an Error under `error`). */
  readonly extra: Record<string, unknown>;
}

function merged(extras: readonly object[]): Record<string, unknown> {
  const into: Record<string, unknown> = {};
  for (const extra of extras) {
    if (extra instanceof Error) into.error = extra;
    else Object.assign(into, extra);
  }
  return into;
}

export type RecordingLog = Log & { readonly lines: LogLine[] };

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, ...extra: object[]) => {
      lines.push({ level, message, extra: merged(extra) });
    };
  return { lines, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}

export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

export type RecordingMetrics = MetricSink & {
  readonly points: MetricPoint[];
  /** The last value recorded under `name`. */
  value(name: string): number | undefined;
};

export function recordingMetrics(): RecordingMetrics {
  const points: MetricPoint[] = [];
  return {
    points,
    record(name, unit, value, dimensions) {
      points.push({ name, unit, value, dimensions: { ...dimensions } });
    },
    value(name) {
      return points.findLast((point) => point.name === name)?.value;
    },
  };
}

export type RecordingObservability = Observability & {
  readonly log: RecordingLog;
  readonly metrics: RecordingMetrics;
  readonly contexts: Context[];
  /** How many times the wrapper flushed the metrics. */
  readonly flushes: () => number;
};

export function recordingObservability(): RecordingObservability {
  const contexts: Context[] = [];
  let flushes = 0;
  return {
    log: recordingLog(),
    metrics: recordingMetrics(),
    contexts,
    addContext: (context) => contexts.push(context),
    flush: () => {
      flushes += 1;
    },
    flushes: () => flushes,
  };
}
