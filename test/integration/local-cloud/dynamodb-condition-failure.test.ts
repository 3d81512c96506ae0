import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let dynamodb: ReturnType<typeof clientsFor>["dynamodb"];
const stored = { pk: { S: "demand" }, value: { N: "4" }, version: { N: "7" } };

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  dynamodb = clientsFor(cloud).dynamodb;
  // Prepare: one table with a stream (writes go through the proxy's queue), one without.
  for (const [TableName, streamed] of [
    ["streamed", true],
    ["plain", false],
  ] as const) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        ...(streamed
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }
          : {}),
      }),
    );
    await dynamodb.send(new PutItemCommand({ TableName, Item: stored }));
  }
});

afterAll(async () => {
  await cloud.stop();
});

async function failure(write: Promise<unknown>): Promise<ConditionalCheckFailedException> {
  const error = await write.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConditionalCheckFailedException);
  return error as ConditionalCheckFailedException;
}

describe("ReturnValuesOnConditionCheckFailure", () => {
  it.each(["streamed", "plain"])(
    "ALL_OLD returns the item in the %s table's failure",
    async (TableName) => {
      const put = await failure(
        dynamodb.send(
          new PutItemCommand({
            TableName,
            Item: { ...stored, version: { N: "8" } },
            ConditionExpression: "version = :previous",
            ExpressionAttributeValues: { ":previous": { N: "6" } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      expect(put.Item).toEqual(stored);
      const update = await failure(
        dynamodb.send(
          new UpdateItemCommand({
            TableName,
            Key: { pk: stored.pk },
            UpdateExpression: "SET #v = :next",
            ConditionExpression: "attribute_not_exists(pk)",
            ExpressionAttributeNames: { "#v": "value" },
            ExpressionAttributeValues: { ":next": { N: "5" } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      expect(update.Item).toEqual(stored);
    },
  );

  it("returns no item when it is not asked for", async () => {
    const put = await failure(
      dynamodb.send(
        new PutItemCommand({
          TableName: "plain",
          Item: stored,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
    expect(put.Item).toBeUndefined();
  });
});
