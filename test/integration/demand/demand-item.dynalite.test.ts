/**
 * The demand item's optimistic concurrency against a real DynamoDB API (dynalite,
 * in process, on an ephemeral loopback port): conditional writes, lost races and
 * re-reads, as DynamoDB evaluates them — not as a mock says it would.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadConfig as loadRandomizerConfig,
  type RandomizerConfig,
} from "../../../functions/demand-randomizer/config";
import {
  type RandomizerSummary,
  randomizeDemand,
} from "../../../functions/demand-randomizer/randomizer";
import { CorruptItemError } from "../../../functions/lib/errors";
import { silentLog, silentMetrics } from "../../../functions/lib/observability";
import { loadConfig as loadScalerConfig } from "../../../functions/priority-scaler/config";
import { scalePriorities } from "../../../functions/priority-scaler/scaler";
import { demandImage } from "../../support/demand-item";
import { sampleEvent } from "../../support/events";
import { type LocalDynamoDB, startDynalite } from "./dynalite";

let local: LocalDynamoDB;
const client = () => local.client();

let tables = 0;
const freshTable = () => local.createDemandTable(`demand-${++tables}`);

function writer(
  table: string,
  dynamodb: DynamoDBClient,
  overrides: Partial<RandomizerConfig> = {},
) {
  const config = { ...loadRandomizerConfig({ DEMAND_TABLE: table }), ...overrides };
  const deps = {
    dynamodb,
    log: silentLog,
    metrics: silentMetrics,
    now: () => new Date(),
    random: Math.random,
  };
  return () => randomizeDemand(config, deps);
}

async function stored(table: string) {
  const { Item } = await client().send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: "demand" } }, ConsistentRead: true }),
  );
  return Item;
}

/** Every write is one step from the value it replaced, and versions run 1..n without a gap. */
function expectUnbrokenChain(summaries: RandomizerSummary[]) {
  const byVersion = [...summaries].sort((a, b) => a.version - b.version);
  expect(byVersion.map((s) => s.version)).toEqual(byVersion.map((_, i) => i + 1));
  byVersion.forEach((summary, i) => {
    const before = byVersion[i - 1];
    if (before === undefined) {
      expect(summary.previous).toBeNull();
      return;
    }
    expect(summary.previous).toEqual({ value: before.value, version: before.version });
    expect(Math.abs(summary.value - before.value)).toBeLessThanOrEqual(3);
  });
}

beforeAll(async () => {
  local = await startDynalite();
});

afterAll(async () => {
  await local.close();
});

describe("demand item against dynalite", () => {
  it("walks from half of MAX, one conditional write per step", async () => {
    const table = await freshTable();
    const step = writer(table, client());

    const summaries: RandomizerSummary[] = [];
    for (let i = 0; i < 20; i++) summaries.push(await step());

    expect(summaries[0]).toMatchObject({ value: 4, version: 1, previous: null });
    expectUnbrokenChain(summaries);
    expect(summaries.every((s) => s.attempts === 1 && s.value >= 0 && s.value <= 9)).toBe(true);
    expect(await stored(table)).toMatchObject({
      value: { N: String(summaries.at(-1)?.value) },
      version: { N: "20" },
    });
  });

  it("a writer that loses a race re-reads and steps from the winner's value", async () => {
    const table = await freshTable();
    await writer(table, client())(); // version 1
    const winner = writer(table, client());
    let winning: RandomizerSummary | undefined;
    const loserClient = client();
    // Between the loser's read and its write, the winner completes a whole step.
    loserClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutItemCommand" && winning === undefined) {
          winning = await winner();
        }
        return next(args);
      },
      { step: "initialize", name: "interleaveTheWinner" },
    );

    const lost = await writer(table, loserClient)();

    expect(winning).toMatchObject({ version: 2, attempts: 1 });
    expect(lost).toMatchObject({
      attempts: 2,
      version: 3,
      previous: { value: winning?.value, version: 2 },
    });
    expect(lost.apiCalls).toEqual({ "dynamodb:GetItem": 2, "dynamodb:PutItem": 2 });
  });

  it("two writers racing lose no step: versions unique and consecutive, one per invocation", async () => {
    const table = await freshTable();
    const perWriter = 25;
    // Enough attempts that a long losing streak cannot fail the test; the chain is the point.
    const a = writer(table, client(), { maxAttempts: 100 });
    const b = writer(table, client(), { maxAttempts: 100 });
    const run = async (step: () => Promise<RandomizerSummary>) => {
      const done: RandomizerSummary[] = [];
      for (let i = 0; i < perWriter; i++) done.push(await step());
      return done;
    };

    const results = await Promise.all([run(a), run(b)]);

    const all = results.flat();
    expect(all).toHaveLength(2 * perWriter);
    expectUnbrokenChain(all);
    expect(await stored(table)).toMatchObject({ version: { N: String(2 * perWriter) } });
    const attempts = all.reduce((sum, s) => sum + s.attempts, 0);
    const puts = all.reduce((sum, s) => sum + (s.apiCalls["dynamodb:PutItem"] ?? 0), 0);
    // Every attempt sent one PutItem; every lost attempt was retried, none was lost.
    expect(puts).toBe(attempts);
    console.log(
      `two writers, ${all.length} steps: ${attempts - all.length} lost races, all retried`,
    );
  });

  it("replays the same walk from the same DEMAND_SEED", async () => {
    const walk = async () => {
      const step = writer(await freshTable(), client(), { seed: "42" });
      const values: number[] = [];
      for (let i = 0; i < 15; i++) values.push((await step()).value);
      return values;
    };

    expect(await walk()).toEqual(await walk());
  });

  it("leaves a corrupt item alone, and resets it only when told to", async () => {
    const table = await freshTable();
    const corrupt = demandImage(4, 6, { value: { S: "lots" } });
    await client().send(new PutItemCommand({ TableName: table, Item: corrupt }));

    await expect(writer(table, client())()).rejects.toThrow(CorruptItemError);
    expect(await stored(table)).toEqual(corrupt);

    const reset = await writer(table, client(), { resetOnCorrupt: true })();
    expect(reset).toMatchObject({ reset: true, value: 4, version: 7 });
    expect(await stored(table)).toMatchObject({ value: { N: "4" }, version: { N: "7" } });
  });

  it("the scaler reads what the randomizer wrote", async () => {
    const table = await freshTable();
    const written = await writer(table, client())();
    const ecsClient = new ECSClient({ region: "us-east-1" });
    const ecs = mockClient(ecsClient);
    ecs.on(DescribeServicesCommand).resolves({
      services: ["high-priority", "low-priority"].map((serviceName) => ({
        serviceName,
        status: "ACTIVE",
        desiredCount: 0,
        runningCount: 0,
        pendingCount: 0,
      })),
    });
    ecs.on(UpdateServiceCommand).resolves({});
    const config = loadScalerConfig({
      CLUSTER: "microscale",
      HIGH_PRIORITY_SERVICE: "high-priority",
      LOW_PRIORITY_SERVICE: "low-priority",
      CAPACITY: "9",
      DEMAND_TABLE: table,
    });

    const summary = await scalePriorities(
      sampleEvent("priority-scaler", "demand-inserted"),
      config,
      {
        ecs: ecsClient,
        dynamodb: client(),
        cloudwatch: new CloudWatchClient({ region: "us-east-1" }), // not used: demand is in DynamoDB
        autoscaling: new AutoScalingClient({ region: "us-east-1" }),
        log: silentLog,
        metrics: silentMetrics,
        now: () => new Date(),
        taskSizes: new Map(),
      },
    );

    expect(summary).toMatchObject({
      demand: written.value,
      demandVersion: 1,
      target: { high: written.value, low: 9 - written.value },
    });
  });
});
