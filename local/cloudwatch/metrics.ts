import { offsetPage } from "../edge/paging";
import { cloudwatchErrors, readUnit } from "./errors";
import { evaluate, type Points, references } from "./math";
import {
  datapointOf,
  dimensionsOf,
  identityOf,
  type Request,
  readPeriod,
  samplesOf,
  timeRange,
  toMillis,
  valueSample,
} from "./request";
import {
  parseStatistic,
  readExtendedStatistic,
  type Statistic,
  simpleStatistics,
  statisticOf,
} from "./statistics";
import { type BucketQuery, type Dimension, type MetricIdentity, SeriesStore } from "./store";

export type { Dimension } from "./store";

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

const { invalidValue, missing, combination } = cloudwatchErrors;

/** ListMetrics answers 500 metrics a page. */
const listPageSize = 500;

/**
 * CloudWatch metrics in memory (JSON 1.0, awsQuery-compatible errors): PutMetricData,
 * GetMetricData (simple and percentile statistics, the common metric math),
 * GetMetricStatistics and ListMetrics.
 */
export class MetricsStore {
  private readonly store = new SeriesStore();

  async handle(operation: string, input: unknown): Promise<unknown> {
    const request = (typeof input === "object" && input !== null ? input : {}) as Request;
    switch (operation) {
      case "PutMetricData":
        this.putMetricData(request);
        return {};
      case "GetMetricData":
        return this.getMetricData(request);
      case "GetMetricStatistics":
        return this.getMetricStatistics(request);
      case "ListMetrics":
        return this.listMetrics(request);
      default:
        throw cloudwatchErrors.unknownOperation(operation);
    }
  }

  /**
   * A datapoint an AWS service publishes itself, in a namespace users may not write to
   * (`AWS/ECS/ManagedScaling`, …): the in-process path PutMetricData refuses.
   */
  publish(
    namespace: string,
    metricName: string,
    dimensions: Dimension[],
    value: number,
    time: number,
  ): void {
    this.store.add({ namespace, metricName, dimensions }, [
      { time, unit: "Percent", ...valueSample(value) },
    ]);
  }

  private putMetricData(request: Request): void {
    const namespace = request.Namespace;
    if (typeof namespace !== "string" || namespace === "") throw missing("Namespace");
    if (namespace.startsWith("AWS/")) {
      throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    const data = request.MetricData;
    if (!Array.isArray(data) || data.length === 0) throw missing("MetricData");
    if (data.length > 1000) throw invalidValue("MetricData can hold at most 1000 items.");
    // Every datum is checked before any is stored: a refused request writes nothing.
    const batches = (data as Request[]).map((raw, index) => {
      const member = `MetricData.member.${index + 1}`;
      if (typeof raw.MetricName !== "string" || raw.MetricName === "")
        throw missing(`${member}.MetricName`);
      const time = raw.Timestamp === undefined ? Date.now() : toMillis(raw.Timestamp, "Timestamp");
      const unit = readUnit(raw.Unit, `${member}.Unit`) ?? "None";
      const identity = {
        namespace,
        metricName: raw.MetricName,
        dimensions: dimensionsOf(raw.Dimensions),
      };
      return { identity, samples: samplesOf(raw).map((s) => ({ ...s, time, unit })) };
    });
    for (const { identity, samples } of batches) this.store.add(identity, samples);
  }

  private getMetricData(request: Request): unknown {
    const queries = request.MetricDataQueries;
    if (!Array.isArray(queries) || queries.length === 0) throw missing("MetricDataQueries");
    if (queries.length > 500) throw invalidValue("MetricDataQueries can hold at most 500 items.");
    const { start, end } = timeRange(request);
    const ascending = request.ScanBy === "TimestampAscending";
    const byId = new Map<string, Request>();
    for (const query of queries as Request[]) {
      const id = query.Id;
      if (typeof id !== "string" || !/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
        throw invalidValue("Each query needs an Id starting with a lowercase letter.");
      }
      if (byId.has(id)) throw invalidValue(`The value ${id} for parameter Id is not unique.`);
      if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
        throw combination(`Query ${id}: give exactly one of MetricStat and Expression.`);
      }
      byId.set(id, query);
    }
    const results = new Map<string, Points>();
    const metricIds = [...byId].filter(([, q]) => q.MetricStat !== undefined).map(([id]) => id);
    [...byId].forEach(([id, query], index) => {
      if (query.MetricStat !== undefined) {
        results.set(id, this.metricStat(query.MetricStat as Request, index + 1, start, end));
      }
    });
    const evaluating = new Set<string>();
    const resolve = (id: string): Points | undefined => {
      const done = results.get(id);
      if (done !== undefined) return done;
      const query = byId.get(id);
      if (query === undefined) return undefined;
      if (evaluating.has(id))
        throw invalidValue(`Error in expression '${id}': it refers to itself.`);
      evaluating.add(id);
      const expression = String(query.Expression);
      for (const ref of references(id, expression)) resolve(ref);
      const points = evaluate(id, expression, {
        series: (ref) => results.get(ref),
        metricIds: () => metricIds,
        timestamps: () =>
          [...new Set([...results.values()].flatMap((p) => [...p.keys()]))].sort((a, b) => a - b),
      });
      results.set(id, points);
      return points;
    };
    for (const id of byId.keys()) resolve(id);
    const returned = [...byId]
      .filter(([, query]) => query.ReturnData !== false)
      .map(([id, query]) => {
        const points = [...(results.get(id) ?? new Map<number, number>())].sort(
          ([a], [b]) => a - b,
        );
        if (!ascending) points.reverse();
        const metric = ((query.MetricStat as Request | undefined)?.Metric ?? {}) as Request;
        return {
          Id: id,
          Label: typeof query.Label === "string" ? query.Label : String(metric.MetricName ?? id),
          Timestamps: points.map(([time]) => time / 1000),
          Values: points.map(([, value]) => value),
          StatusCode: "Complete",
          Messages: [],
        };
      });
    return { MetricDataResults: returned, Messages: [] };
  }

  private metricStat(stat: Request, member: number, start: Date, end: Date): Points {
    const name = `MetricDataQueries.member.${member}.MetricStat`;
    const statistic = typeof stat.Stat === "string" ? parseStatistic(stat.Stat) : undefined;
    if (statistic === undefined) {
      throw invalidValue(`The value for parameter ${name}.Stat is not a valid statistic.`);
    }
    const metric = (stat.Metric ?? {}) as Request;
    const query = {
      ...identityOf(metric),
      periodSeconds: readPeriod(stat.Period, `${name}.Period`),
      start,
      end,
      unit: readUnit(stat.Unit, `${name}.Unit`),
    };
    return new Map(this.statisticPerPeriod(query, statistic));
  }

  /**
   * `[period start, statistic]` for each period with samples, oldest first; a period whose
   * samples cannot give the statistic (a percentile of StatisticValues) is left out.
   */
  private statisticPerPeriod(query: BucketQuery, statistic: Statistic): [number, number][] {
    return this.store.buckets(query).flatMap((bucket) => {
      const value = statisticOf(statistic, bucket.aggregate);
      return value === undefined ? [] : [[bucket.time, value] as [number, number]];
    });
  }

  private getMetricStatistics(request: Request): unknown {
    if (typeof request.Namespace !== "string") throw missing("Namespace");
    if (typeof request.MetricName !== "string") throw missing("MetricName");
    if (request.Period === undefined) throw missing("Period");
    const { start, end } = timeRange(request);
    const periodSeconds = readPeriod(request.Period, "Period");
    const simple = ((request.Statistics ?? []) as unknown[]).map((name, index) => {
      const known = simpleStatistics.find((stat) => stat === name);
      if (known === undefined) {
        throw invalidValue(
          `The parameter Statistics.member.${index + 1} must be a value in the set [ ${simpleStatistics.join(", ")} ].`,
        );
      }
      return known;
    });
    const extended = ((request.ExtendedStatistics ?? []) as unknown[]).map((name, index) =>
      readExtendedStatistic(name, `ExtendedStatistics.member.${index + 1}`),
    );
    if (simple.length === 0 && extended.length === 0) {
      throw missing("Statistics or ExtendedStatistics");
    }
    if (simple.length + extended.length > 10) {
      throw invalidValue("Statistics and ExtendedStatistics can hold at most 10 items together.");
    }
    const buckets = this.store.buckets({
      namespace: request.Namespace,
      metricName: request.MetricName,
      dimensions: dimensionsOf(request.Dimensions),
      periodSeconds,
      start,
      end,
      unit: readUnit(request.Unit, "Unit"),
    });
    return {
      Label: request.MetricName,
      Datapoints: buckets.map((bucket) => datapointOf(bucket, simple, extended)),
    };
  }

  private listMetrics(request: Request): unknown {
    const filters = ((request.Dimensions ?? []) as Request[]).map((filter) => {
      if (typeof filter.Name !== "string") throw missing("Dimensions.member.N.Name");
      return {
        name: filter.Name,
        value: typeof filter.Value === "string" ? filter.Value : undefined,
      };
    });
    // RecentlyActive=PT3H: only metrics with a datapoint in the last three hours.
    const since = request.RecentlyActive === "PT3H" ? Date.now() - 3 * 3_600_000 : -Infinity;
    const matching = this.store
      .all()
      .filter(
        (metric) =>
          (request.Namespace === undefined || metric.namespace === request.Namespace) &&
          (request.MetricName === undefined || metric.metricName === request.MetricName) &&
          metric.lastPut >= since &&
          filters.every((filter) =>
            metric.dimensions.some(
              (d) =>
                d.Name === filter.name && (filter.value === undefined || d.Value === filter.value),
            ),
          ),
      );
    const { items, nextToken } = offsetPage(matching, {
      size: listPageSize,
      token: request.NextToken === undefined ? undefined : String(request.NextToken),
      scope: "ListMetrics",
      refuse: cloudwatchErrors.invalidListToken,
    });
    return {
      Metrics: items.map(({ namespace, metricName, dimensions }) => ({
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: dimensions,
      })),
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    };
  }

  /** Aggregated datapoints, oldest first; periods aligned to multiples of the period since the epoch. */
  datapoints(query: DatapointQuery): Datapoint[] {
    return this.statisticPerPeriod(
      { ...query, dimensions: query.dimensions ?? [] },
      query.stat,
    ).map(([time, value]) => ({ timestamp: new Date(time), value }));
  }

  /** Every metric stored so far (namespace, name, dimensions). */
  metrics(): MetricIdentity[] {
    return this.store.all().map(({ namespace, metricName, dimensions }) => ({
      namespace,
      metricName,
      dimensions,
    }));
  }
}
