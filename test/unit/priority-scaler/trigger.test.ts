import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../functions/lib/errors";
import { newestRecord, parseTrigger } from "../../../functions/priority-scaler/trigger";
import { demandImage } from "../../support/demand-item";
import { sampleEvent } from "../../support/events";

interface StreamEvent {
  Records: Array<{
    eventName: string;
    eventSource?: string;
    dynamodb: Record<string, unknown> & { NewImage?: Record<string, unknown> };
  }>;
}

const inserted = () => sampleEvent<StreamEvent>("priority-scaler", "demand-inserted");
const modified = () => sampleEvent<StreamEvent>("priority-scaler", "demand-modified");

/** The sample MODIFY record with another NewImage. */
function modifiedTo(image: Record<string, unknown>): StreamEvent {
  const event = modified();
  const [record] = event.Records;
  if (record === undefined) throw new Error("the sample has a record");
  record.dynamodb.NewImage = image;
  return event;
}

function validationField(event: unknown): string {
  try {
    parseTrigger(event);
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("scaler trigger", () => {
  it("reads the sample scheduled event as a schedule", () => {
    expect(parseTrigger(sampleEvent("priority-scaler", "scheduled-reconcile"))).toEqual({
      kind: "schedule",
    });
  });

  it("reads the sample INSERT and MODIFY records", () => {
    const insert = parseTrigger(inserted());
    const modify = parseTrigger(modified());

    expect(insert).toMatchObject({
      kind: "stream",
      received: 1,
      records: [{ eventName: "INSERT", item: { value: 4, version: 1 } }],
    });
    expect(modify).toMatchObject({
      kind: "stream",
      records: [
        {
          index: 0,
          eventName: "MODIFY",
          sequenceNumber: "200000000012345678950",
          item: { value: 7, version: 2, updatedAt: "2025-03-06T17:02:00.388Z" },
        },
      ],
    });
  });

  it("picks the newest record of a batch by version, whatever the order", () => {
    const batch = { Records: [...modified().Records, ...inserted().Records] };
    const trigger = parseTrigger(batch);
    if (trigger.kind !== "stream") throw new Error("a stream trigger");

    expect(newestRecord(trigger.records)?.item.version).toBe(2);
    expect(newestRecord([])).toBeUndefined();
  });

  it("counts REMOVE records and other keys without using them", () => {
    const removed = modified();
    const [record] = removed.Records;
    if (record === undefined) throw new Error("the sample has a record");
    record.eventName = "REMOVE";
    delete record.dynamodb.NewImage;
    const other = modifiedTo(demandImage(3, 3));
    const [otherRecord] = other.Records;
    if (otherRecord === undefined) throw new Error("the sample has a record");
    otherRecord.dynamodb.Keys = { pk: { S: "something-else" } };

    const trigger = parseTrigger({ Records: [...removed.Records, ...other.Records] });

    expect(trigger).toMatchObject({
      kind: "stream",
      received: 2,
      records: [],
      removed: 1,
      otherKeys: 1,
    });
  });

  describe("bad demand in a record → ValidationError naming the field", () => {
    it.each([
      ["NaN", { value: { N: "NaN" } }, "Records[0].dynamodb.NewImage.value", /is NaN/],
      ["negative", { value: { N: "-3" } }, "Records[0].dynamodb.NewImage.value", /≥ 0/],
      ["a string", { value: { S: "7" } }, "Records[0].dynamodb.NewImage.value", /got the string/],
      ["missing", { value: undefined }, "Records[0].dynamodb.NewImage.value", /is missing/],
      ["fractional", { value: { N: "1.5" } }, "Records[0].dynamodb.NewImage.value", /integer/],
      ["not an attribute value", { value: 7 }, "Records[0].dynamodb.NewImage.value", /attribute/],
      [
        "version missing",
        { version: undefined },
        "Records[0].dynamodb.NewImage.version",
        /missing/,
      ],
    ])("%s", (_, overrides, field, problem) => {
      const image: Record<string, unknown> = { ...demandImage(7, 2), ...overrides };
      for (const [key, value] of Object.entries(image)) if (value === undefined) delete image[key];
      const event = modifiedTo(image);

      expect(validationField(event)).toBe(field);
      expect(() => parseTrigger(event)).toThrow(problem);
    });
  });

  describe("a malformed record → ValidationError naming the field", () => {
    const cases: Array<[string, (e: StreamEvent & Record<string, unknown>) => void, string]> = [
      ["Records not an array", (e) => Object.assign(e, { Records: "none" }), "Records"],
      ["no records", (e) => Object.assign(e, { Records: [] }), "Records"],
      ["a record that is not an object", (e) => Object.assign(e, { Records: [42] }), "Records[0]"],
      [
        "another event source",
        (e) => Object.assign(e.Records[0] ?? {}, { eventSource: "aws:kinesis" }),
        "Records[0].eventSource",
      ],
      [
        "an unknown event name",
        (e) => Object.assign(e.Records[0] ?? {}, { eventName: "UPSERT" }),
        "Records[0].eventName",
      ],
      [
        "no dynamodb change",
        (e) => Object.assign(e.Records[0] ?? {}, { dynamodb: null }),
        "Records[0].dynamodb",
      ],
      [
        "no sequence number",
        (e) => {
          delete e.Records[0]?.dynamodb.SequenceNumber;
        },
        "Records[0].dynamodb.SequenceNumber",
      ],
      [
        "no key",
        (e) => {
          delete e.Records[0]?.dynamodb.Keys;
        },
        "Records[0].dynamodb.Keys",
      ],
      [
        "a numeric key",
        (e) => Object.assign(e.Records[0]?.dynamodb ?? {}, { Keys: { pk: { N: "1" } } }),
        "Records[0].dynamodb.Keys.pk.S",
      ],
      [
        "no new image (a KEYS_ONLY stream)",
        (e) => {
          delete e.Records[0]?.dynamodb.NewImage;
        },
        "Records[0].dynamodb.NewImage",
      ],
      [
        "a new image that is a list",
        (e) => Object.assign(e.Records[0]?.dynamodb ?? {}, { NewImage: [] }),
        "Records[0].dynamodb.NewImage",
      ],
    ];

    it.each(cases)("%s", (_, breakIt, field) => {
      const event = modified() as StreamEvent & Record<string, unknown>;
      breakIt(event);

      expect(validationField(event)).toBe(field);
    });

    it("names the record by its index in the batch", () => {
      const second = modifiedTo({ ...demandImage(7, 2), value: { N: "-1" } });
      const event = { Records: [...inserted().Records, ...second.Records] };

      expect(validationField(event)).toBe("Records[1].dynamodb.NewImage.value");
    });
  });

  describe("ECS Container Instance State Change", () => {
    const stateChange = () =>
      sampleEvent<{ source: unknown; detail: Record<string, unknown> }>(
        "priority-scaler",
        "container-instance-state-change",
      );

    it("reads the sample as a container instance state change of its cluster", () => {
      expect(parseTrigger(stateChange())).toEqual({
        kind: "container-instance-state-change",
        clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/microscale",
        containerInstanceArn:
          "arn:aws:ecs:us-east-1:111122223333:container-instance/microscale/4c9e1d7a2b3f45e6a8d0c1b2e3f4a5b6",
        ec2InstanceId: "i-07c2e5a9b1d3f4a62",
        status: "ACTIVE",
        agentConnected: true,
      });
    });

    it("needs only the cluster: the scaler re-reads everything else", () => {
      const event = stateChange();
      event.detail = { clusterArn: event.detail.clusterArn };

      expect(parseTrigger(event)).toMatchObject({
        kind: "container-instance-state-change",
        status: undefined,
      });
    });

    const cases: Array<[string, (e: ReturnType<typeof stateChange>) => void, string]> = [
      ["another source", (e) => Object.assign(e, { source: "aws.events" }), "source"],
      ["no source", (e) => Object.assign(e, { source: undefined }), "source"],
      ["no detail", (e) => Object.assign(e, { detail: undefined }), "detail"],
      [
        "no cluster",
        (e) => {
          delete e.detail.clusterArn;
        },
        "detail.clusterArn",
      ],
      [
        "a numeric cluster",
        (e) => Object.assign(e.detail, { clusterArn: 42 }),
        "detail.clusterArn",
      ],
      [
        "a cluster name, not an ARN",
        (e) => Object.assign(e.detail, { clusterArn: "microscale" }),
        "detail.clusterArn",
      ],
      ["a numeric status", (e) => Object.assign(e.detail, { status: 1 }), "detail.status"],
    ];

    it.each(cases)("%s → ValidationError naming the field", (_, breakIt, field) => {
      const event = stateChange();
      breakIt(event);

      expect(validationField(event)).toBe(field);
    });
  });

  it("rejects an event that is neither a stream batch nor a schedule", () => {
    expect(validationField({ "detail-type": "ECS Task State Change", source: "aws.ecs" })).toBe(
      "detail-type",
    );
    expect(validationField(null)).toBe("event");
  });
});
