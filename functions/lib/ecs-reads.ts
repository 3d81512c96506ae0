import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Failure,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, sent } from "./api-calls";
import { batches } from "./batches";
import { DESCRIBE_CONTAINER_INSTANCES_BATCH } from "./ecs-limits";

/**
 * ECS reads that the per-host sync and the host consolidator share, counted into the
 * caller's `apiCalls`. A Describe answer with `failures` is a failed read, never a
 * smaller cluster: a controller that acts on what it could read would count a host
 * it could not see as gone.
 */

/** An answer that leaves something out (DescribeX `failures`, a missing definition). */
export class IncompleteReadError extends Error {
  override readonly name = "IncompleteReadError";
  constructor(
    readonly action: string,
    readonly failures: readonly Failure[],
  ) {
    const first = failures[0];
    super(
      `${action} answered ${failures.length} failure(s), e.g. ${first?.arn ?? "?"}: ${first?.reason ?? "?"}`,
    );
  }
}

/** Throws IncompleteReadError when an answer lists failures. */
export function complete(action: string, failures: readonly Failure[] | undefined): void {
  if (failures !== undefined && failures.length > 0)
    throw new IncompleteReadError(action, failures);
}

/** The container instances, 100 per DescribeContainerInstances call. */
export async function describeContainerInstances(
  ecs: ECSClient,
  apiCalls: ApiCalls,
  cluster: string,
  arns: readonly string[],
): Promise<ContainerInstance[]> {
  const instances: ContainerInstance[] = [];
  for (const batch of batches([...new Set(arns)], DESCRIBE_CONTAINER_INSTANCES_BATCH)) {
    const out = await sent(apiCalls, "ecs:DescribeContainerInstances", () =>
      ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch })),
    );
    complete("DescribeContainerInstances", out.failures);
    instances.push(...(out.containerInstances ?? []));
  }
  return instances;
}

/**
 * Task definition revisions never change once registered, so an execution environment
 * may keep each one it read, across invocations.
 */
export type TaskDefinitionCache = Map<string, TaskDefinition>;

export async function describeTaskDefinition(
  ecs: ECSClient,
  apiCalls: ApiCalls,
  arn: string,
  cache: TaskDefinitionCache,
): Promise<TaskDefinition> {
  const cached = cache.get(arn);
  if (cached !== undefined) return cached;
  const out = await sent(apiCalls, "ecs:DescribeTaskDefinition", () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
  );
  if (out.taskDefinition === undefined) {
    throw new IncompleteReadError("DescribeTaskDefinition", [{ arn, reason: "MISSING" }]);
  }
  cache.set(arn, out.taskDefinition);
  return out.taskDefinition;
}
