import type { IncomingHttpHeaders } from "node:http";
import { request, type Server } from "node:http";
import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import dynalite from "dynalite";
import type { RawResponse } from "../edge/server";
import { listenOnLoopback } from "../loopback";
import { localCredentials } from "../settings";

/** A stream record as a Lambda function with a DynamoDB event source receives it. */
export type DynamoDBStreamRecord = DynamoDBRecord;
type Item = Record<string, AttributeValue>;
type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

interface StreamedTable {
  viewType: StreamViewType;
  streamArn: string;
  streamLabel: string;
  keyNames?: string[];
  /** Writes to one table run one after another so each old/new image pair is exact. */
  queue: Promise<unknown>;
}

export type StreamListener = (records: DynamoDBStreamRecord[]) => void;

const writeOperations = new Set(["PutItem", "UpdateItem", "DeleteItem"]);

/** Object with sorted keys, so two images compare equal whatever their attribute order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * dynalite (in memory) behind a thin proxy. dynalite has no Streams, so the proxy keeps
 * each table's StreamSpecification, reads the item before and after every successful
 * write, and hands the change to subscribers as a stream record.
 */
export class DynamoDBStreamsProxy {
  private readonly server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  private port = 0;
  private readonly streams = new Map<string, StreamedTable>();
  private readonly listeners = new Map<string, Set<StreamListener>>();
  private sequence = 0n;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** dynalite's own loopback endpoint (internal; clients use the edge). */
  get internalEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  subscribeStream(tableName: string, listener: StreamListener): () => void {
    let set = this.listeners.get(tableName);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(tableName, set);
    }
    const entry: StreamListener = (records) => listener(records);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Serves one DynamoDB operation arriving at the edge. */
  async handle(
    operation: string,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    const tableName = typeof input.TableName === "string" ? input.TableName : undefined;
    switch (operation) {
      case "CreateTable":
        return this.createTable(input, headers);
      case "DescribeTable":
        return this.withStreamFields(await this.forward(operation, body, headers), "Table");
      case "UpdateTable":
        return this.updateTable(input, headers);
      case "DeleteTable": {
        const response = await this.forward(operation, body, headers);
        if (response.statusCode === 200 && tableName !== undefined) this.streams.delete(tableName);
        return response;
      }
      case "BatchWriteItem":
        return this.batchWrite(input, body, headers);
      default: {
        const stream = tableName === undefined ? undefined : this.streams.get(tableName);
        if (!writeOperations.has(operation) || stream === undefined || tableName === undefined) {
          return this.forward(operation, body, headers);
        }
        return this.serialized(stream, () =>
          this.streamedWrite(operation, tableName, stream, input, body, headers),
        );
      }
    }
  }

  private serialized<T>(stream: StreamedTable, work: () => Promise<T>): Promise<T> {
    const result = stream.queue.then(work, work);
    stream.queue = result.catch(() => undefined);
    return result;
  }

  private async createTable(
    input: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const { StreamSpecification: specification, ...rest } = input;
    const response = await this.forward("CreateTable", Buffer.from(JSON.stringify(rest)), headers);
    if (response.statusCode === 200 && typeof input.TableName === "string") {
      this.enableStream(input.TableName, specification);
    }
    return this.withStreamFields(response, "TableDescription");
  }

  private enableStream(tableName: string, specification: unknown): void {
    const spec = specification as
      | { StreamEnabled?: boolean; StreamViewType?: StreamViewType }
      | undefined;
    if (spec?.StreamEnabled !== true) {
      if (spec?.StreamEnabled === false) this.streams.delete(tableName);
      return;
    }
    const label = new Date().toISOString().replace(/Z$/, "");
    this.streams.set(tableName, {
      viewType: spec.StreamViewType ?? "NEW_AND_OLD_IMAGES",
      streamArn: `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${tableName}/stream/${label}`,
      streamLabel: label,
      queue: Promise.resolve(),
    });
  }

  private async updateTable(
    input: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const { StreamSpecification: specification, ...rest } = input;
    const tableName = String(input.TableName ?? "");
    const onlyStream = Object.keys(rest).every((key) => key === "TableName");
    // dynalite rejects an UpdateTable that only changes the stream: answer it here.
    const response = onlyStream
      ? await this.describeAs("TableDescription", tableName, headers)
      : await this.forward("UpdateTable", Buffer.from(JSON.stringify(rest)), headers);
    if (response.statusCode === 200 && specification !== undefined)
      this.enableStream(tableName, specification);
    return this.withStreamFields(response, "TableDescription");
  }

  private async describeAs(
    key: string,
    tableName: string,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const response = await this.forward(
      "DescribeTable",
      Buffer.from(JSON.stringify({ TableName: tableName })),
      headers,
    );
    if (response.statusCode !== 200) return response;
    const parsed = JSON.parse(response.body.toString("utf8")) as { Table: unknown };
    return { ...response, body: Buffer.from(JSON.stringify({ [key]: parsed.Table })) };
  }

  /** Adds StreamSpecification / LatestStreamArn / LatestStreamLabel as DynamoDB returns them. */
  private withStreamFields(response: RawResponse, key: string): RawResponse {
    if (response.statusCode !== 200) return response;
    const parsed = JSON.parse(response.body.toString("utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    const table = parsed[key];
    const stream =
      typeof table?.TableName === "string" ? this.streams.get(table.TableName) : undefined;
    if (table === undefined || stream === undefined) return response;
    table.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.viewType };
    table.LatestStreamArn = stream.streamArn;
    table.LatestStreamLabel = stream.streamLabel;
    const body = Buffer.from(JSON.stringify(parsed));
    // dynalite's x-amz-crc32 covers the original body; the SDK would reject it now.
    const { "x-amz-crc32": _crc, ...headers } = response.headers;
    return { ...response, body, headers };
  }

  private async keyNames(
    tableName: string,
    stream: StreamedTable,
    headers: IncomingHttpHeaders,
  ): Promise<string[]> {
    if (stream.keyNames !== undefined) return stream.keyNames;
    const response = await this.forward(
      "DescribeTable",
      Buffer.from(JSON.stringify({ TableName: tableName })),
      headers,
    );
    const parsed = JSON.parse(response.body.toString("utf8")) as {
      Table?: { KeySchema?: { AttributeName: string }[] };
    };
    stream.keyNames = (parsed.Table?.KeySchema ?? []).map((key) => key.AttributeName);
    return stream.keyNames;
  }

  private async getItem(
    tableName: string,
    key: Item,
    headers: IncomingHttpHeaders,
  ): Promise<Item | undefined> {
    const response = await this.forward(
      "GetItem",
      Buffer.from(JSON.stringify({ TableName: tableName, Key: key, ConsistentRead: true })),
      headers,
    );
    if (response.statusCode !== 200) return undefined;
    return (JSON.parse(response.body.toString("utf8")) as { Item?: Item }).Item;
  }

  private keyOf(item: Item, keyNames: readonly string[]): Item {
    const key: Item = {};
    for (const name of keyNames) {
      const value = item[name];
      if (value !== undefined) key[name] = value;
    }
    return key;
  }

  private async streamedWrite(
    operation: string,
    tableName: string,
    stream: StreamedTable,
    input: Record<string, unknown>,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const keyNames = await this.keyNames(tableName, stream, headers);
    const source = (operation === "PutItem" ? input.Item : input.Key) as Item | undefined;
    if (source === undefined) return this.forward(operation, body, headers);
    const key = this.keyOf(source, keyNames);
    const oldImage = await this.getItem(tableName, key, headers);
    const response = await this.forward(operation, body, headers);
    if (response.statusCode !== 200) return response;
    const newImage = await this.getItem(tableName, key, headers);
    const record = this.record(stream, key, oldImage, newImage);
    if (record !== undefined) this.deliver(tableName, [record]);
    return response;
  }

  private async batchWrite(
    input: Record<string, unknown>,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const requestItems = (input.RequestItems ?? {}) as Record<
      string,
      { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
    >;
    const tables = Object.keys(requestItems).filter((name) => this.streams.has(name));
    if (tables.length === 0) return this.forward("BatchWriteItem", body, headers);
    // Hold every streamed table's queue for the whole batch.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = tables.map((name) => {
      const stream = this.streams.get(name) as StreamedTable;
      const previous = stream.queue;
      stream.queue = held;
      return previous;
    });
    try {
      await Promise.all(ready);
      const before = new Map<string, { key: Item; old?: Item }[]>();
      for (const name of tables) {
        const stream = this.streams.get(name) as StreamedTable;
        const keyNames = await this.keyNames(name, stream, headers);
        const entries = [];
        for (const request of requestItems[name] ?? []) {
          const source = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
          if (source === undefined) continue;
          const key = this.keyOf(source, keyNames);
          entries.push({ key, old: await this.getItem(name, key, headers) });
        }
        before.set(name, entries);
      }
      const response = await this.forward("BatchWriteItem", body, headers);
      if (response.statusCode !== 200) return response;
      for (const [name, entries] of before) {
        const stream = this.streams.get(name) as StreamedTable;
        const records: DynamoDBStreamRecord[] = [];
        for (const entry of entries) {
          const record = this.record(
            stream,
            entry.key,
            entry.old,
            await this.getItem(name, entry.key, headers),
          );
          if (record !== undefined) records.push(record);
        }
        if (records.length > 0) this.deliver(name, records);
      }
      return response;
    } finally {
      release();
    }
  }

  /** The change as a stream record, or undefined when nothing changed (DynamoDB writes none then). */
  private record(
    stream: StreamedTable,
    key: Item,
    oldImage: Item | undefined,
    newImage: Item | undefined,
  ): DynamoDBStreamRecord | undefined {
    if (oldImage === undefined && newImage === undefined) return undefined;
    if (
      oldImage !== undefined &&
      newImage !== undefined &&
      canonical(oldImage) === canonical(newImage)
    ) {
      return undefined;
    }
    const eventName =
      oldImage === undefined ? "INSERT" : newImage === undefined ? "REMOVE" : "MODIFY";
    this.sequence++;
    const view = stream.viewType;
    const images = {
      ...(newImage !== undefined && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES")
        ? { NewImage: newImage }
        : {}),
      ...(oldImage !== undefined && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES")
        ? { OldImage: oldImage }
        : {}),
    };
    return {
      eventID: `${this.sequence.toString(16).padStart(32, "0")}`,
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: key,
        ...images,
        SequenceNumber: (10n ** 20n + this.sequence).toString(),
        SizeBytes: Buffer.byteLength(JSON.stringify({ key, ...images })),
        StreamViewType: view,
      },
      eventSourceARN: stream.streamArn,
    };
  }

  private deliver(tableName: string, records: DynamoDBStreamRecord[]): void {
    for (const listener of this.listeners.get(tableName) ?? []) {
      queueMicrotask(() => listener(records));
    }
  }

  /** Sends one request to dynalite, with the caller's (or stand-in) auth headers. */
  private forward(
    operation: string,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
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
