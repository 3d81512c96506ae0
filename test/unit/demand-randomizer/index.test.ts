import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handler } from "../../../functions/demand-randomizer/index";
import { ConfigurationError, ValidationError } from "../../../functions/lib/errors";
import { demandImage } from "../../support/demand-item";
import { lambdaContext, sampleEvent } from "../../support/events";

vi.hoisted(() => {
  // Before functions/lib/observability creates the Logger and Metrics.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const ddb = mockClient(DynamoDBClient);
const tick = () => sampleEvent("demand-randomizer", "scheduled-tick");
const invoke = (event: unknown) => handler(event, lambdaContext());

beforeEach(() => {
  ddb.reset();
  vi.stubEnv("DEMAND_TABLE", "microscale-DemandTable");
  vi.stubEnv("DEMAND_SEED", "42");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("DemandRandomizerFunction handler", () => {
  it("takes the sample scheduled event and writes one step", async () => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 3) });
    ddb.on(PutItemCommand).resolves({});

    const summary = await invoke(tick());

    expect(summary).toMatchObject({ table: "microscale-DemandTable", version: 4, wrote: true });
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });

  it("accepts EventBridge Scheduler's scheduled event too", async () => {
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});

    await expect(invoke({ ...tick(), source: "aws.scheduler" })).resolves.toMatchObject({
      version: 1,
    });
  });

  it.each([
    [{}, "detail-type"],
    [{ ...tick(), "detail-type": "ECS Task State Change" }, "detail-type"],
    [{ ...tick(), source: "aws.ecs" }, "source"],
    ["tick", "event"],
  ])("rejects %o with a ValidationError naming %s, before any call", async (event, field) => {
    await expect(invoke(event)).rejects.toThrow(ValidationError);
    await expect(invoke(event)).rejects.toMatchObject({ field });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it("fails fast on a missing DEMAND_TABLE", async () => {
    vi.stubEnv("DEMAND_TABLE", "");

    await expect(invoke(tick())).rejects.toThrow(ConfigurationError);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
