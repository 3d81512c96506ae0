import { describe, expect, it } from "vitest";
import { MetricsStore } from "../../../../local/cloudwatch/metrics";
import type { Statistic } from "../../../../local/cloudwatch/statistics";

// Two aligned minutes well in the past: values in the first, only StatisticValues in the second.
const base = Math.floor(Date.now() / 60_000) * 60_000 - 600_000;
const metric = { Namespace: "Tidy", MetricName: "Latency" };

async function store(): Promise<MetricsStore> {
  const metrics = new MetricsStore();
  await metrics.handle("PutMetricData", {
    Namespace: metric.Namespace,
    MetricData: [
      { MetricName: metric.MetricName, Timestamp: (base + 1_000) / 1000, Values: [10, 20, 30] },
      {
        MetricName: metric.MetricName,
        Timestamp: (base + 61_000) / 1000,
        StatisticValues: { SampleCount: 2, Sum: 100, Minimum: 40, Maximum: 60 },
      },
    ],
  });
  return metrics;
}

/** GetMetricData's answer for one MetricStat, as [epoch ms, value] pairs. */
async function metricStat(metrics: MetricsStore, stat: string): Promise<[number, number][]> {
  const answer = (await metrics.handle("GetMetricData", {
    StartTime: base / 1000,
    EndTime: (base + 120_000) / 1000,
    ScanBy: "TimestampAscending",
    MetricDataQueries: [{ Id: "q", MetricStat: { Metric: metric, Period: 60, Stat: stat } }],
  })) as { MetricDataResults: { Timestamps: number[]; Values: number[] }[] };
  const [result] = answer.MetricDataResults;
  return (result?.Timestamps ?? []).map((t, i) => [t * 1000, result?.Values[i] ?? Number.NaN]);
}

function datapoints(metrics: MetricsStore, stat: Statistic): [number, number][] {
  return metrics
    .datapoints({
      namespace: metric.Namespace,
      metricName: metric.MetricName,
      periodSeconds: 60,
      stat,
      start: new Date(base),
      end: new Date(base + 120_000),
    })
    .map(({ timestamp, value }) => [timestamp.getTime(), value]);
}

describe("a statistic per period, as GetMetricData and datapoints() answer it", () => {
  it("gives each period's statistic at the period's start, the same both ways", async () => {
    const metrics = await store();
    const expected: [number, number][] = [
      [base, 30],
      [base + 60_000, 60],
    ];
    expect(await metricStat(metrics, "Maximum")).toEqual(expected);
    expect(datapoints(metrics, "Maximum")).toEqual(expected);
  });

  it("leaves out a period whose samples cannot give the statistic (a percentile of StatisticValues)", async () => {
    const metrics = await store();
    expect(await metricStat(metrics, "p50")).toEqual([[base, 20]]);
    expect(datapoints(metrics, { percentile: 50, name: "p50" })).toEqual([[base, 20]]);
  });
});
