import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type ApiCalls, sent } from "../lib/api-calls";
import { DEMAND_PK, getDemandItem } from "../lib/demand-item";
import { MissingDataError, ValidationError } from "../lib/errors";

/**
 * Where demand comes from (`DEMAND_SOURCE`). Demand is a number of worker task
 * slots, a whole number ≥ 0. No demand at all (no item yet, no datapoint) is a
 * MissingDataError; a value that is not a whole number ≥ 0 is a typed error too.
 * Neither ever leads to an UpdateService.
 */
export interface MetricQuery {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly stat: string;
  /** Seconds: 1, 5, 10, 30 or a multiple of 60. */
  readonly period: number;
}

export type DemandSource =
  | { readonly source: "dynamodb"; readonly table: string }
  | { readonly source: "cloudwatch"; readonly metric: MetricQuery };

export interface DemandReading {
  readonly demand: number;
  /** The stored item's version (dynamodb). */
  readonly version?: number;
  /** When the value was written (dynamodb) or measured (cloudwatch). */
  readonly at: string;
  /** The statistic before rounding up (cloudwatch). */
  readonly statistic?: number;
}

/** A strongly consistent read of the demand item: never older than any stream record. */
export async function readStoredDemand(
  dynamodb: DynamoDBClient,
  table: string,
  calls: ApiCalls,
): Promise<DemandReading> {
  const stored = await getDemandItem(dynamodb, table, calls);
  if (stored.state === "missing") {
    throw new MissingDataError(
      `${table}[${DEMAND_PK}]`,
      "there is no demand item yet (DemandRandomizerFunction writes the first one)",
    );
  }
  if (stored.state === "corrupt") throw stored.error;
  const { value, version, updatedAt } = stored.item;
  return { demand: value, version, at: updatedAt };
}

/** How far back to look for the newest datapoint: 5 periods, at least 5 minutes. */
function lookbackSeconds(period: number): number {
  return Math.max(5 * period, 300);
}

/**
 * The newest datapoint of the configured statistic, rounded up: demand counts whole
 * task slots, and a fractional average of 2.3 needs 3 tasks to be met.
 */
export async function readMetricDemand(
  cloudwatch: CloudWatchClient,
  metric: MetricQuery,
  now: Date,
  calls: ApiCalls,
): Promise<DemandReading> {
  const window = lookbackSeconds(metric.period);
  const output = await sent(calls, "cloudwatch:GetMetricData", () =>
    cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - window * 1000),
        EndTime: now,
        ScanBy: "TimestampDescending",
        MetricDataQueries: [
          {
            Id: "demand",
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: metric.namespace,
                MetricName: metric.name,
                Dimensions: metric.dimensions.map((d) => ({ ...d })),
              },
              Period: metric.period,
              Stat: metric.stat,
            },
          },
        ],
      }),
    ),
  );
  const series = `${metric.namespace}/${metric.name} ${metric.stat}`;
  const result = output.MetricDataResults?.find((r) => r.Id === "demand");
  const statistic = result?.Values?.[0];
  const at = result?.Timestamps?.[0];
  if (statistic === undefined || at === undefined) {
    const status = result?.StatusCode === undefined ? "" : ` (status ${result.StatusCode})`;
    throw new MissingDataError(series, `no datapoint in the last ${window} s${status}`);
  }
  if (!Number.isFinite(statistic) || statistic < 0) {
    throw new ValidationError(series, `demand must be a number ≥ 0, got ${statistic}`);
  }
  return { demand: Math.ceil(statistic), at: at.toISOString(), statistic };
}
