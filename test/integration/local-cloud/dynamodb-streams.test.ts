import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DynamoDBStreamRecord, LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let dynamodb: ReturnType<typeof clientsFor>["dynamodb"];
const records: DynamoDBStreamRecord[] = [];

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  dynamodb = clientsFor(cloud).dynamodb;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: "DemandTable",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  await dynamodb.send(
    new CreateTableCommand({
      TableName: "NoStream",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  cloud.dynamodb.subscribeStream("DemandTable", (batch) => records.push(...batch));
});

afterAll(async () => {
  await cloud.stop();
});

/** Writes `value` with the contract's optimistic-concurrency condition on `version`. */
function writeDemand(value: number, version: number) {
  return dynamodb.send(
    new PutItemCommand({
      TableName: "DemandTable",
      Item: { pk: { S: "demand" }, value: { N: String(value) }, version: { N: String(version) } },
      ConditionExpression: version === 1 ? "attribute_not_exists(pk)" : "version = :previous",
      ExpressionAttributeValues:
        version === 1 ? undefined : { ":previous": { N: String(version - 1) } },
    }),
  );
}

describe("DynamoDB behind the stream proxy", () => {
  it("reports the stream on CreateTable and DescribeTable", async () => {
    const described = await dynamodb.send(new DescribeTableCommand({ TableName: "DemandTable" }));
    expect(described.Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(described.Table?.LatestStreamArn).toMatch(
      /^arn:aws:dynamodb:us-east-1:000000000000:table\/DemandTable\/stream\/\d{4}-\d\d-\d\dT/,
    );
    const plain = await dynamodb.send(new DescribeTableCommand({ TableName: "NoStream" }));
    expect(plain.Table?.LatestStreamArn).toBeUndefined();
  });

  it("turns conditional writes into INSERT / MODIFY / REMOVE records, and a failed condition into none", async () => {
    // Act
    await writeDemand(4, 1);
    await writeDemand(6, 2);
    const failed = await writeDemand(9, 2).catch((error: unknown) => error);
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: "DemandTable",
        Key: { pk: { S: "demand" } },
        UpdateExpression: "SET #v = :v, version = :next",
        ConditionExpression: "version = :previous",
        ExpressionAttributeNames: { "#v": "value" },
        ExpressionAttributeValues: {
          ":v": { N: "5" },
          ":next": { N: "3" },
          ":previous": { N: "2" },
        },
      }),
    );
    await dynamodb.send(
      new DeleteItemCommand({ TableName: "DemandTable", Key: { pk: { S: "demand" } } }),
    );
    // Assess
    expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
    await waitFor("4 records", () => records.length >= 4);
    expect(records.map((r) => r.eventName)).toEqual(["INSERT", "MODIFY", "MODIFY", "REMOVE"]);
    const [insert, modify, update, remove] = records;
    expect(insert).toMatchObject({
      eventSource: "aws:dynamodb",
      eventVersion: "1.1",
      awsRegion: "us-east-1",
      eventSourceARN: expect.stringContaining("table/DemandTable/stream/"),
      dynamodb: {
        Keys: { pk: { S: "demand" } },
        NewImage: { pk: { S: "demand" }, value: { N: "4" }, version: { N: "1" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(modify?.dynamodb?.OldImage?.value).toEqual({ N: "4" });
    expect(modify?.dynamodb?.NewImage?.value).toEqual({ N: "6" });
    expect(update?.dynamodb?.NewImage?.version).toEqual({ N: "3" });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    expect(remove?.dynamodb?.OldImage?.value).toEqual({ N: "5" });
    const sequence = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? "0"));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    expect(new Set(sequence).size).toBe(sequence.length);
  });

  it("keeps images exact under concurrent writes, and skips writes that change nothing", async () => {
    records.length = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        dynamodb.send(
          new PutItemCommand({
            TableName: "DemandTable",
            Item: { pk: { S: "race" }, n: { N: String(i) } },
          }),
        ),
      ),
    );
    await waitFor("10 records", () => records.length >= 10);
    // Each record's old image is the previous record's new image: the writes were serialised.
    for (let i = 1; i < records.length; i++) {
      expect(records[i]?.dynamodb?.OldImage).toEqual(records[i - 1]?.dynamodb?.NewImage);
    }
    const last = records[records.length - 1]?.dynamodb?.NewImage;
    const stored = await dynamodb.send(
      new GetItemCommand({ TableName: "DemandTable", Key: { pk: { S: "race" } } }),
    );
    expect(stored.Item).toEqual(last);
    records.length = 0;
    await dynamodb.send(new PutItemCommand({ TableName: "DemandTable", Item: stored.Item ?? {} }));
    await dynamodb.send(
      new DeleteItemCommand({ TableName: "DemandTable", Key: { pk: { S: "never-there" } } }),
    );
    // A real change afterwards: records arrive in write order, so it must be the only one.
    await dynamodb.send(
      new PutItemCommand({ TableName: "DemandTable", Item: { pk: { S: "marker" } } }),
    );
    await waitFor("the marker record", () => records.length >= 1);
    expect(records.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(["marker"]);
  });

  it("streams BatchWriteItem puts and deletes", async () => {
    records.length = 0;
    await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          DemandTable: [
            { PutRequest: { Item: { pk: { S: "b1" } } } },
            { PutRequest: { Item: { pk: { S: "b2" } } } },
            { DeleteRequest: { Key: { pk: { S: "race" } } } },
          ],
          NoStream: [{ PutRequest: { Item: { pk: { S: "x" } } } }],
        },
      }),
    );
    await waitFor("3 records", () => records.length >= 3);
    expect(records.map((r) => r.eventName)).toEqual(["INSERT", "INSERT", "REMOVE"]);
  });

  it("passes dynalite's errors through as the SDK's classes", async () => {
    await expect(
      dynamodb.send(new GetItemCommand({ TableName: "Missing", Key: { pk: { S: "x" } } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
