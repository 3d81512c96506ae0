import {
  CONTAINER_INSTANCE_STATE_CHANGE,
  parseContainerInstanceStateChange,
} from "../lib/container-instance-event";
import { type IgnoredEvent, ignoredEvent, parseEnvelope } from "../lib/controller";
import { ecsEventDetail } from "../lib/ecs-event";
import { isScheduledEvent } from "../lib/scheduled-event";

export const TASK_STATE_CHANGE = "ECS Task State Change";

/**
 * What woke the consolidator. An ECS event only says which cluster to look at now
 * (a task stopped, a host joined or drained); the consolidator re-reads it anyway.
 */
export type Trigger =
  | {
      readonly kind: "task-state-change" | "container-instance-state-change";
      readonly clusterArn: string;
    }
  | { readonly kind: "schedule" }
  | IgnoredEvent;

/**
 * Classifies an EventBridge event; the shapes it acts on are checked, so a malformed
 * one is a ValidationError naming the field before any call. Other events with a valid
 * envelope are `ignored`, so widening the rule cannot make the function fail.
 */
export function parseEvent(input: unknown): Trigger {
  const envelope = parseEnvelope(input);
  const { event, source, detailType } = envelope;
  if (source === "aws.ecs" && detailType === CONTAINER_INSTANCE_STATE_CHANGE) {
    const { clusterArn } = parseContainerInstanceStateChange(event);
    return { kind: "container-instance-state-change", clusterArn };
  }
  if (source === "aws.ecs" && detailType === TASK_STATE_CHANGE) {
    return { kind: "task-state-change", clusterArn: ecsEventDetail(event).clusterArn };
  }
  if (isScheduledEvent(event)) return { kind: "schedule" };
  return ignoredEvent(envelope);
}
