import { cloudwatchErrors } from "./errors";

/** What one period of samples aggregates to; `values` are the raw values, when sent as such. */
export interface Aggregate {
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Raw values with their counts; a StatisticValues sample has none, so no percentile. */
  values: { value: number; count: number }[];
  /** False once a StatisticValues sample joined: percentiles are then unavailable, as on AWS. */
  percentilesAvailable: boolean;
}

export type SimpleStatistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";

/** A simple statistic, or a percentile `pNN` / `pNN.N` (0..100). */
export type Statistic = SimpleStatistic | { percentile: number; name: string };

export const simpleStatistics: readonly SimpleStatistic[] = [
  "Average",
  "Sum",
  "Minimum",
  "Maximum",
  "SampleCount",
];

/** A statistic name as GetMetricData's `Stat` carries it; undefined when it is not one. */
export function parseStatistic(name: string): Statistic | undefined {
  const simple = simpleStatistics.find((known) => known === name);
  if (simple !== undefined) return simple;
  return parsePercentile(name);
}

/** `p50`, `p99.9`: GetMetricStatistics' ExtendedStatistics and GetMetricData's `Stat`. */
export function parsePercentile(name: string): { percentile: number; name: string } | undefined {
  const match = /^p(\d{1,2}(?:\.\d{1,10})?|100)$/.exec(name);
  if (match === null) return undefined;
  return { percentile: Number(match[1]), name };
}

export function readExtendedStatistic(name: unknown, parameter: string) {
  const percentile = typeof name === "string" ? parsePercentile(name) : undefined;
  if (percentile === undefined) {
    throw cloudwatchErrors.invalidValue(
      `The value ${String(name)} for parameter ${parameter} is not a valid percentile statistic.`,
    );
  }
  return percentile;
}

/** The statistic of one period; undefined when it cannot be computed (a percentile of StatisticValues). */
export function statisticOf(stat: Statistic, aggregate: Aggregate): number | undefined {
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
    default:
      return percentileOf(stat.percentile, aggregate);
  }
}

/** Nearest rank over the period's values, each weighted by its count. */
function percentileOf(percentile: number, aggregate: Aggregate): number | undefined {
  if (!aggregate.percentilesAvailable || aggregate.values.length === 0) return undefined;
  const sorted = [...aggregate.values].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, entry) => sum + entry.count, 0);
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (const entry of sorted) {
    seen += entry.count;
    if (seen >= rank) return entry.value;
  }
  return sorted[sorted.length - 1]?.value;
}

export function merge(into: Aggregate, sample: Aggregate): void {
  into.sum += sample.sum;
  into.count += sample.count;
  into.min = Math.min(into.min, sample.min);
  into.max = Math.max(into.max, sample.max);
  into.values.push(...sample.values);
  into.percentilesAvailable &&= sample.percentilesAvailable;
}
