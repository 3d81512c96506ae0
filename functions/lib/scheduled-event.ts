import { ValidationError } from "./errors";

/**
 * A schedule's event: `detail-type` "Scheduled Event" from an EventBridge rule
 * (source `aws.events`) or from EventBridge Scheduler (source `aws.scheduler`).
 * Scheduled functions read nothing else from it, but anything else is bad input.
 */
const scheduleSources = ["aws.events", "aws.scheduler"];

export function assertScheduledEvent(event: unknown): void {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new ValidationError("event", "expected an EventBridge scheduled event object");
  }
  const fields = event as Record<string, unknown>;
  if (fields["detail-type"] !== "Scheduled Event") {
    throw new ValidationError(
      "detail-type",
      `expected "Scheduled Event", got ${JSON.stringify(fields["detail-type"])}`,
    );
  }
  if (typeof fields.source !== "string" || !scheduleSources.includes(fields.source)) {
    throw new ValidationError(
      "source",
      `expected one of ${scheduleSources.join(", ")}, got ${JSON.stringify(fields.source)}`,
    );
  }
}
