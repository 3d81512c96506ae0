import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type RandomizerConfig } from "../../../functions/demand-randomizer/config";
import { randomizeDemand } from "../../../functions/demand-randomizer/randomizer";
import { nextDemand, seededRandom } from "../../../functions/demand-randomizer/walk";
import { CorruptItemError, WriteConflictError } from "../../../functions/lib/errors";
import { demandImage } from "../../support/demand-item";
import { recordingLog, recordingMetrics } from "../../support/recording";

const table = "microscale-DemandTable";
const client = new DynamoDBClient({ region: "us-east-1" });
const ddb = mockClient(client);

const config = (overrides: Partial<RandomizerConfig> = {}): RandomizerConfig => ({
  ...loadConfig({ DEMAND_TABLE: table }),
  ...overrides,
});

function deps(random = () => 0.5) {
  return {
    dynamodb: client,
    log: recordingLog(),
    metrics: recordingMetrics(),
    now: () => new Date("2025-03-06T17:01:00.000Z"),
    random,
  };
}

const conflict = () =>
  new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });

beforeEach(() => {
  ddb.reset();
});

describe("demand randomizer", () => {
  it("writes half of MAX as version 1 when there is no item yet", async () => {
    // Prepare
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});
    const d = deps();

    // Act
    const summary = await randomizeDemand(config(), d);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: table,
      Key: { pk: { S: "demand" } },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: table,
      Item: demandImage(4, 1, { updatedAt: { S: "2025-03-06T17:01:00.000Z" } }),
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(summary).toMatchObject({
      previous: null,
      value: 4,
      version: 1,
      step: null,
      attempts: 1,
    });
    expect(summary.apiCalls).toEqual({ "dynamodb:GetItem": 1, "dynamodb:PutItem": 1 });
    expect(d.metrics.value("Demand")).toBe(4);
  });

  it("moves one step from the stored value, conditioned on the stored version", async () => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(9, 41) });
    ddb.on(PutItemCommand).resolves({});

    // random 0 draws the lowest step allowed from 9: −3.
    const summary = await randomizeDemand(
      config(),
      deps(() => 0),
    );

    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: demandImage(6, 42, { updatedAt: { S: "2025-03-06T17:01:00.000Z" } }),
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":expected": { N: "41" } },
    });
    expect(summary).toMatchObject({ previous: { value: 9, version: 41 }, value: 6, step: -3 });
  });

  it("on a lost race re-reads and steps from the winner's value", async () => {
    ddb
      .on(GetItemCommand)
      .resolvesOnce({ Item: demandImage(4, 10) })
      .resolvesOnce({ Item: demandImage(7, 11) });
    ddb.on(PutItemCommand).rejectsOnce(conflict()).resolves({});
    const d = deps(() => 0.99);

    const summary = await randomizeDemand(config(), d);

    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(PutItemCommand, 2, {
      Item: demandImage(9, 12, { updatedAt: { S: "2025-03-06T17:01:00.000Z" } }),
      ExpressionAttributeValues: { ":expected": { N: "11" } },
    });
    expect(summary).toMatchObject({ previous: { value: 7, version: 11 }, value: 9, attempts: 2 });
    expect(summary.apiCalls).toEqual({ "dynamodb:GetItem": 2, "dynamodb:PutItem": 2 });
    expect(d.log.lines.map((l) => l.message)).toContain(
      "demand item changed since it was read: re-reading",
    );
  });

  it("gives up with WriteConflictError after a bounded number of lost races", async () => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 10) });
    ddb.on(PutItemCommand).rejects(conflict());
    const d = deps();

    await expect(randomizeDemand(config(), d)).rejects.toThrow(WriteConflictError);

    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 5);
    expect(d.metrics.points).toEqual([]);
  });

  it("does not retry other write failures itself (the SDK already has)", async () => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 10) });
    ddb
      .on(PutItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }));

    await expect(randomizeDemand(config(), deps())).rejects.toThrow("slow down");
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });

  it("continues a seeded walk reproducibly from (DEMAND_SEED, version)", async () => {
    ddb.on(GetItemCommand).resolves({ Item: demandImage(5, 20) });
    ddb.on(PutItemCommand).resolves({});

    const first = await randomizeDemand(config({ seed: "42" }), deps(Math.random));
    const again = await randomizeDemand(config({ seed: "42" }), deps(Math.random));

    const expected = nextDemand(5, { max: 9, delta: 3 }, seededRandom("42", 20));
    expect(first.value).toBe(expected);
    expect(again.value).toBe(expected);
    expect(first.seeded).toBe(true);
  });

  describe("a corrupt stored item", () => {
    const corrupt = [
      [
        "a string value",
        { value: { S: "five" } },
        /value: expected a number \(N\), got the string "five"/,
      ],
      ["a NaN value", { value: { N: "NaN" } }, /value: is NaN/],
      ["a negative value", { value: { N: "-2" } }, /value: must be ≥ 0, got -2/],
      ["a value above DEMAND_MAX", { value: { N: "12" } }, /value: must be ≤ 9, got 12/],
      ["a fractional value", { value: { N: "2.5" } }, /value: must be an integer, got 2.5/],
      ["no value", { value: undefined }, /value: is missing/],
      ["a string version", { version: { S: "7" } }, /version: expected a number/],
    ] as const;

    it.each(corrupt)("%s → CorruptItemError, no write", async (_, overrides, message) => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 7, { ...overrides }) });

      const failure = randomizeDemand(config(), deps());

      await expect(failure).rejects.toThrow(CorruptItemError);
      await expect(failure).rejects.toThrow(message);
      expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
    });

    it("is replaced by half of MAX only with DEMAND_RESET_ON_CORRUPT, with a warning", async () => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 7, { value: { S: "five" } }) });
      ddb.on(PutItemCommand).resolves({});
      const d = deps();

      const summary = await randomizeDemand(config({ resetOnCorrupt: true }), d);

      expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
        Item: demandImage(4, 8, { updatedAt: { S: "2025-03-06T17:01:00.000Z" } }),
        ConditionExpression: "#version = :expected",
        ExpressionAttributeValues: { ":expected": { N: "7" } },
      });
      expect(summary).toMatchObject({ reset: true, previous: null, value: 4, version: 8 });
      const warning = d.log.lines.find((l) => l.level === "warn");
      expect(warning?.message).toMatch(
        /corrupt: resetting it because DEMAND_RESET_ON_CORRUPT=true/,
      );
      expect(JSON.stringify(warning?.extra)).toContain("five");
    });

    it("with an unreadable version, restarts at 1 and conditions on the attribute as stored", async () => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 7, { version: { S: "seven" } }) });
      ddb.on(PutItemCommand).resolves({});

      const summary = await randomizeDemand(config({ resetOnCorrupt: true }), deps());

      expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
        ExpressionAttributeValues: { ":expected": { S: "seven" } },
      });
      expect(summary.version).toBe(1);
    });

    it("with no version at all, conditions on its absence", async () => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(4, 7, { version: undefined }) });
      ddb.on(PutItemCommand).resolves({});

      await randomizeDemand(config({ resetOnCorrupt: true }), deps());

      expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#version)",
      });
    });
  });
});
