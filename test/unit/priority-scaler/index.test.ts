import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError, ValidationError } from "../../../functions/lib/errors";
import { handler } from "../../../functions/priority-scaler/index";
import { demandImage } from "../../support/demand-item";
import { type EventBridgeSample, lambdaContext, sampleEvent } from "../../support/events";

vi.hoisted(() => {
  // Before functions/lib/observability creates the Logger and Metrics.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const ecs = mockClient(ECSClient);
const invoke = (event: unknown) => handler(event, lambdaContext());
const ddb = mockClient(DynamoDBClient);

const service = (serviceName: string, desiredCount: number) => ({
  serviceName,
  status: "ACTIVE",
  desiredCount,
  runningCount: desiredCount,
  pendingCount: 0,
});

beforeEach(() => {
  ecs.reset();
  ddb.reset();
  vi.stubEnv("CLUSTER", "microscale");
  vi.stubEnv("HIGH_PRIORITY_SERVICE", "high-priority");
  vi.stubEnv("LOW_PRIORITY_SERVICE", "low-priority");
  vi.stubEnv("CAPACITY", "9");
  vi.stubEnv("DEMAND_TABLE", "microscale-DemandTable");
  ecs.on(DescribeServicesCommand).resolves({
    services: [service("high-priority", 4), service("low-priority", 5)],
  });
  ecs.on(UpdateServiceCommand).resolves({});
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("PriorityScalerFunction handler", () => {
  it.each([
    "demand-inserted",
    "demand-modified",
    "scheduled-reconcile",
    "container-instance-state-change",
  ])("handles the sample %s event", async (name) => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(2, 1) });

    const summary = await invoke(sampleEvent("priority-scaler", name));

    expect(summary).toMatchObject({ demand: 2, target: { high: 2, low: 7 } });
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      service: "high-priority",
      desiredCount: 2,
    });
  });

  it("ignores another cluster's container instance state change without a call", async () => {
    const event = sampleEvent<EventBridgeSample>(
      "priority-scaler",
      "container-instance-state-change",
    );
    event.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/batch";

    const summary = await invoke(event);

    expect(summary).toMatchObject({
      trigger: "container-instance-state-change",
      ignored: "event is for cluster batch, not microscale",
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  it("rejects an unrelated event before any call", async () => {
    await expect(
      invoke({ source: "aws.ecs", "detail-type": "ECS Task State Change" }),
    ).rejects.toThrow(ValidationError);
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  it("fails fast on missing configuration", async () => {
    vi.stubEnv("HIGH_PRIORITY_SERVICE", "");

    await expect(invoke(sampleEvent("priority-scaler", "scheduled-reconcile"))).rejects.toThrow(
      ConfigurationError,
    );
    expect(ecs).not.toHaveReceivedAnyCommand();
  });
});
