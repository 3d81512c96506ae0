import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../functions/lib/errors";
import { loadConfig } from "../../../functions/priority-scaler/config";

const cluster = "microscale";
const table = "microscale-DemandTable";
const env = {
  CLUSTER: cluster,
  HIGH_PRIORITY_SERVICE: "high-priority",
  LOW_PRIORITY_SERVICE: "low-priority",
  CAPACITY: "9",
  DEMAND_TABLE: table,
};

describe("priority scaler configuration", () => {
  it("defaults to demand from DynamoDB and capacity from the cluster", () => {
    expect(loadConfig({ ...env, CAPACITY: undefined })).toEqual({
      cluster,
      services: { high: "high-priority", low: "low-priority" },
      capacity: undefined,
      demand: { source: "dynamodb", table },
    });
  });

  it("reads the CloudWatch metric settings", () => {
    const loaded = loadConfig({
      ...env,
      DEMAND_SOURCE: "cloudwatch",
      DEMAND_METRIC_NAMESPACE: "Microscale",
      DEMAND_METRIC_NAME: "QueueDepth",
      DEMAND_METRIC_DIMENSIONS: "Queue=work, Stage = dev",
      DEMAND_METRIC_PERIOD: "300",
    });

    expect(loaded.demand).toEqual({
      source: "cloudwatch",
      metric: {
        namespace: "Microscale",
        name: "QueueDepth",
        dimensions: [
          { Name: "Queue", Value: "work" },
          { Name: "Stage", Value: "dev" },
        ],
        stat: "Average",
        period: 300,
      },
    });
  });

  it.each([
    [{ CLUSTER: "" }, "CLUSTER"],
    [{ LOW_PRIORITY_SERVICE: "high-priority" }, "LOW_PRIORITY_SERVICE"],
    [{ CAPACITY: "-1" }, "CAPACITY"],
    [{ DEMAND_SOURCE: "sqs" }, "DEMAND_SOURCE"],
    [{ DEMAND_TABLE: "" }, "DEMAND_TABLE"],
    [{ DEMAND_SOURCE: "cloudwatch", DEMAND_METRIC_NAME: "x" }, "DEMAND_METRIC_NAMESPACE"],
    [
      {
        DEMAND_SOURCE: "cloudwatch",
        DEMAND_METRIC_NAMESPACE: "n",
        DEMAND_METRIC_NAME: "x",
        DEMAND_METRIC_DIMENSIONS: "Queue",
      },
      "DEMAND_METRIC_DIMENSIONS",
    ],
    [
      {
        DEMAND_SOURCE: "cloudwatch",
        DEMAND_METRIC_NAMESPACE: "n",
        DEMAND_METRIC_NAME: "x",
        DEMAND_METRIC_PERIOD: "45",
      },
      "DEMAND_METRIC_PERIOD",
    ],
  ])("rejects %o naming %s", (overrides, variable) => {
    expect(() => loadConfig({ ...env, ...overrides })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...env, ...overrides })).toThrow(variable);
  });
});
