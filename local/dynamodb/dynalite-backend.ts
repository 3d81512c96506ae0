import type { IncomingHttpHeaders } from "node:http";
import { request, type Server } from "node:http";
import type { AttributeValue } from "aws-lambda";
import dynalite from "dynalite";
import type { RawResponse } from "../edge/server";
import { listenOnLoopback } from "../loopback";
import { localCredentials } from "../settings";

/**
 * dynalite (DynamoDB in memory) on its own loopback port, and the requests the streams
 * proxy sends it: the caller's own, passed through, and the reads it makes around a
 * write (the item before and after, the table's key schema).
 */

export type Item = Record<string, AttributeValue>;

export class DynaliteBackend {
  private readonly server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  private port = 0;

  constructor(private readonly region: string) {}

  /** dynalite's own loopback endpoint (internal; clients use the edge). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** One operation with a JSON input, signed as the caller signed theirs. */
  send(operation: string, input: object, headers: IncomingHttpHeaders): Promise<RawResponse> {
    return this.forward(operation, Buffer.from(JSON.stringify(input)), headers);
  }

  /** The table's key attribute names, from DescribeTable. */
  async keyNames(tableName: string, headers: IncomingHttpHeaders): Promise<string[]> {
    const response = await this.send("DescribeTable", { TableName: tableName }, headers);
    const parsed = JSON.parse(response.body.toString("utf8")) as {
      Table?: { KeySchema?: { AttributeName: string }[] };
    };
    return (parsed.Table?.KeySchema ?? []).map((key) => key.AttributeName);
  }

  /** The item as it is now (a consistent read), or undefined. */
  async getItem(
    tableName: string,
    key: Item,
    headers: IncomingHttpHeaders,
  ): Promise<Item | undefined> {
    const response = await this.send(
      "GetItem",
      { TableName: tableName, Key: key, ConsistentRead: true },
      headers,
    );
    if (response.statusCode !== 200) return undefined;
    return (JSON.parse(response.body.toString("utf8")) as { Item?: Item }).Item;
  }

  /** Sends one request to dynalite, with the caller's (or stand-in) auth headers. */
  forward(operation: string, body: Buffer, headers: IncomingHttpHeaders): Promise<RawResponse> {
    const authorization =
      headers.authorization ??
      `AWS4-HMAC-SHA256 Credential=${localCredentials.accessKeyId}/20240101/${this.region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0`;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: "127.0.0.1",
          port: this.port,
          method: "POST",
          path: "/",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": `DynamoDB_20120810.${operation}`,
            "x-amz-date": String(headers["x-amz-date"] ?? "20240101T000000Z"),
            authorization,
            "content-length": String(body.length),
          },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => {
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (
                typeof value === "string" &&
                name !== "connection" &&
                name !== "transfer-encoding"
              ) {
                responseHeaders[name] = value;
              }
            }
            resolve({
              statusCode: incoming.statusCode ?? 500,
              headers: responseHeaders,
              body: Buffer.concat(chunks),
            });
          });
          incoming.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }
}
