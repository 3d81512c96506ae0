import { describe, expect, it } from "vitest";
import { TableStreams } from "../../../../local/dynamodb/streams";

const key = { pk: { S: "demand" } };
const before = { ...key, value: { N: "3" } };
const after = { ...key, value: { N: "4" } };

function streamsWith(viewType: string) {
  const streams = new TableStreams("eu-west-1", "111122223333");
  streams.specify("Demand", { StreamEnabled: true, StreamViewType: viewType });
  const stream = streams.of("Demand");
  if (stream === undefined) throw new Error("no stream");
  return { streams, stream };
}

describe("TableStreams", () => {
  it("names the stream after the table, region and account, and ends it when disabled", () => {
    const { streams, stream } = streamsWith("NEW_IMAGE");
    expect(stream.streamArn).toMatch(
      /^arn:aws:dynamodb:eu-west-1:111122223333:table\/Demand\/stream\/\d{4}-/,
    );
    streams.specify("Demand", { StreamEnabled: false });
    expect(streams.of("Demand")).toBeUndefined();
  });

  it("writes the images the view type asks for", () => {
    const keysOnly = streamsWith("KEYS_ONLY");
    expect(
      keysOnly.streams.record(keysOnly.stream, key, before, after)?.dynamodb,
    ).not.toHaveProperty("NewImage");
    const newImage = streamsWith("NEW_IMAGE");
    const record = newImage.streams.record(newImage.stream, key, before, after);
    expect(record?.eventName).toBe("MODIFY");
    expect(record?.dynamodb?.NewImage).toEqual(after);
    expect(record?.dynamodb).not.toHaveProperty("OldImage");
    const both = streamsWith("NEW_AND_OLD_IMAGES");
    expect(both.streams.record(both.stream, key, undefined, after)?.eventName).toBe("INSERT");
    expect(both.streams.record(both.stream, key, before, undefined)).toMatchObject({
      eventName: "REMOVE",
      dynamodb: { OldImage: before },
    });
  });

  it("writes no record for a write that changed nothing, whatever the attribute order", () => {
    const { streams, stream } = streamsWith("NEW_AND_OLD_IMAGES");
    const reordered = { value: { N: "3" }, pk: { S: "demand" } };
    expect(streams.record(stream, key, before, reordered)).toBeUndefined();
    expect(streams.record(stream, key, undefined, undefined)).toBeUndefined();
  });

  it("numbers records in order, counting only the ones written", () => {
    const { streams, stream } = streamsWith("KEYS_ONLY");
    const first = streams.record(stream, key, undefined, after);
    streams.record(stream, key, after, after);
    const second = streams.record(stream, key, after, undefined);
    expect(
      BigInt(second?.dynamodb?.SequenceNumber ?? 0) - BigInt(first?.dynamodb?.SequenceNumber ?? 0),
    ).toBe(1n);
  });
});
