import {
  GetMetricDataCommand,
  InvalidParameterValueException,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let cloudwatch: ReturnType<typeof clientsFor>["cloudwatch"];

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  cloudwatch = clientsFor(cloud).cloudwatch;
});

afterAll(async () => {
  await cloud.stop();
});

describe("CloudWatch metrics (JSON 1.0, as the installed SDK client sends)", () => {
  it("aggregates PutMetricData per period with the five statistics", async () => {
    // Prepare: two samples in one minute, one in the next (base is aligned to 2 minutes).
    const base = new Date(Math.floor(Date.now() / 120_000) * 120_000 - 240_000);
    const dimensions = [{ Name: "Service", Value: "web" }];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "Microscale",
        MetricData: [
          {
            MetricName: "Demand",
            Dimensions: dimensions,
            Timestamp: new Date(base.getTime() + 1_000),
            Value: 2,
          },
          {
            MetricName: "Demand",
            Dimensions: dimensions,
            Timestamp: new Date(base.getTime() + 2_000),
            Value: 6,
          },
          {
            MetricName: "Demand",
            Dimensions: dimensions,
            Timestamp: new Date(base.getTime() + 61_000),
            Values: [1, 3],
            Counts: [1, 3],
          },
        ],
      }),
    );
    // Act
    const metric = { Namespace: "Microscale", MetricName: "Demand", Dimensions: dimensions };
    const result = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: base,
        EndTime: new Date(base.getTime() + 120_000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: (["Average", "Sum", "Minimum", "Maximum", "SampleCount"] as const).map(
          (stat) => ({
            Id: stat.toLowerCase(),
            MetricStat: { Metric: metric, Period: 60, Stat: stat },
          }),
        ),
      }),
    );
    // Assess
    const values = Object.fromEntries(
      (result.MetricDataResults ?? []).map((r) => [r.Id, r.Values]),
    );
    expect(values).toEqual({
      average: [4, 2.5],
      sum: [8, 10],
      minimum: [2, 1],
      maximum: [6, 3],
      samplecount: [2, 4],
    });
    expect(result.MetricDataResults?.[0]?.Timestamps).toEqual([
      base,
      new Date(base.getTime() + 60_000),
    ]);
    expect(result.MetricDataResults?.[0]?.StatusCode).toBe("Complete");
    expect(
      cloud.cloudwatch.datapoints({
        namespace: "Microscale",
        metricName: "Demand",
        dimensions,
        periodSeconds: 120,
        stat: "Maximum",
        start: base,
        end: new Date(base.getTime() + 120_000),
      }),
    ).toEqual([{ timestamp: base, value: 6 }]);
  });

  it("matches dimensions exactly and rejects bad input with the SDK's classes", async () => {
    const result = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(),
        MetricDataQueries: [
          {
            Id: "q",
            MetricStat: {
              Metric: { Namespace: "Microscale", MetricName: "Demand" },
              Period: 60,
              Stat: "Sum",
            },
          },
        ],
      }),
    );
    expect(result.MetricDataResults?.[0]?.Values).toEqual([]);
    await expect(
      cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: "AWS/ECS",
          MetricData: [{ MetricName: "x", Value: 1 }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});
