import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DEMAND_PK } from "../../functions/lib/demand-item";
import type { LocalSystem } from "./system";

/**
 * Sets the demand item as the randomizer would write it (value, version + 1, updatedAt),
 * for a scenario step that needs a known demand rather than the walk's next one. The
 * DemandTable stream then triggers the priority scaler.
 */
export async function setDemand(system: LocalSystem, value: number): Promise<void> {
  await system.clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: system.names.demandTable,
      Key: { pk: { S: DEMAND_PK } },
      UpdateExpression: "SET #value = :value, updatedAt = :at ADD version :one",
      ExpressionAttributeNames: { "#value": "value" },
      ExpressionAttributeValues: {
        ":value": { N: String(value) },
        ":at": { S: new Date().toISOString() },
        ":one": { N: "1" },
      },
    }),
  );
}
