import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import type { JsonObject } from "../template/read";
import type { Wiring } from "./context";

/** DynamoDB tables, created through the edge as CloudFormation would create them. */

/** A table's CreateTable input from its template properties (resolved). */
export function createTableInput(
  tableName: string,
  properties: JsonObject,
): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
    BillingMode: (properties.BillingMode as string) ?? "PAY_PER_REQUEST",
    StreamSpecification: properties.StreamSpecification
      ? { StreamEnabled: true, ...(properties.StreamSpecification as JsonObject) }
      : undefined,
  } as CreateTableCommandInput;
}

export async function createTables(wiring: Wiring): Promise<void> {
  const dynamodb = new DynamoDBClient(wiring.sdk);
  try {
    for (const [id] of wiring.resources("AWS::DynamoDB::Table")) {
      const input = createTableInput(wiring.names.refs[id] as string, wiring.properties(id));
      try {
        await dynamodb.send(new CreateTableCommand(input));
      } catch (error) {
        // A table that exists already (a second wiring of one cloud) is kept as it is.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
  } finally {
    dynamodb.destroy();
  }
}
