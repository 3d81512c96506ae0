import {
  defaultStrategy,
  type PlacementCandidate,
  type PlacementRequest,
  placeTask,
} from "../../../functions/lib/placement/task-placement";
import type { EcsEvents } from "../events";
import type { CapacityProviders } from "./capacity-providers";
import { subjectValues } from "./container-instances";
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  DeploymentRecord,
  ServiceRecord,
  TaskDefinitionRecord,
} from "./records";
import { recordServiceEvent } from "./service-events";
import type { TaskLifecycle } from "./task-lifecycle";

/**
 * What a task of this service and revision asks of a host: the scheduler places it, and
 * managed scaling counts the hosts it would need, from the same request.
 */
export function placementRequest(
  service: ServiceRecord,
  definition: TaskDefinitionRecord,
): Omit<PlacementRequest, "strategy"> {
  return {
    cpu: definition.cpu,
    memory: definition.memory,
    hostPorts: definition.hostPorts,
    distinctInstance: service.distinctInstance,
    memberOf: [...service.memberOf, ...definition.memberOf],
  };
}

/** A placement candidate that knows its instance; remaining resources are refreshed as tasks land. */
export type PlacedCandidate = PlacementCandidate & { instance: ContainerInstanceRecord };

/** Every instance of the cluster a task may be placed on: ACTIVE and connected, never DRAINING. */
export function placementCandidates(cluster: ClusterRecord): PlacedCandidate[] {
  const candidates: PlacedCandidate[] = [];
  for (const instance of cluster.instances.values()) {
    if (instance.status !== "ACTIVE" || !instance.agentConnected) continue;
    candidates.push({
      instance,
      arn: instance.arn,
      remainingCpu: instance.cpu - instance.usedCpu,
      remainingMemory: instance.memory - instance.usedMemory,
      portsInUse: instance.usedPorts,
      groupTaskCount: 0,
      subjectValues: subjectValues(instance),
    });
  }
  return candidates;
}

/**
 * Places and launches a service's tasks, one at a time as ECS does: each placement
 * (placement.ts) sees the tasks placed before it. Tells the service why when one
 * cannot be placed.
 */
export class TaskPlacer {
  constructor(
    private readonly tasks: TaskLifecycle,
    private readonly events: EcsEvents,
    private readonly capacityProviders: CapacityProviders,
  ) {}

  /** Launches up to `count` tasks of the deployment; returns how many were placed. */
  place(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    count: number,
    candidates: PlacedCandidate[],
    now: number,
  ): number {
    const definition = deployment.taskDefinition;
    const strategy =
      service.placementStrategy.length > 0 ? service.placementStrategy : defaultStrategy;
    // This service's tasks per instance and per spread-field value, kept current as tasks land.
    const perInstance = new Map<string, number>();
    for (const task of service.tasks) {
      perInstance.set(task.instance.arn, (perInstance.get(task.instance.arn) ?? 0) + 1);
    }
    for (const candidate of candidates) {
      candidate.groupTaskCount = perInstance.get(candidate.arn) ?? 0;
    }
    const text = (value: string | readonly string[] | undefined) =>
      typeof value === "string" ? value : "";
    const spreads = new Map<
      string,
      { valueByCandidate: Map<PlacementCandidate, string>; counts: Map<string, number> }
    >();
    for (const { type, field } of strategy) {
      if (
        type !== "spread" ||
        field === undefined ||
        field === "instanceId" ||
        spreads.has(field)
      ) {
        continue;
      }
      // Each candidate's value is read once per pass, not once per task and candidate.
      const valueByCandidate = new Map<PlacementCandidate, string>();
      for (const candidate of candidates) {
        valueByCandidate.set(candidate, text(candidate.subjectValues(field)));
      }
      const counts = new Map<string, number>();
      for (const task of service.tasks) {
        const key = text(subjectValues(task.instance)(field));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      spreads.set(field, { valueByCandidate, counts });
    }
    const spreadCount = (field: string, candidate: PlacementCandidate): number => {
      const spread = spreads.get(field);
      if (spread === undefined) return candidate.groupTaskCount;
      return spread.counts.get(spread.valueByCandidate.get(candidate) ?? "") ?? 0;
    };
    const request = { ...placementRequest(service, definition), strategy };
    const started: string[] = [];
    for (let i = 0; i < count; i++) {
      const placement = placeTask(request, candidates, spreadCount);
      if (!placement.placed) {
        // On a capacity provider the rest wait for managed scaling (PROVISIONING), as on AWS.
        if (this.capacityProviders.providerOf(service) !== undefined) {
          service.provisioning = count - i;
        } else {
          this.failed(service, placement.reason, placement.closest, now);
        }
        break;
      }
      const candidate = placement.candidate as PlacedCandidate;
      const task = this.tasks.launch(service, deployment, candidate.instance);
      started.push(task.id);
      candidate.groupTaskCount++;
      candidate.remainingCpu = candidate.instance.cpu - candidate.instance.usedCpu;
      candidate.remainingMemory = candidate.instance.memory - candidate.instance.usedMemory;
      for (const { valueByCandidate, counts } of spreads.values()) {
        const key = valueByCandidate.get(candidate) ?? "";
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    if (started.length > 0) {
      const shown = started
        .slice(0, 10)
        .map((id) => `(task ${id})`)
        .join(" ");
      recordServiceEvent(service, `has started ${started.length} tasks: ${shown}.`);
    }
    return started.length;
  }

  private failed(
    service: ServiceRecord,
    reason: string,
    closest: string | undefined,
    now: number,
  ): void {
    // AWS repeats this message at most every few minutes; locally every 30 s.
    if (now - service.lastPlacementFailureAt < 30_000) return;
    service.lastPlacementFailureAt = now;
    const detail =
      closest === undefined
        ? "no container instance met all of its requirements."
        : `no container instance met all of its requirements. The closest matching (container-instance ${closest.slice(closest.lastIndexOf("/") + 1)}) failed: ${reason}`;
    recordServiceEvent(service, `was unable to place a task because ${detail}`);
    this.events.serviceAction(service, "SERVICE_TASK_PLACEMENT_FAILURE", "ERROR", {
      reason,
      capacityProviderArns: [],
    });
  }
}
