/**
 * dynalite (DynamoDB in memory) in this process, on an ephemeral loopback port, with
 * DemandTable's key schema. Used by the demand tests and the microscaling benchmark.
 */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localClientConfig } from "../../../local/settings";

// dynalite ships no types; this is the part of its API used here.
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)("dynalite") as Dynalite;

export interface LocalDynamoDB {
  /** A new client of this endpoint (the local settings: fake credentials, the local region). */
  client(): DynamoDBClient;
  /** Creates a table keyed like DemandTable (`pk`, S) and returns its name. */
  createDemandTable(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamoDB> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = () => new DynamoDBClient(localClientConfig(endpoint));
  return {
    client,
    async createDemandTable(name) {
      await client().send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      return name;
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}
