import { isClusterArn } from "./ecs-names";
import { ValidationError } from "./errors";
import { isRecord } from "./objects";

/**
 * The `detail` of an ECS event (task or container instance state change) and its
 * `clusterArn`, the cluster the function re-reads: required, and an ARN, not a name.
 * The envelope (source, detail-type) is the caller's to check first (lib/controller
 * `parseEnvelope`, lib/container-instance-event).
 */
export function ecsEventDetail(event: Record<string, unknown>): {
  readonly detail: Record<string, unknown>;
  readonly clusterArn: string;
} {
  const detail = event.detail;
  if (!isRecord(detail)) throw new ValidationError("detail", "expected an object");
  const clusterArn = detail.clusterArn;
  if (typeof clusterArn !== "string" || clusterArn === "") {
    throw new ValidationError("detail.clusterArn", "is required (the cluster's ARN)");
  }
  if (!isClusterArn(clusterArn)) {
    throw new ValidationError("detail.clusterArn", `expected a cluster ARN, got "${clusterArn}"`);
  }
  return { detail, clusterArn };
}
