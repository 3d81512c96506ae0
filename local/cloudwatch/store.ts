import type { StandardUnit } from "./errors";
import { type Aggregate, merge } from "./statistics";

export interface Dimension {
  Name: string;
  Value: string;
}

export interface Sample extends Aggregate {
  time: number;
  unit: StandardUnit;
}

export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

interface Series extends MetricIdentity {
  samples: Sample[];
  lastPut: number;
}

/** One period's aggregate, with the unit its samples were sent with. */
export interface Bucket {
  time: number;
  aggregate: Aggregate;
  unit: StandardUnit;
}

export interface BucketQuery extends MetricIdentity {
  periodSeconds: number;
  start: Date;
  end: Date;
  /** Only samples sent with this unit; CloudWatch converts no units. */
  unit?: StandardUnit;
}

function seriesKey({ namespace, metricName, dimensions }: MetricIdentity): string {
  const sorted = [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : 1));
  return JSON.stringify([namespace, metricName, sorted.map((d) => [d.Name, d.Value])]);
}

/** The metrics in memory: a series per namespace, name and exact set of dimensions. */
export class SeriesStore {
  private readonly series = new Map<string, Series>();

  add(identity: MetricIdentity, samples: Sample[], now = Date.now()): void {
    const key = seriesKey(identity);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { ...identity, samples: [], lastPut: now };
      this.series.set(key, series);
    }
    series.lastPut = now;
    series.samples.push(...samples);
  }

  /** Periods with samples, oldest first, aligned to multiples of the period since the epoch. */
  buckets(query: BucketQuery): Bucket[] {
    const series = this.series.get(seriesKey(query));
    if (series === undefined) return [];
    const periodMs = query.periodSeconds * 1000;
    const buckets = new Map<number, Bucket>();
    for (const sample of series.samples) {
      if (sample.time < query.start.getTime() || sample.time >= query.end.getTime()) continue;
      if (query.unit !== undefined && sample.unit !== query.unit) continue;
      const time = Math.floor(sample.time / periodMs) * periodMs;
      const into = buckets.get(time);
      const { time: _, unit, ...aggregate } = sample;
      if (into === undefined) {
        buckets.set(time, {
          time,
          unit,
          aggregate: { ...aggregate, values: [...aggregate.values] },
        });
      } else merge(into.aggregate, aggregate);
    }
    return [...buckets.values()].sort((a, b) => a.time - b.time);
  }

  /** Every series, with the time of its last PutMetricData. */
  all(): (MetricIdentity & { lastPut: number })[] {
    return [...this.series.values()].map(({ namespace, metricName, dimensions, lastPut }) => ({
      namespace,
      metricName,
      dimensions,
      lastPut,
    }));
  }
}
