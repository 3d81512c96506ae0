import { type AttributeValue, type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type ApiCalls, sent } from "./api-calls";
import { CorruptItemError } from "./errors";
import { isRecord } from "./objects";

/**
 * The demand item in `DemandTable`, one item: key `pk` = "demand", `value` (N, integer
 * 0..DEMAND_MAX), `version` (N, +1 per write, written on the condition that the stored
 * version is still the one read), `updatedAt` (S, ISO-8601). The randomizer writes it; the priority scaler reads it, from GetItem or
 * from a stream record's NewImage. Both go through `inspectDemandItem`, so "valid"
 * means the same thing everywhere.
 *
 * The one writer, DemandRandomizerFunction, writes it with optimistic concurrency
 * (functions/demand-randomizer/write.ts). That write lives with its function so the
 * scaler's bundle — and so its IAM policy — has no PutItem.
 */
export const DEMAND_PK = "demand";
const key = { pk: { S: DEMAND_PK } } as const;

export interface DemandItem {
  readonly value: number;
  readonly version: number;
  readonly updatedAt: string;
}

/** The accepted range of `value` is 0..max (no upper bound when max is unset). */
export interface DemandLimits {
  readonly max?: number;
}

export type Inspection =
  | { readonly ok: true; readonly item: DemandItem }
  /** `field` is the attribute's name, or "" when the image itself is not an item. */
  | { readonly ok: false; readonly field: string; readonly problem: string };

type Attribute = { ok: true; value: unknown } | { ok: false; problem: string };

function attribute(image: Readonly<Record<string, unknown>>, name: string): Attribute {
  const raw = image[name];
  if (raw === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: unmarshall({ [name]: raw as AttributeValue })[name] };
  } catch {
    return { ok: false, problem: `is not a DynamoDB attribute value: ${JSON.stringify(raw)}` };
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "NULL";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Set) return "a set";
  if (value instanceof Uint8Array) return "binary";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `a ${typeof value}`;
}

/** Why `value` is not an integer in [min, max], or undefined when it is one. */
function integerProblem(value: unknown, min: number, max: number | undefined): string | undefined {
  if (value === undefined) return "is missing";
  if (typeof value === "bigint") return `${value} is out of range`;
  if (typeof value !== "number") return `expected a number (N), got ${kindOf(value)}`;
  if (Number.isNaN(value)) return "is NaN";
  if (!Number.isFinite(value)) return `${value} is out of range`;
  if (!Number.isInteger(value)) return `must be an integer, got ${value}`;
  if (value < min) return `must be ≥ ${min}, got ${value}`;
  if (max !== undefined && value > max) return `must be ≤ ${max}, got ${value}`;
  return undefined;
}

/**
 * Checks a DynamoDB item image (GetItem's `Item`, a stream record's `NewImage`)
 * against the contract. Never throws: each caller turns a problem into its own
 * typed error (CorruptItemError for the table, ValidationError for an event).
 */
export function inspectDemandItem(image: unknown, limits: DemandLimits = {}): Inspection {
  if (!isRecord(image)) {
    return { ok: false, field: "", problem: `expected a DynamoDB item, got ${kindOf(image)}` };
  }
  const read: Record<string, unknown> = {};
  for (const name of ["pk", "value", "version", "updatedAt"]) {
    const found = attribute(image, name);
    if (!found.ok) return { ok: false, field: name, problem: found.problem };
    read[name] = found.value;
  }
  if (read.pk !== DEMAND_PK) {
    return { ok: false, field: "pk", problem: `expected "${DEMAND_PK}", got ${kindOf(read.pk)}` };
  }
  const valueProblem = integerProblem(read.value, 0, limits.max);
  if (valueProblem !== undefined) return { ok: false, field: "value", problem: valueProblem };
  const versionProblem = integerProblem(read.version, 1, undefined);
  if (versionProblem !== undefined) return { ok: false, field: "version", problem: versionProblem };
  const updatedAt = read.updatedAt;
  if (typeof updatedAt !== "string" || Number.isNaN(Date.parse(updatedAt))) {
    const problem =
      updatedAt === undefined
        ? "is missing"
        : `expected an ISO-8601 date, got ${kindOf(updatedAt)}`;
    return { ok: false, field: "updatedAt", problem };
  }
  return {
    ok: true,
    item: { value: read.value as number, version: read.version as number, updatedAt },
  };
}

export type StoredDemand =
  | { readonly state: "missing" }
  | { readonly state: "valid"; readonly item: DemandItem }
  | {
      readonly state: "corrupt";
      readonly error: CorruptItemError;
      /** The item as stored: a reset conditions its write on this exact `version`. */
      readonly raw: Readonly<Record<string, AttributeValue>>;
    };

/** Reads the demand item with a strongly consistent read (the version a write conditions on). */
export async function getDemandItem(
  client: DynamoDBClient,
  table: string,
  calls: ApiCalls,
  limits: DemandLimits = {},
): Promise<StoredDemand> {
  const { Item } = await sent(calls, "dynamodb:GetItem", () =>
    client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })),
  );
  if (Item === undefined) return { state: "missing" };
  const inspection = inspectDemandItem(Item, limits);
  if (inspection.ok) return { state: "valid", item: inspection.item };
  const where = inspection.field === "" ? "" : `${inspection.field}: `;
  const error = new CorruptItemError(table, DEMAND_PK, `${where}${inspection.problem}`);
  return { state: "corrupt", error, raw: Item };
}
