import {
  CONTAINER_INSTANCE_STATE_CHANGE,
  type ContainerInstanceStateChange,
  parseContainerInstanceStateChange,
} from "../lib/container-instance-event";
import { type IgnoredEvent, ignoredEvent, parseEnvelope } from "../lib/controller";
import { isScheduledEvent } from "../lib/scheduled-event";

/** What an incoming event asks the function to do. */
export type Trigger =
  /** Fields beyond the cluster are for the log only: the function re-reads the cluster. */
  | ({ readonly kind: "container-instance-state-change" } & ContainerInstanceStateChange)
  | { readonly kind: "schedule"; readonly rule: string | undefined }
  | IgnoredEvent;

/**
 * Classifies an EventBridge event. Only the two shapes this function acts on are
 * checked in depth; anything else with a valid envelope is `ignored` (never an error),
 * so widening the rule cannot make the function fail. Unknown extra fields are fine:
 * AWS says it may add some.
 */
export function parseEvent(input: unknown): Trigger {
  const envelope = parseEnvelope(input);
  const { event, source, detailType } = envelope;

  if (source === "aws.ecs" && detailType === CONTAINER_INSTANCE_STATE_CHANGE) {
    return { kind: "container-instance-state-change", ...parseContainerInstanceStateChange(event) };
  }

  // A schedule: an EventBridge rule (what the template's `Schedule` event creates) or
  // EventBridge Scheduler. Not a schedule's source? Then it is just another event.
  if (isScheduledEvent(event)) {
    const resources = event.resources;
    const rule =
      Array.isArray(resources) && typeof resources[0] === "string" ? resources[0] : undefined;
    return { kind: "schedule", rule };
  }

  return ignoredEvent(envelope);
}
