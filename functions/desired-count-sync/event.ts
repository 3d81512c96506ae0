import { isClusterArn } from "../lib/ecs-names";
import { ValidationError } from "../lib/errors";
import { isRecord } from "../lib/objects";
import { isScheduledEvent } from "../lib/scheduled-event";

export const CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change";

/** What an incoming event asks the function to do. */
export type Trigger =
  | {
      readonly kind: "container-instance-state-change";
      readonly clusterArn: string;
      /** From the event, for the log only: the function always re-reads the cluster. */
      readonly containerInstanceArn: string | undefined;
      readonly ec2InstanceId: string | undefined;
      readonly status: string | undefined;
      readonly agentConnected: boolean | undefined;
    }
  | { readonly kind: "schedule"; readonly rule: string | undefined }
  | { readonly kind: "ignored"; readonly source: string; readonly detailType: string };

function optional<T>(
  record: Record<string, unknown>,
  key: string,
  field: string,
  type: "string" | "boolean",
): T | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new ValidationError(field, `expected a ${type}`);
  return value as T;
}

function envelopeString(event: Record<string, unknown>, key: "source" | "detail-type"): string {
  const value = event[key];
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(key, "expected a non-empty string (is this an EventBridge event?)");
  }
  return value;
}

/**
 * Classifies an EventBridge event. Only the two shapes this function acts on are
 * checked in depth; anything else with a valid envelope is `ignored` (never an error),
 * so widening the rule cannot make the function fail. Unknown extra fields are fine:
 * AWS says it may add some.
 */
export function parseEvent(event: unknown): Trigger {
  if (!isRecord(event)) throw new ValidationError("event", "expected an EventBridge event object");
  const source = envelopeString(event, "source");
  const detailType = envelopeString(event, "detail-type");

  if (source === "aws.ecs" && detailType === CONTAINER_INSTANCE_STATE_CHANGE) {
    const detail = event.detail;
    if (!isRecord(detail)) throw new ValidationError("detail", "expected an object");
    const clusterArn = detail.clusterArn;
    if (typeof clusterArn !== "string" || clusterArn === "") {
      throw new ValidationError("detail.clusterArn", "is required (the cluster's ARN)");
    }
    if (!isClusterArn(clusterArn)) {
      throw new ValidationError("detail.clusterArn", `expected a cluster ARN, got "${clusterArn}"`);
    }
    return {
      kind: "container-instance-state-change",
      clusterArn,
      containerInstanceArn: optional(
        detail,
        "containerInstanceArn",
        "detail.containerInstanceArn",
        "string",
      ),
      ec2InstanceId: optional(detail, "ec2InstanceId", "detail.ec2InstanceId", "string"),
      status: optional(detail, "status", "detail.status", "string"),
      agentConnected: optional(detail, "agentConnected", "detail.agentConnected", "boolean"),
    };
  }

  // A schedule: an EventBridge rule (what the template's `Schedule` event creates) or
  // EventBridge Scheduler. Not a schedule's source? Then it is just another event.
  if (isScheduledEvent(event)) {
    const resources = event.resources;
    const rule =
      Array.isArray(resources) && typeof resources[0] === "string" ? resources[0] : undefined;
    return { kind: "schedule", rule };
  }

  return { kind: "ignored", source, detailType };
}
