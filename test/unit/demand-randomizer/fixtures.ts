/**
 * Test fixtures shared by the demand randomizer and priority scaler tests: sample
 * events from events/, demand item images, and a log and metric sink that record.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Log, MetricSink, MetricUnitName } from "../../../functions/lib/observability";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A sample event from events/<folder>/<name>.json, as a fresh mutable object. */
export function sampleEvent<T = Record<string, unknown>>(
  folder: "demand-randomizer" | "priority-scaler",
  name: string,
): T {
  return JSON.parse(readFileSync(join(root, "events", folder, `${name}.json`), "utf8")) as T;
}

/** A valid stored demand item (GetItem's `Item`, a stream record's `NewImage`). */
export function demandImage(
  value: number,
  version: number,
  overrides: Record<string, AttributeValue | undefined> = {},
): Record<string, AttributeValue> {
  const image: Record<string, AttributeValue | undefined> = {
    pk: { S: "demand" },
    value: { N: String(value) },
    version: { N: String(version) },
    updatedAt: { S: "2025-03-06T17:00:00.000Z" },
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(image).filter(
      (entry): entry is [string, AttributeValue] => entry[1] !== undefined,
    ),
  );
}

export interface LogLine {
  readonly level: "info" | "warn" | "error" | "debug";
  readonly message: string;
  readonly extra: readonly object[];
}

export function recordingLog(): Log & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, ...extra: object[]) =>
      lines.push({ level, message, extra });
  return { lines, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}

export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
}

export function recordingMetrics(): MetricSink & {
  readonly points: MetricPoint[];
  value(name: string): number | undefined;
} {
  const points: MetricPoint[] = [];
  return {
    points,
    record(name, unit, value) {
      points.push({ name, unit, value });
    },
    value(name) {
      return points.findLast((p) => p.name === name)?.value;
    },
  };
}
