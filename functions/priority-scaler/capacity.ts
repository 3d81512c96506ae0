import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  paginateListContainerInstances,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage, sent } from "../lib/api-calls";
import { batches } from "../lib/batches";
import { DESCRIBE_CONTAINER_INSTANCES_BATCH, ECS_PAGE_SIZE } from "../lib/ecs-limits";
import { serviceName } from "../lib/ecs-names";
import { ConfigurationError, MissingDataError } from "../lib/errors";
import { expendableCap } from "../lib/expendable-room";
import { integerResource } from "../lib/placement/requirements";

/**
 * Capacity C derived from the cluster, when `CAPACITY` is not set.
 *
 * A worker slot is the larger of the two services' task sizes, CPU and memory
 * taken separately (so either service's task fits in any slot). Then
 *
 *     C = Σ over ACTIVE container instances with a connected agent of
 *           min(⌊remaining CPU / slot CPU⌋, ⌊remaining memory / slot memory⌋)
 *       + the worker tasks that already exist (running + pending, both services).
 *
 * `remainingResources` already subtracts every task placed on the instance — the
 * per-host agent, the web and backend tasks and the workers themselves — so free
 * slots plus the workers' own tasks is what the workers can have without taking
 * anything from other services. DRAINING instances take no new tasks; an instance
 * whose agent is disconnected gets no new placements, so it adds no free slots.
 *
 * Exact when both services use the same task size (they do in the template). It
 * lags reality for the few seconds a change is in flight: a stopping worker task
 * holds its resources but is no longer counted (C reads low, so the scaler is
 * conservative), and worker tasks on a draining host count until ECS replaces
 * them. Set `CAPACITY` for a fixed number.
 *
 * It cannot see what a host the consolidator drains will need of the others: its web
 * and backend tasks move into free slots C counts for the workers. The consolidator says
 * so on the leaving host (functions/lib/expendable-room.ts), and `lowRoom` is the
 * smallest room it left P2 on any ACTIVE or DRAINING host: P2's ceiling while hosts leave.
 */
export interface TaskSize {
  readonly cpu: number;
  readonly memory: number;
}

function units(value: string | number | undefined, what: string, family: string): number {
  const parsed = Number(value ?? 0);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new ConfigurationError("CAPACITY", `task definition ${family} has ${what} "${value}"`);
  }
  return parsed;
}

/**
 * What ECS reserves for one task: the task-level cpu/memory when set, else the sum
 * over its containers (memoryReservation, the soft limit, when set; else memory).
 */
export function taskSize(definition: TaskDefinition): TaskSize {
  const family = definition.taskDefinitionArn ?? definition.family ?? "(unnamed)";
  const containers = definition.containerDefinitions ?? [];
  const cpu =
    definition.cpu !== undefined
      ? units(definition.cpu, "cpu", family)
      : containers.reduce((sum, c) => sum + units(c.cpu, "container cpu", family), 0);
  const memory =
    definition.memory !== undefined
      ? units(definition.memory, "memory", family)
      : containers.reduce(
          (sum, c) => sum + units(c.memoryReservation ?? c.memory, "container memory", family),
          0,
        );
  return { cpu, memory };
}

export function workerSlot(sizes: readonly TaskSize[]): TaskSize {
  const slot = {
    cpu: Math.max(0, ...sizes.map((s) => s.cpu)),
    memory: Math.max(0, ...sizes.map((s) => s.memory)),
  };
  if (slot.cpu === 0 && slot.memory === 0) {
    throw new ConfigurationError(
      "CAPACITY",
      "cannot derive capacity: the worker task definitions reserve no CPU or memory",
    );
  }
  return slot;
}

const remaining = (instance: ContainerInstance, name: "CPU" | "MEMORY") =>
  integerResource(instance.remainingResources, name);

/** Worker slots still free on one container instance. */
export function freeSlots(instance: ContainerInstance, slot: TaskSize): number {
  if (instance.status !== "ACTIVE" || instance.agentConnected === false) return 0;
  const slotsIn = (free: number, size: number) => (size === 0 ? Infinity : Math.floor(free / size));
  return Math.max(
    0,
    Math.min(
      slotsIn(remaining(instance, "CPU"), slot.cpu),
      slotsIn(remaining(instance, "MEMORY"), slot.memory),
    ),
  );
}

export interface DerivedCapacity {
  readonly capacity: number;
  readonly instances: number;
  readonly slot: TaskSize;
  readonly freeSlots: number;
  readonly workerTasks: number;
  /** Worker slots one more host like these would add (./elastic.ts). */
  readonly newHostSlots: number;
  /** The host consolidator's room for P2 while hosts leave; absent when none is. */
  readonly lowRoom?: number;
}

const registered = (instance: ContainerInstance, name: "CPU" | "MEMORY") =>
  integerResource(instance.registeredResources, name);

/**
 * Worker slots a new host would bring: the largest host's registered resources less
 * what non-worker tasks reserve per host on average (everything reserved minus the
 * worker tasks' own slots), in whole slots. The average counts the web and backend
 * tasks too, which a new host does not get: an estimate on the low side.
 */
export function newHostSlots(
  instances: readonly ContainerInstance[],
  slot: TaskSize,
  workerTasks: number,
): number {
  const active = instances.filter((i) => i.status === "ACTIVE");
  if (active.length === 0) return 0;
  const per = (name: "CPU" | "MEMORY", size: number): number => {
    if (size === 0) return Infinity;
    const reserved = active.reduce((sum, i) => sum + registered(i, name) - remaining(i, name), 0);
    const nonWorker = Math.max(0, reserved - workerTasks * size) / active.length;
    const host = Math.max(...active.map((i) => registered(i, name)));
    return Math.max(0, Math.floor((host - nonWorker) / size));
  };
  const slots = Math.min(per("CPU", slot.cpu), per("MEMORY", slot.memory));
  return Number.isFinite(slots) ? slots : 0;
}

/** Task definition revisions are immutable, so their sizes can be cached for the environment's life. */
export type TaskSizeCache = Map<string, TaskSize>;

async function sizeOf(
  ecs: ECSClient,
  arn: string,
  cache: TaskSizeCache,
  calls: ApiCalls,
): Promise<TaskSize> {
  const cached = cache.get(arn);
  if (cached !== undefined) return cached;
  const { taskDefinition } = await sent(calls, "ecs:DescribeTaskDefinition", () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
  );
  if (taskDefinition === undefined)
    throw new MissingDataError(`DescribeTaskDefinition ${arn}`, "no task definition");
  const size = taskSize(taskDefinition);
  cache.set(arn, size);
  return size;
}

/**
 * Every container instance but the INACTIVE ones (ListContainerInstances without a
 * status): the ACTIVE ones hold the capacity, the DRAINING ones the consolidator's room.
 */
async function registeredInstances(
  ecs: ECSClient,
  cluster: string,
  calls: ApiCalls,
): Promise<ContainerInstance[]> {
  const arns: string[] = [];
  const pages = paginateListContainerInstances(
    {
      client: ecs,
      pageSize: ECS_PAGE_SIZE,
      withCommand: countEachPage(calls, "ecs:ListContainerInstances"),
    },
    { cluster },
  );
  for await (const page of pages) arns.push(...(page.containerInstanceArns ?? []));

  const instances: ContainerInstance[] = [];
  for (const batch of batches(arns, DESCRIBE_CONTAINER_INSTANCES_BATCH)) {
    const described = await sent(calls, "ecs:DescribeContainerInstances", () =>
      ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch })),
    );
    instances.push(...(described.containerInstances ?? []));
  }
  return instances;
}

export async function deriveCapacity(
  ecs: ECSClient,
  cluster: string,
  workers: readonly [high: Service, low: Service],
  cache: TaskSizeCache,
  calls: ApiCalls,
): Promise<DerivedCapacity> {
  const definitions = [...new Set(workers.map((s) => s.taskDefinition ?? ""))];
  const sizes: TaskSize[] = [];
  for (const arn of definitions) {
    if (arn === "")
      throw new MissingDataError(
        "DescribeServices",
        "returned a service without a task definition",
      );
    sizes.push(await sizeOf(ecs, arn, cache, calls));
  }
  const slot = workerSlot(sizes);
  const instances = await registeredInstances(ecs, cluster, calls);
  const free = instances.reduce((sum, instance) => sum + freeSlots(instance, slot), 0);
  const workerTasks = workers.reduce(
    (sum, s) => sum + (s.runningCount ?? 0) + (s.pendingCount ?? 0),
    0,
  );
  const lowRoom = expendableCap(instances, serviceName(workers[1].serviceName ?? ""));
  return {
    capacity: free + workerTasks,
    instances: instances.filter((i) => i.status === "ACTIVE").length,
    slot,
    freeSlots: free,
    workerTasks,
    newHostSlots: newHostSlots(instances, slot, workerTasks),
    ...(lowRoom === undefined ? {} : { lowRoom }),
  };
}
