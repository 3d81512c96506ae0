import { AwsError } from "../edge/errors";

export interface Dimension {
  Name: string;
  Value: string;
}

export type Statistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";

interface Sample {
  time: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

interface Series {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  samples: Sample[];
}

export interface DatapointQuery {
  namespace: string;
  metricName: string;
  dimensions?: Dimension[];
  periodSeconds: number;
  stat: Statistic;
  start: Date;
  end: Date;
}

export interface Datapoint {
  timestamp: Date;
  value: number;
}

const statistics: readonly Statistic[] = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"];

/** CloudWatch speaks awsQuery-compatible JSON: each error has a query code too. */
const invalidValue = (message: string) =>
  new AwsError("InvalidParameterValueException", message, 400, "InvalidParameterValue");
const missing = (name: string) =>
  new AwsError(
    "MissingRequiredParameterException",
    `The parameter ${name} is required.`,
    400,
    "MissingParameter",
  );

function seriesKey(
  namespace: string,
  metricName: string,
  dimensions: readonly Dimension[],
): string {
  const sorted = [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : 1));
  return JSON.stringify([namespace, metricName, sorted.map((d) => [d.Name, d.Value])]);
}

/** JSON 1.0 timestamps are epoch seconds; accept ISO strings too. */
function toMillis(value: unknown, name: string): number {
  if (typeof value === "number") return value * 1000;
  if (typeof value === "string" && Number.isFinite(Date.parse(value))) return Date.parse(value);
  throw invalidValue(`The parameter ${name} must be a timestamp.`);
}

function dimensionsOf(raw: unknown): Dimension[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidValue("Dimensions must be a list.");
  return raw.map((d: { Name?: unknown; Value?: unknown }) => {
    if (typeof d.Name !== "string" || typeof d.Value !== "string") {
      throw invalidValue("Each dimension needs a Name and a Value.");
    }
    return { Name: d.Name, Value: d.Value };
  });
}

/**
 * CloudWatch metrics in memory: PutMetricData stores samples, GetMetricData aggregates
 * them per period with the five simple statistics (no percentiles, no metric math).
 */
export class MetricsStore {
  private readonly series = new Map<string, Series>();

  async handle(operation: string, input: unknown): Promise<unknown> {
    const request = (typeof input === "object" && input !== null ? input : {}) as Record<
      string,
      unknown
    >;
    switch (operation) {
      case "PutMetricData":
        this.putMetricData(request);
        return {};
      case "GetMetricData":
        return this.getMetricData(request);
      default:
        throw new AwsError(
          "InvalidAction",
          `The local cloud's CloudWatch does not implement ${operation}.`,
          400,
          "InvalidAction",
        );
    }
  }

  private putMetricData(request: Record<string, unknown>): void {
    const namespace = request.Namespace;
    if (typeof namespace !== "string" || namespace === "") throw missing("Namespace");
    if (namespace.startsWith("AWS/")) {
      throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    const data = request.MetricData;
    if (!Array.isArray(data) || data.length === 0) throw missing("MetricData");
    if (data.length > 1000) throw invalidValue("MetricData can hold at most 1000 items.");
    for (const raw of data as Record<string, unknown>[]) {
      if (typeof raw.MetricName !== "string" || raw.MetricName === "")
        throw missing("MetricData.member.N.MetricName");
      const time = raw.Timestamp === undefined ? Date.now() : toMillis(raw.Timestamp, "Timestamp");
      this.add(namespace, raw.MetricName, dimensionsOf(raw.Dimensions), time, samplesOf(raw));
    }
  }

  private add(
    namespace: string,
    metricName: string,
    dimensions: Dimension[],
    time: number,
    samples: Omit<Sample, "time">[],
  ): void {
    const key = seriesKey(namespace, metricName, dimensions);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { namespace, metricName, dimensions, samples: [] };
      this.series.set(key, series);
    }
    for (const sample of samples) series.samples.push({ time, ...sample });
  }

  private getMetricData(request: Record<string, unknown>): unknown {
    const queries = request.MetricDataQueries;
    if (!Array.isArray(queries) || queries.length === 0) throw missing("MetricDataQueries");
    if (queries.length > 500) throw invalidValue("MetricDataQueries can hold at most 500 items.");
    if (request.StartTime === undefined) throw missing("StartTime");
    if (request.EndTime === undefined) throw missing("EndTime");
    const start = new Date(toMillis(request.StartTime, "StartTime"));
    const end = new Date(toMillis(request.EndTime, "EndTime"));
    if (start >= end)
      throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
    const ascending = request.ScanBy === "TimestampAscending";
    const results = (queries as Record<string, unknown>[]).map((query) => {
      const id = query.Id;
      if (typeof id !== "string" || !/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
        throw invalidValue("Each query needs an Id starting with a lowercase letter.");
      }
      const stat = query.MetricStat as Record<string, unknown> | undefined;
      if (stat === undefined) {
        throw invalidValue(
          `Query ${id}: the local cloud supports MetricStat queries only (no Expression).`,
        );
      }
      const metric = (stat.Metric ?? {}) as Record<string, unknown>;
      const statistic = stat.Stat;
      if (typeof statistic !== "string" || !statistics.includes(statistic as Statistic)) {
        throw invalidValue(`Query ${id}: Stat must be one of ${statistics.join(", ")}.`);
      }
      const period = stat.Period;
      if (typeof period !== "number" || period < 1 || !Number.isInteger(period)) {
        throw invalidValue(`Query ${id}: Period must be a positive integer.`);
      }
      const points = this.datapoints({
        namespace: String(metric.Namespace ?? ""),
        metricName: String(metric.MetricName ?? ""),
        dimensions: dimensionsOf(metric.Dimensions),
        periodSeconds: period,
        stat: statistic as Statistic,
        start,
        end,
      });
      if (!ascending) points.reverse();
      return {
        Id: id,
        Label: typeof query.Label === "string" ? query.Label : String(metric.MetricName ?? id),
        Timestamps: points.map((point) => point.timestamp.getTime() / 1000),
        Values: points.map((point) => point.value),
        StatusCode: "Complete",
        Messages: [],
      };
    });
    const returned = results.filter(
      (_, index) => (queries[index] as { ReturnData?: boolean }).ReturnData !== false,
    );
    return { MetricDataResults: returned, Messages: [] };
  }

  /** Aggregated datapoints, oldest first; periods aligned to multiples of the period since the epoch. */
  datapoints(query: DatapointQuery): Datapoint[] {
    const series = this.series.get(
      seriesKey(query.namespace, query.metricName, query.dimensions ?? []),
    );
    if (series === undefined) return [];
    const periodMs = query.periodSeconds * 1000;
    const buckets = new Map<number, Omit<Sample, "time">>();
    for (const sample of series.samples) {
      if (sample.time < query.start.getTime() || sample.time >= query.end.getTime()) continue;
      const bucket = Math.floor(sample.time / periodMs) * periodMs;
      const into = buckets.get(bucket);
      if (into === undefined) buckets.set(bucket, { ...sample });
      else {
        into.sum += sample.sum;
        into.count += sample.count;
        into.min = Math.min(into.min, sample.min);
        into.max = Math.max(into.max, sample.max);
      }
    }
    return [...buckets]
      .sort(([a], [b]) => a - b)
      .map(([time, aggregate]) => ({
        timestamp: new Date(time),
        value: statisticOf(query.stat, aggregate),
      }));
  }

  /** Every metric stored so far (namespace, name, dimensions). */
  metrics(): { namespace: string; metricName: string; dimensions: Dimension[] }[] {
    return [...this.series.values()].map(({ namespace, metricName, dimensions }) => ({
      namespace,
      metricName,
      dimensions,
    }));
  }
}

function samplesOf(raw: Record<string, unknown>): Omit<Sample, "time">[] {
  if (typeof raw.Value === "number") {
    return [{ sum: raw.Value, count: 1, min: raw.Value, max: raw.Value }];
  }
  if (Array.isArray(raw.Values)) {
    const counts = Array.isArray(raw.Counts) ? (raw.Counts as number[]) : [];
    return (raw.Values as number[]).map((value, index) => {
      const count = counts[index] ?? 1;
      return { sum: value * count, count, min: value, max: value };
    });
  }
  const statistics = raw.StatisticValues as Record<string, unknown> | undefined;
  if (statistics !== undefined) {
    const { SampleCount, Sum, Minimum, Maximum } = statistics;
    if ([SampleCount, Sum, Minimum, Maximum].every((value) => typeof value === "number")) {
      return [
        {
          count: SampleCount as number,
          sum: Sum as number,
          min: Minimum as number,
          max: Maximum as number,
        },
      ];
    }
    throw invalidValue("StatisticValues needs SampleCount, Sum, Minimum and Maximum.");
  }
  throw new AwsError(
    "InvalidParameterCombinationException",
    "One of Value, Values or StatisticValues must be given.",
    400,
    "InvalidParameterCombination",
  );
}

function statisticOf(stat: Statistic, aggregate: Omit<Sample, "time">): number {
  switch (stat) {
    case "Average":
      return aggregate.count === 0 ? 0 : aggregate.sum / aggregate.count;
    case "Sum":
      return aggregate.sum;
    case "Minimum":
      return aggregate.min;
    case "Maximum":
      return aggregate.max;
    case "SampleCount":
      return aggregate.count;
  }
}
