import {
  type ContainerInstanceStateChange,
  isContainerInstanceStateChange,
  parseContainerInstanceStateChange,
} from "../lib/container-instance-event";
import { DEMAND_PK, type DemandItem, inspectDemandItem } from "../lib/demand-item";
import { ValidationError } from "../lib/errors";
import { isRecord } from "../lib/objects";
import { assertScheduledEvent } from "../lib/scheduled-event";

/**
 * What invoked the scaler: the reconcile schedule, an ECS container instance state
 * change (a host joined or drained, or a task was placed or stopped: capacity or free
 * slots changed, so a deferred grow may fit now), or a batch of DemandTable stream
 * records (Lambda's DynamoDB Streams event: `Records[].dynamodb.{Keys, NewImage,
 * OldImage, SequenceNumber, StreamViewType}`). The whole batch is validated before
 * any API call: one malformed record fails the invocation with a ValidationError
 * naming the field, and nothing is updated.
 *
 * A stream record is a trigger, not the source of truth: the scaler then reads the
 * item itself (see ./demand.ts), so late, replayed or reordered records are harmless.
 * REMOVE records and records for other keys carry no demand and are counted, not used.
 *
 * Any other event — another detail-type, or a schedule's detail-type from another
 * source — is a ValidationError, as it always was for this function: its three
 * triggers are exactly what the template wires to it.
 */
export interface DemandRecord {
  readonly index: number;
  readonly eventName: "INSERT" | "MODIFY";
  readonly sequenceNumber: string;
  readonly item: DemandItem;
}

export type Trigger =
  | { readonly kind: "schedule" }
  | ({ readonly kind: "container-instance-state-change" } & ContainerInstanceStateChange)
  | {
      readonly kind: "stream";
      readonly received: number;
      /** INSERT/MODIFY records of the demand item, in batch order. */
      readonly records: readonly DemandRecord[];
      readonly removed: number;
      readonly otherKeys: number;
    };

type Fields = Record<string, unknown>;

function objectAt(value: unknown, field: string): Fields {
  if (!isRecord(value))
    throw new ValidationError(field, `expected an object, got ${JSON.stringify(value)}`);
  return value;
}

function stringAt(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(field, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

const eventNames = ["INSERT", "MODIFY", "REMOVE"] as const;
type EventName = (typeof eventNames)[number];

function parseRecord(raw: unknown, index: number): DemandRecord | "REMOVE" | "other key" {
  const at = `Records[${index}]`;
  const record = objectAt(raw, at);
  if (record.eventSource !== "aws:dynamodb") {
    throw new ValidationError(
      `${at}.eventSource`,
      `expected "aws:dynamodb", got ${JSON.stringify(record.eventSource)}`,
    );
  }
  const eventName = record.eventName as EventName;
  if (!eventNames.includes(eventName)) {
    throw new ValidationError(
      `${at}.eventName`,
      `expected one of ${eventNames.join(", ")}, got ${JSON.stringify(record.eventName)}`,
    );
  }
  const change = objectAt(record.dynamodb, `${at}.dynamodb`);
  const sequenceNumber = stringAt(change.SequenceNumber, `${at}.dynamodb.SequenceNumber`);
  const keys = objectAt(change.Keys, `${at}.dynamodb.Keys`);
  const pk = stringAt(objectAt(keys.pk, `${at}.dynamodb.Keys.pk`).S, `${at}.dynamodb.Keys.pk.S`);
  if (pk !== DEMAND_PK) return "other key";
  if (eventName === "REMOVE") return "REMOVE";
  if (change.NewImage === undefined) {
    throw new ValidationError(
      `${at}.dynamodb.NewImage`,
      `is missing: the stream must carry new images (StreamViewType NEW_AND_OLD_IMAGES), got ${JSON.stringify(change.StreamViewType)}`,
    );
  }
  const inspection = inspectDemandItem(change.NewImage);
  if (!inspection.ok) {
    const field = inspection.field === "" ? "" : `.${inspection.field}`;
    throw new ValidationError(`${at}.dynamodb.NewImage${field}`, inspection.problem);
  }
  return { index, eventName, sequenceNumber, item: inspection.item };
}

export function parseTrigger(event: unknown): Trigger {
  if (isContainerInstanceStateChange(event)) {
    return { kind: "container-instance-state-change", ...parseContainerInstanceStateChange(event) };
  }
  if (!isRecord(event) || !("Records" in event)) {
    assertScheduledEvent(event);
    return { kind: "schedule" };
  }
  const raw = event.Records;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ValidationError("Records", "expected a non-empty array of DynamoDB stream records");
  }
  const records: DemandRecord[] = [];
  let removed = 0;
  let otherKeys = 0;
  raw.forEach((entry, index) => {
    const parsed = parseRecord(entry, index);
    if (parsed === "REMOVE") removed++;
    else if (parsed === "other key") otherKeys++;
    else records.push(parsed);
  });
  return { kind: "stream", received: raw.length, records, removed, otherKeys };
}

/** The newest demand record of a batch: the highest version, the later one on a tie. */
export function newestRecord(records: readonly DemandRecord[]): DemandRecord | undefined {
  return records.reduce<DemandRecord | undefined>(
    (newest, record) =>
      newest === undefined || record.item.version >= newest.item.version ? record : newest,
    undefined,
  );
}
