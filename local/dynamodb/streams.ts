import type { DynamoDBRecord } from "aws-lambda";
import type { Item } from "./dynalite-backend";

/**
 * DynamoDB Streams, the state and its rules: which tables have a stream (their
 * StreamSpecification, ARN and label), who listens to each, and a write's change as the
 * stream record DynamoDB would write — none when nothing changed.
 */

/** A stream record as a Lambda function with a DynamoDB event source receives it. */
export type DynamoDBStreamRecord = DynamoDBRecord;
export type StreamListener = (records: DynamoDBStreamRecord[]) => void;
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

export interface TableStream {
  viewType: StreamViewType;
  streamArn: string;
  streamLabel: string;
  keyNames?: string[];
  /** Writes to one table run one after another so each old/new image pair is exact. */
  queue: Promise<unknown>;
}

/** Object with sorted keys, so two images compare equal whatever their attribute order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export class TableStreams {
  private readonly streams = new Map<string, TableStream>();
  private readonly listeners = new Map<string, Set<StreamListener>>();
  private sequence = 0n;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  of(tableName: string): TableStream | undefined {
    return this.streams.get(tableName);
  }

  /** Applies a table's StreamSpecification: enabled starts a stream, disabled ends it. */
  specify(tableName: string, specification: unknown): void {
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

  /** The table is gone, and its stream with it. */
  remove(tableName: string): void {
    this.streams.delete(tableName);
  }

  subscribe(tableName: string, listener: StreamListener): () => void {
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

  /** Runs `work` after every write to the stream's table queued before it. */
  serialized<T>(stream: TableStream, work: () => Promise<T>): Promise<T> {
    const result = stream.queue.then(work, work);
    stream.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs `work` once the writes queued on every one of `streams` are done, holding them all. */
  async serializedAll<T>(streams: readonly TableStream[], work: () => Promise<T>): Promise<T> {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = streams.map((stream) => {
      const previous = stream.queue;
      stream.queue = held;
      return previous;
    });
    try {
      await Promise.all(ready);
      return await work();
    } finally {
      release();
    }
  }

  /** The change as a stream record, or undefined when nothing changed (DynamoDB writes none then). */
  record(
    stream: TableStream,
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

  /** Hands the records to the table's listeners, each in a microtask of its own. */
  deliver(tableName: string, records: DynamoDBStreamRecord[]): void {
    for (const listener of this.listeners.get(tableName) ?? []) {
      queueMicrotask(() => listener(records));
    }
  }
}
