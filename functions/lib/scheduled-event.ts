import { ValidationError } from "./errors";
import { isRecord } from "./objects";

/**
 * A schedule's event: `detail-type` "Scheduled Event" from an EventBridge rule
 * (source `aws.events`) or from EventBridge Scheduler (source `aws.scheduler`).
 * Scheduled functions read nothing else from it, but anything else is bad input.
 */
const SCHEDULED_EVENT = "Scheduled Event";
const scheduleSources = ["aws.events", "aws.scheduler"];

/** For a function that also takes other events: whether this one is a schedule's. */
export function isScheduledEvent(event: unknown): boolean {
  return (
    isRecord(event) &&
    event["detail-type"] === SCHEDULED_EVENT &&
    typeof event.source === "string" &&
    scheduleSources.includes(event.source)
  );
}

/** For a function that only runs on a schedule: anything else is a ValidationError. */
export function assertScheduledEvent(event: unknown): void {
  if (!isRecord(event)) {
    throw new ValidationError("event", "expected an EventBridge scheduled event object");
  }
  if (event["detail-type"] !== SCHEDULED_EVENT) {
    throw new ValidationError(
      "detail-type",
      `expected "${SCHEDULED_EVENT}", got ${JSON.stringify(event["detail-type"])}`,
    );
  }
  if (typeof event.source !== "string" || !scheduleSources.includes(event.source)) {
    throw new ValidationError(
      "source",
      `expected one of ${scheduleSources.join(", ")}, got ${JSON.stringify(event.source)}`,
    );
  }
}
