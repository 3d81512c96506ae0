import { ecsEventDetail } from "./ecs-event";
import { clusterName, sameCluster } from "./ecs-names";
import { ValidationError } from "./errors";
import { isRecord } from "./objects";

/**
 * EventBridge `ECS Container Instance State Change` (source `aws.ecs`): ECS sends one
 * when a host registers, drains or deregisters, when its agent connects or disconnects,
 * and whenever a task is placed on it or stops (its remainingResources change). The
 * `detail` is the ContainerInstance object of DescribeContainerInstances.
 *
 * Functions use it as a trigger only and re-read the cluster themselves, so only the
 * cluster is required; the other fields are for the log. Unknown extra fields are
 * fine: AWS says it may add some.
 */
export const CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change";

export interface ContainerInstanceStateChange {
  readonly clusterArn: string;
  readonly containerInstanceArn: string | undefined;
  readonly ec2InstanceId: string | undefined;
  readonly status: string | undefined;
  readonly agentConnected: boolean | undefined;
}

/** Whether the event says it is a container instance state change (its detail-type). */
export function isContainerInstanceStateChange(event: unknown): boolean {
  return isRecord(event) && event["detail-type"] === CONTAINER_INSTANCE_STATE_CHANGE;
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function optionalString(detail: Record<string, unknown>, key: string): string | undefined {
  const value = detail[key];
  if (absent(value)) return undefined;
  if (typeof value !== "string") throw new ValidationError(`detail.${key}`, "expected a string");
  return value;
}

function optionalBoolean(detail: Record<string, unknown>, key: string): boolean | undefined {
  const value = detail[key];
  if (absent(value)) return undefined;
  if (typeof value !== "boolean") throw new ValidationError(`detail.${key}`, "expected a boolean");
  return value;
}

/**
 * Validates a container instance state change: source `aws.ecs`, a `detail` object
 * whose `clusterArn` is a cluster ARN. Anything else is a ValidationError naming the
 * field.
 */
export function parseContainerInstanceStateChange(event: unknown): ContainerInstanceStateChange {
  if (!isRecord(event)) throw new ValidationError("event", "expected an EventBridge event object");
  if (event.source !== "aws.ecs") {
    throw new ValidationError(
      "source",
      `expected "aws.ecs" for "${CONTAINER_INSTANCE_STATE_CHANGE}", got ${JSON.stringify(event.source)}`,
    );
  }
  const { detail, clusterArn } = ecsEventDetail(event);
  return {
    clusterArn,
    containerInstanceArn: optionalString(detail, "containerInstanceArn"),
    ec2InstanceId: optionalString(detail, "ec2InstanceId"),
    status: optionalString(detail, "status"),
    agentConnected: optionalBoolean(detail, "agentConnected"),
  };
}

/**
 * Why an event about `eventCluster` is not for the function's `cluster` (name or
 * ARN), or undefined when it is the same cluster (lib/ecs-names `sameCluster`).
 */
export function otherClusterReason(eventCluster: string, cluster: string): string | undefined {
  if (sameCluster(eventCluster, cluster)) return undefined;
  return `event is for cluster ${clusterName(eventCluster)}, not ${clusterName(cluster)}`;
}
