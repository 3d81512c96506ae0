import {
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  MissingRequiredParameterException,
  PutMetricDataCommand,
  paginateListMetrics,
  type StandardUnit,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let cloudwatch: ReturnType<typeof clientsFor>["cloudwatch"];
// One minute, aligned, well in the past: every sample below falls into it.
const base = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 600_000);
const end = new Date(base.getTime() + 60_000);
const latency = {
  Namespace: "Queries",
  MetricName: "Latency",
  Dimensions: [{ Name: "Service", Value: "web" }],
};

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  cloudwatch = clientsFor(cloud).cloudwatch;
  // Prepare: 1..100 ms, in Milliseconds; one stray sample in Seconds; a second metric.
  const values = Array.from({ length: 100 }, (_, index) => index + 1);
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: "Queries",
      MetricData: [
        { ...latency, Timestamp: base, Values: values, Unit: "Milliseconds" },
        { ...latency, Timestamp: base, Value: 5000, Unit: "Seconds" },
        { MetricName: "Requests", Dimensions: latency.Dimensions, Timestamp: base, Value: 40 },
        { MetricName: "Errors", Dimensions: latency.Dimensions, Timestamp: base, Value: 2 },
        {
          MetricName: "Requests",
          Dimensions: [{ Name: "Service", Value: "backend" }],
          Timestamp: base,
          Value: 10,
        },
      ],
    }),
  );
});

afterAll(async () => {
  await cloud.stop();
});

describe("CloudWatch GetMetricStatistics", () => {
  it("answers simple and percentile statistics of the samples in the asked unit", async () => {
    const { Datapoints } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        ...latency,
        StartTime: base,
        EndTime: end,
        Period: 60,
        Statistics: ["Maximum", "SampleCount"],
        ExtendedStatistics: ["p50", "p90", "p99"],
        Unit: "Milliseconds",
      }),
    );
    expect(Datapoints).toEqual([
      {
        Timestamp: base,
        Maximum: 100,
        SampleCount: 100,
        Unit: "Milliseconds",
        ExtendedStatistics: { p50: 50, p90: 90, p99: 99 },
      },
    ]);
  });

  it("refuses a Unit that is not a StandardUnit, and a request with no statistic", async () => {
    const bogus = cloudwatch.send(
      new GetMetricStatisticsCommand({
        ...latency,
        StartTime: base,
        EndTime: end,
        Period: 60,
        Statistics: ["Maximum"],
        // A value the SDK\'s type refuses, as a user\'s typo would be.
        Unit: "Parsecs" as StandardUnit,
      }),
    );
    await expect(bogus).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(bogus).rejects.toThrow("The parameter Unit must be a value in the set [ Seconds,");
    await expect(
      cloudwatch.send(
        new GetMetricStatisticsCommand({ ...latency, StartTime: base, EndTime: end, Period: 60 }),
      ),
    ).rejects.toBeInstanceOf(MissingRequiredParameterException);
  });
});

describe("CloudWatch GetMetricData", () => {
  it("computes percentiles and metric math over the other queries", async () => {
    const stat = (MetricName: string, Stat: string, Dimensions = latency.Dimensions) => ({
      MetricStat: { Metric: { Namespace: "Queries", MetricName, Dimensions }, Period: 60, Stat },
      ReturnData: false,
    });
    const { MetricDataResults } = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: base,
        EndTime: end,
        MetricDataQueries: [
          {
            Id: "p99",
            ...stat("Latency", "p99"),
            MetricStat: { ...stat("Latency", "p99").MetricStat, Unit: "Milliseconds" },
            ReturnData: true,
          },
          { Id: "requests", ...stat("Requests", "Sum") },
          { Id: "errors", ...stat("Errors", "Sum") },
          { Id: "backend", ...stat("Requests", "Sum", [{ Name: "Service", Value: "backend" }]) },
          { Id: "rate", Expression: "100 * errors / requests" },
          { Id: "total", Expression: "SUM([requests, backend])" },
          { Id: "peak", Expression: 'MAX(METRICS("re")) - (backend + -2)' },
        ],
      }),
    );
    const values = Object.fromEntries((MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(values).toEqual({ p99: [99], rate: [5], total: [50], peak: [40 - 8] });
  });

  it("refuses an expression it does not evaluate, naming the function", async () => {
    const query = cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: base,
        EndTime: end,
        MetricDataQueries: [{ Id: "a", Expression: "ANOMALY_DETECTION_BAND(m1)" }],
      }),
    );
    await expect(query).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(query).rejects.toThrow("ANOMALY_DETECTION_BAND");
  });
});

describe("CloudWatch ListMetrics", () => {
  it("lists the metrics matching a namespace, a name and a dimension filter", async () => {
    const { Metrics } = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: "Queries",
        Dimensions: [{ Name: "Service", Value: "web" }],
      }),
    );
    expect(Metrics?.map((metric) => metric.MetricName).sort()).toEqual([
      "Errors",
      "Latency",
      "Requests",
    ]);
    const requests = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: "Queries", MetricName: "Requests" }),
    );
    expect(requests.Metrics?.map((metric) => metric.Dimensions?.[0]?.Value).sort()).toEqual([
      "backend",
      "web",
    ]);
  });

  it("pages 500 metrics at a time, and refuses a NextToken it did not issue", async () => {
    // Prepare: 501 metrics in a namespace of their own, 100 a request.
    for (let from = 0; from < 501; from += 100) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: "Paging",
          MetricData: Array.from({ length: Math.min(100, 501 - from) }, (_, index) => ({
            MetricName: `m${from + index}`,
            Value: index,
          })),
        }),
      );
    }
    const names: string[] = [];
    for await (const page of paginateListMetrics({ client: cloudwatch }, { Namespace: "Paging" })) {
      names.push(...(page.Metrics ?? []).map((metric) => metric.MetricName ?? ""));
    }
    expect(new Set(names).size).toBe(501);
    // The offset 500 in the form the local cloud once issued: an unsigned base64url number.
    const forged = Buffer.from("500").toString("base64url");
    const listing = cloudwatch.send(
      new ListMetricsCommand({ Namespace: "Paging", NextToken: forged }),
    );
    await expect(listing).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(listing).rejects.toThrow("NextToken");
  });
});

describe("CloudWatch PutMetricData compressed", () => {
  it("reads a body the SDK gzipped (over 10 KiB), as AWS does", async () => {
    // Prepare: 300 metrics with a long dimension each, well over the SDK's 10 KiB.
    const encodings: string[] = [];
    const client = clientsFor(cloud).cloudwatch;
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        encodings.push(headers["content-encoding"] ?? "");
        return next(args);
      },
      { step: "finalizeRequest", name: "recordContentEncoding" },
    );
    const host = "h".repeat(40);

    // Act
    await client.send(
      new PutMetricDataCommand({
        Namespace: "Compressed",
        MetricData: Array.from({ length: 300 }, (_, index) => ({
          MetricName: `m${index}`,
          Dimensions: [{ Name: "Host", Value: `${host}-${index}` }],
          Value: index,
        })),
      }),
    );

    // Assess: the request went gzipped, and every metric arrived.
    expect(encodings).toEqual(["gzip"]);
    const names: string[] = [];
    for await (const page of paginateListMetrics({ client }, { Namespace: "Compressed" })) {
      names.push(...(page.Metrics ?? []).map((metric) => metric.MetricName ?? ""));
    }
    expect(new Set(names).size).toBe(300);
  });
});
