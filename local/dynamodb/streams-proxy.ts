import type { IncomingHttpHeaders } from "node:http";
import type { RawResponse } from "../edge/server";
import { DynaliteBackend, type Item } from "./dynalite-backend";
import {
  type DynamoDBStreamRecord,
  type StreamListener,
  type TableStream,
  TableStreams,
} from "./streams";

/**
 * DynamoDB on the edge: dynalite (in memory) behind a thin proxy. dynalite has no
 * Streams, so the proxy keeps each table's StreamSpecification, reads the item before
 * and after every successful write, and hands the change to subscribers as a stream
 * record; DescribeTable and friends answer with the stream fields DynamoDB adds.
 */

const writeOperations = new Set(["PutItem", "UpdateItem", "DeleteItem"]);
type Input = Record<string, unknown>;

function keyOf(item: Item, keyNames: readonly string[]): Item {
  const key: Item = {};
  for (const name of keyNames) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}

export class DynamoDBStreamsProxy {
  private readonly backend: DynaliteBackend;
  private readonly streams: TableStreams;

  constructor(region: string, accountId: string) {
    this.backend = new DynaliteBackend(region);
    this.streams = new TableStreams(region, accountId);
  }

  /** dynalite's own loopback endpoint (internal; clients use the edge). */
  get internalEndpoint(): string {
    return this.backend.endpoint;
  }

  start(): Promise<void> {
    return this.backend.start();
  }

  stop(): Promise<void> {
    return this.backend.stop();
  }

  subscribeStream(tableName: string, listener: StreamListener): () => void {
    return this.streams.subscribe(tableName, listener);
  }

  /** Serves one DynamoDB operation arriving at the edge. */
  async handle(
    operation: string,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const input = JSON.parse(body.toString("utf8") || "{}") as Input;
    const tableName = typeof input.TableName === "string" ? input.TableName : undefined;
    switch (operation) {
      case "CreateTable":
        return this.createTable(input, headers);
      case "DescribeTable":
        return this.withStreamFields(await this.backend.forward(operation, body, headers), "Table");
      case "UpdateTable":
        return this.updateTable(input, headers);
      case "DeleteTable": {
        const response = await this.backend.forward(operation, body, headers);
        if (response.statusCode === 200 && tableName !== undefined) this.streams.remove(tableName);
        return response;
      }
      case "BatchWriteItem":
        return this.batchWrite(input, body, headers);
      default: {
        if (!writeOperations.has(operation) || tableName === undefined) {
          return this.backend.forward(operation, body, headers);
        }
        const response = await this.write(operation, tableName, input, body, headers);
        return this.withItemOnConditionFailure(operation, tableName, input, response, headers);
      }
    }
  }

  private write(
    operation: string,
    tableName: string,
    input: Input,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const stream = this.streams.of(tableName);
    if (stream === undefined) return this.backend.forward(operation, body, headers);
    return this.streams.serialized(stream, () =>
      this.streamedWrite(operation, tableName, stream, input, body, headers),
    );
  }

  /**
   * ReturnValuesOnConditionCheckFailure=ALL_OLD: DynamoDB puts the item as it stood in
   * the ConditionalCheckFailedException, so a writer that lost a race needs no re-read.
   * dynalite ignores the parameter; the proxy adds the item to its error.
   */
  private async withItemOnConditionFailure(
    operation: string,
    tableName: string,
    input: Input,
    response: RawResponse,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const wanted = input.ReturnValuesOnConditionCheckFailure;
    if (wanted !== "ALL_OLD" || response.statusCode !== 400) return response;
    const error = JSON.parse(response.body.toString("utf8")) as Input;
    if (!String(error.__type ?? "").endsWith("#ConditionalCheckFailedException")) return response;
    const source = (operation === "PutItem" ? input.Item : input.Key) as Item | undefined;
    if (source === undefined) return response;
    const keyNames = await this.backend.keyNames(tableName, headers);
    const item = await this.backend.getItem(tableName, keyOf(source, keyNames), headers);
    if (item === undefined) return response;
    // dynalite's x-amz-crc32 covers the original body; the SDK would reject it now.
    const { "x-amz-crc32": _crc, ...rest } = response.headers;
    return {
      ...response,
      headers: rest,
      body: Buffer.from(JSON.stringify({ ...error, Item: item })),
    };
  }

  private async createTable(input: Input, headers: IncomingHttpHeaders): Promise<RawResponse> {
    const { StreamSpecification: specification, ...rest } = input;
    const response = await this.backend.send("CreateTable", rest, headers);
    if (response.statusCode === 200 && typeof input.TableName === "string") {
      this.streams.specify(input.TableName, specification);
    }
    return this.withStreamFields(response, "TableDescription");
  }

  private async updateTable(input: Input, headers: IncomingHttpHeaders): Promise<RawResponse> {
    const { StreamSpecification: specification, ...rest } = input;
    const tableName = String(input.TableName ?? "");
    const onlyStream = Object.keys(rest).every((key) => key === "TableName");
    // dynalite rejects an UpdateTable that only changes the stream: answer it here.
    const response = onlyStream
      ? await this.describeAs("TableDescription", tableName, headers)
      : await this.backend.send("UpdateTable", rest, headers);
    if (response.statusCode === 200 && specification !== undefined)
      this.streams.specify(tableName, specification);
    return this.withStreamFields(response, "TableDescription");
  }

  private async describeAs(
    key: string,
    tableName: string,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const response = await this.backend.send("DescribeTable", { TableName: tableName }, headers);
    if (response.statusCode !== 200) return response;
    const parsed = JSON.parse(response.body.toString("utf8")) as { Table: unknown };
    return { ...response, body: Buffer.from(JSON.stringify({ [key]: parsed.Table })) };
  }

  /** Adds StreamSpecification / LatestStreamArn / LatestStreamLabel as DynamoDB returns them. */
  private withStreamFields(response: RawResponse, key: string): RawResponse {
    if (response.statusCode !== 200) return response;
    const parsed = JSON.parse(response.body.toString("utf8")) as Record<string, Input>;
    const table = parsed[key];
    const stream =
      typeof table?.TableName === "string" ? this.streams.of(table.TableName) : undefined;
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
    stream: TableStream,
    headers: IncomingHttpHeaders,
  ): Promise<string[]> {
    stream.keyNames ??= await this.backend.keyNames(tableName, headers);
    return stream.keyNames;
  }

  private async streamedWrite(
    operation: string,
    tableName: string,
    stream: TableStream,
    input: Input,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const keyNames = await this.keyNames(tableName, stream, headers);
    const source = (operation === "PutItem" ? input.Item : input.Key) as Item | undefined;
    if (source === undefined) return this.backend.forward(operation, body, headers);
    const key = keyOf(source, keyNames);
    const oldImage = await this.backend.getItem(tableName, key, headers);
    const response = await this.backend.forward(operation, body, headers);
    if (response.statusCode !== 200) return response;
    const newImage = await this.backend.getItem(tableName, key, headers);
    const record = this.streams.record(stream, key, oldImage, newImage);
    if (record !== undefined) this.streams.deliver(tableName, [record]);
    return response;
  }

  private async batchWrite(
    input: Input,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<RawResponse> {
    const requestItems = (input.RequestItems ?? {}) as Record<
      string,
      { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
    >;
    const tables = Object.keys(requestItems).flatMap((name) => {
      const stream = this.streams.of(name);
      return stream === undefined ? [] : [{ name, stream }];
    });
    if (tables.length === 0) return this.backend.forward("BatchWriteItem", body, headers);
    // Every streamed table's queue is held for the whole batch.
    return this.streams.serializedAll(
      tables.map(({ stream }) => stream),
      async () => {
        const before = new Map<string, { stream: TableStream; key: Item; old?: Item }[]>();
        for (const { name, stream } of tables) {
          const keyNames = await this.keyNames(name, stream, headers);
          const entries = [];
          for (const request of requestItems[name] ?? []) {
            const source = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
            if (source === undefined) continue;
            const key = keyOf(source, keyNames);
            entries.push({ stream, key, old: await this.backend.getItem(name, key, headers) });
          }
          before.set(name, entries);
        }
        const response = await this.backend.forward("BatchWriteItem", body, headers);
        if (response.statusCode !== 200) return response;
        for (const [name, entries] of before) {
          const records: DynamoDBStreamRecord[] = [];
          for (const entry of entries) {
            const newImage = await this.backend.getItem(name, entry.key, headers);
            const record = this.streams.record(entry.stream, entry.key, entry.old, newImage);
            if (record !== undefined) records.push(record);
          }
          if (records.length > 0) this.streams.deliver(name, records);
        }
        return response;
      },
    );
  }
}
