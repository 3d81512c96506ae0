import { cloudwatchErrors, type StandardUnit } from "./errors";
import { type Aggregate, type SimpleStatistic, statisticOf } from "./statistics";
import type { Dimension, MetricIdentity, Sample } from "./store";

/**
 * The fields of CloudWatch requests, read as AWS reads them (JSON 1.0: timestamps in
 * epoch seconds), with AWS's error for each bad one; and the datapoint shape
 * GetMetricStatistics answers with. `metrics.ts` keeps the operations.
 */

export type Request = Record<string, unknown>;

const { invalidValue, missing, combination } = cloudwatchErrors;

/** One GetMetricStatistics datapoint: the simple statistics asked for and the percentiles that exist. */
export function datapointOf(
  bucket: { time: number; aggregate: Aggregate; unit: StandardUnit },
  simple: SimpleStatistic[],
  extended: { percentile: number; name: string }[],
) {
  const point: Record<string, unknown> = { Timestamp: bucket.time / 1000, Unit: bucket.unit };
  for (const stat of simple) point[stat] = statisticOf(stat, bucket.aggregate);
  if (extended.length > 0) {
    point.ExtendedStatistics = Object.fromEntries(
      extended.flatMap((stat) => {
        const value = statisticOf(stat, bucket.aggregate);
        return value === undefined ? [] : [[stat.name, value]];
      }),
    );
  }
  return point;
}

export function timeRange(request: Request): { start: Date; end: Date } {
  if (request.StartTime === undefined) throw missing("StartTime");
  if (request.EndTime === undefined) throw missing("EndTime");
  const start = new Date(toMillis(request.StartTime, "StartTime"));
  const end = new Date(toMillis(request.EndTime, "EndTime"));
  if (start >= end) {
    throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  }
  return { start, end };
}

/** 1, 5, 10, 20, 30 (high resolution) or a multiple of 60 seconds, as AWS allows. */
export function readPeriod(value: unknown, parameter: string): number {
  const valid =
    typeof value === "number" &&
    Number.isInteger(value) &&
    (value % 60 === 0 ? value > 0 : [1, 5, 10, 20, 30].includes(value));
  if (!valid) {
    throw invalidValue(
      `The parameter ${parameter} must be 1, 5, 10, 20, 30, or any multiple of 60.`,
    );
  }
  return value;
}

export function identityOf(metric: Request): MetricIdentity {
  return {
    namespace: String(metric.Namespace ?? ""),
    metricName: String(metric.MetricName ?? ""),
    dimensions: dimensionsOf(metric.Dimensions),
  };
}

/** JSON 1.0 timestamps are epoch seconds; accept ISO strings too. */
export function toMillis(value: unknown, name: string): number {
  if (typeof value === "number") return value * 1000;
  if (typeof value === "string" && Number.isFinite(Date.parse(value))) return Date.parse(value);
  throw invalidValue(`The parameter ${name} must be a timestamp.`);
}

export function dimensionsOf(raw: unknown): Dimension[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidValue("Dimensions must be a list.");
  return raw.map((d: { Name?: unknown; Value?: unknown }) => {
    if (typeof d.Name !== "string" || typeof d.Value !== "string") {
      throw invalidValue("Each dimension needs a Name and a Value.");
    }
    return { Name: d.Name, Value: d.Value };
  });
}

/** A value seen `count` times (PutMetricData's Value, or one of Values with its Counts). */
export function valueSample(value: number, count = 1): Omit<Sample, "time" | "unit"> {
  return {
    sum: value * count,
    count,
    min: value,
    max: value,
    values: [{ value, count }],
    percentilesAvailable: true,
  };
}

/** PutMetricData's datum: Value, Values with Counts, or StatisticValues (no percentiles then). */
export function samplesOf(raw: Request): Omit<Sample, "time" | "unit">[] {
  if (typeof raw.Value === "number") return [valueSample(raw.Value)];
  if (Array.isArray(raw.Values)) {
    const counts = Array.isArray(raw.Counts) ? (raw.Counts as number[]) : [];
    return (raw.Values as number[]).map((value, index) => valueSample(value, counts[index] ?? 1));
  }
  const statistics = raw.StatisticValues as Request | undefined;
  if (statistics !== undefined) {
    const { SampleCount, Sum, Minimum, Maximum } = statistics;
    if ([SampleCount, Sum, Minimum, Maximum].every((value) => typeof value === "number")) {
      return [
        {
          count: SampleCount as number,
          sum: Sum as number,
          min: Minimum as number,
          max: Maximum as number,
          values: [],
          percentilesAvailable: false,
        },
      ];
    }
    throw invalidValue("StatisticValues needs SampleCount, Sum, Minimum and Maximum.");
  }
  throw combination("One of Value, Values or StatisticValues must be given.");
}
