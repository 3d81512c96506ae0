import type { ApiCalls } from "./api-calls";
import { ValidationError } from "./errors";
import { isRecord } from "./objects";

/**
 * What the event-driven controllers (the per-host sync, the host consolidator) share
 * around their own logic: the EventBridge envelope they classify an event by, the
 * fields every summary has, and the error thrown when some of a run failed. Each
 * function's `event.ts` decides which detail-types it acts on; this module only
 * checks the parts every EventBridge event has.
 */

/** An event the function does not act on: its envelope is valid, its detail-type not handled. */
export interface IgnoredEvent {
  readonly kind: "ignored";
  readonly source: string;
  readonly detailType: string;
}

export interface EventBridgeEnvelope {
  readonly event: Record<string, unknown>;
  readonly source: string;
  readonly detailType: string;
}

function envelopeString(event: Record<string, unknown>, key: "source" | "detail-type"): string {
  const value = event[key];
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(key, "expected a non-empty string (is this an EventBridge event?)");
  }
  return value;
}

/** Checks an EventBridge envelope (an object with `source` and `detail-type`), or a ValidationError. */
export function parseEnvelope(event: unknown): EventBridgeEnvelope {
  if (!isRecord(event)) throw new ValidationError("event", "expected an EventBridge event object");
  return {
    event,
    source: envelopeString(event, "source"),
    detailType: envelopeString(event, "detail-type"),
  };
}

/** Widening a rule must never make a function fail: what it does not handle is ignored. */
export function ignoredEvent({ source, detailType }: EventBridgeEnvelope): IgnoredEvent {
  return { kind: "ignored", source, detailType };
}

/** The summary's and the log's words for an ignored event. */
export function notHandledReason({ source, detailType }: IgnoredEvent): string {
  return `event ${source} / "${detailType}" is not handled`;
}

/** The fields every controller's summary has besides its own results (DESIGN.md, Handler results). */
export interface ControllerSummary<Trigger extends string> {
  readonly trigger: Trigger;
  /** Why nothing was done (an event of another type or another cluster). */
  readonly ignored?: string;
  readonly dryRun: boolean;
  /** The calls this invocation sent, by IAM action (lib/api-calls). */
  readonly apiCalls: ApiCalls;
}

/**
 * Some of a run failed and the rest was done: thrown at the end, carrying the summary
 * of what was done and every cause, so Lambda retries the invocation. The message
 * starts with what failed and ends with the first cause.
 */
export abstract class PartialFailureError<Summary> extends Error {
  constructor(
    what: string,
    readonly summary: Summary,
    readonly causes: readonly Error[],
  ) {
    super(`${what}: ${causes[0]?.message ?? "unknown error"}`, { cause: causes[0] });
  }
}
