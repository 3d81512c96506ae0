import {
  CONTAINER_INSTANCE_STATE_CHANGE,
  parseContainerInstanceStateChange,
} from "../lib/container-instance-event";
import { isClusterArn } from "../lib/ecs-names";
import { ValidationError } from "../lib/errors";
import { isRecord } from "../lib/objects";
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
  | { readonly kind: "ignored"; readonly source: string; readonly detailType: string };

function envelopeString(event: Record<string, unknown>, key: "source" | "detail-type"): string {
  const value = event[key];
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(key, "expected a non-empty string (is this an EventBridge event?)");
  }
  return value;
}

function taskClusterArn(detail: unknown): string {
  if (!isRecord(detail)) throw new ValidationError("detail", "expected an object");
  const clusterArn = detail.clusterArn;
  if (typeof clusterArn !== "string" || !isClusterArn(clusterArn)) {
    throw new ValidationError(
      "detail.clusterArn",
      `expected a cluster ARN, got ${JSON.stringify(clusterArn)}`,
    );
  }
  return clusterArn;
}

/**
 * Classifies an EventBridge event; the shapes it acts on are checked, so a malformed
 * one is a ValidationError naming the field before any call. Other events with a valid
 * envelope are `ignored`, so widening the rule cannot make the function fail.
 */
export function parseEvent(event: unknown): Trigger {
  if (!isRecord(event)) throw new ValidationError("event", "expected an EventBridge event object");
  const source = envelopeString(event, "source");
  const detailType = envelopeString(event, "detail-type");
  if (source === "aws.ecs" && detailType === CONTAINER_INSTANCE_STATE_CHANGE) {
    const { clusterArn } = parseContainerInstanceStateChange(event);
    return { kind: "container-instance-state-change", clusterArn };
  }
  if (source === "aws.ecs" && detailType === TASK_STATE_CHANGE) {
    return { kind: "task-state-change", clusterArn: taskClusterArn(event.detail) };
  }
  if (isScheduledEvent(event)) return { kind: "schedule" };
  return { kind: "ignored", source, detailType };
}
