import { type AttributeValue, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { type ApiCalls, sent } from "../lib/api-calls";
import { DEMAND_PK, type DemandItem, type StoredDemand } from "../lib/demand-item";

/**
 * The conditional write of the demand item. Concurrency protocol: every write is a
 * PutItem conditioned on the version it replaces (`attribute_not_exists(pk)` for the
 * first write) and carries version + 1. A writer that loses re-reads and computes
 * its step again (./randomizer.ts), so no step is ever lost or applied twice.
 */

/** What a write expects to replace: the stored `version` attribute as it is, or no item. */
export type Precondition =
  | { readonly absent: true }
  | { readonly version: Readonly<AttributeValue> | undefined };

/** The precondition and the version of the write that replaces `stored`. */
export function successorOf(stored: StoredDemand): {
  precondition: Precondition;
  version: number;
} {
  switch (stored.state) {
    case "missing":
      return { precondition: { absent: true }, version: 1 };
    case "valid":
      return {
        precondition: { version: { N: String(stored.item.version) } },
        version: stored.item.version + 1,
      };
    case "corrupt": {
      // A corrupt version restarts at 1; the condition still pins the exact stored attribute.
      const previous = Number(stored.raw.version?.N);
      const version = Number.isSafeInteger(previous) && previous >= 1 ? previous + 1 : 1;
      return { precondition: { version: stored.raw.version }, version };
    }
  }
}

function condition(precondition: Precondition) {
  if ("absent" in precondition) return { ConditionExpression: "attribute_not_exists(pk)" };
  const names = { "#version": "version" };
  if (precondition.version === undefined) {
    return {
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#version)",
      ExpressionAttributeNames: names,
    };
  }
  return {
    ConditionExpression: "#version = :expected",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ":expected": precondition.version as AttributeValue },
  };
}

/**
 * Writes the demand item if and only if the stored item still matches `precondition`.
 * A lost race surfaces as the SDK's ConditionalCheckFailedException
 * (see `isConditionalCheckFailed`); the caller decides whether to re-read and retry.
 */
export async function putDemandItem(
  client: DynamoDBClient,
  table: string,
  calls: ApiCalls,
  item: DemandItem,
  precondition: Precondition,
): Promise<void> {
  await sent(calls, "dynamodb:PutItem", () =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall({ pk: DEMAND_PK, ...item }),
        ...condition(precondition),
      }),
    ),
  );
}

/** By name, not `instanceof`: the layer's SDK and a bundled one are different classes. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
