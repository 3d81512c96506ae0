import type { EcsEvents } from "../events";
import type { LoadBalancerHealth } from "./load-balancer-health";
import type { DeploymentRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from "./records";
import { recordServiceEvent } from "./service-events";

export interface DeploymentOptions {
  /**
   * Failed task starts after which a deployment without a circuit breaker is marked
   * FAILED (AWS would retry forever; the local deploy-and-benchmark needs an end).
   */
  failedTasksThreshold: number;
  /**
   * How long a deployment's tasks must have been RUNNING, counted from when their programs
   * began, before it is COMPLETED (steady state). Stands in for health checks: a container
   * that crashes right after it starts counts as a failed start instead of a finished rollout.
   */
  taskStabilizationMs: number;
}

/**
 * A service's deployments: a new PRIMARY for each new task definition, the rollout's
 * end (COMPLETED at steady state, FAILED by the circuit breaker, with its rollback),
 * and the retiring of deployments whose tasks are gone.
 */
export class Deployments {
  constructor(
    private readonly events: EcsEvents,
    private readonly options: DeploymentOptions,
    private readonly loadBalancerHealth: LoadBalancerHealth,
  ) {}

  /** A new PRIMARY deployment; the ones before it become ACTIVE until their tasks are replaced. */
  start(service: ServiceRecord, taskDefinition: TaskDefinitionRecord, reason?: string): void {
    const now = new Date();
    for (const deployment of service.deployments) deployment.status = "ACTIVE";
    const deployment: DeploymentRecord = {
      id: `ecs-svc/${String(Date.now())}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`,
      status: "PRIMARY",
      taskDefinition,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: reason ?? "ECS deployment in progress.",
    };
    service.deployments.unshift(deployment);
    service.steady = false;
    service.consecutiveFailures = 0;
    service.launchNotBefore = 0;
    this.events.deploymentChanged(service, deployment);
  }

  /** A task of the rollout failed: count it, and let the circuit breaker fail (and roll back) the rollout. */
  taskFailed(service: ServiceRecord, task: TaskRecord): void {
    const deployment = task.deployment;
    if (
      deployment === undefined ||
      deployment.status !== "PRIMARY" ||
      deployment.rolloutState !== "IN_PROGRESS"
    ) {
      return;
    }
    deployment.failedTasks++;
    deployment.updatedAt = new Date();
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (deployment.failedTasks < this.failureThreshold(service)) return;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = breaker.enable
      ? "ECS deployment circuit breaker: tasks failed to start."
      : `${deployment.failedTasks} tasks failed to start.`;
    this.events.deploymentChanged(service, deployment);
    const previous = service.lastCompleted;
    if (
      breaker.enable &&
      breaker.rollback &&
      previous !== undefined &&
      previous !== deployment.taskDefinition
    ) {
      this.start(
        service,
        previous,
        `ECS deployment circuit breaker: rolling back to task definition ${previous.arn}.`,
      );
    }
  }

  /**
   * After a scheduler pass: deployments with no tasks left are retired, and the service
   * is at steady state when only the PRIMARY is left with exactly the desired count of
   * healthy tasks on ACTIVE instances — which COMPLETES the rollout.
   */
  settle(
    service: ServiceRecord,
    primary: DeploymentRecord,
    primaryTasks: readonly TaskRecord[],
    replaceable: readonly TaskRecord[],
    now: number,
  ): void {
    for (const deployment of service.deployments.slice(1)) {
      if (![...service.tasks].some((task) => task.deployment === deployment)) {
        deployment.status = "INACTIVE";
      }
    }
    service.deployments = service.deployments.filter((d) => d.status !== "INACTIVE");
    const steady =
      service.deployments.length === 1 &&
      primaryTasks.length === service.desiredCount &&
      primaryTasks.every((task) => this.healthy(task, now)) &&
      replaceable.length === 0 &&
      service.tasks.size === service.desiredCount;
    if (steady && primary.rolloutState === "IN_PROGRESS") {
      primary.rolloutState = "COMPLETED";
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.updatedAt = new Date();
      service.lastCompleted = primary.taskDefinition;
      this.events.deploymentChanged(service, primary);
    }
    if (steady && !service.steady) {
      service.consecutiveFailures = 0;
      recordServiceEvent(service, "has reached a steady state.");
      this.events.serviceAction(service, "SERVICE_STEADY_STATE", "INFO");
    }
    service.steady = steady;
  }

  /**
   * A task counts toward its rollout once its programs have run for the stabilization
   * time and, behind a load balancer, its target groups report it healthy. Counted from
   * the programs' start, not RUNNING: a process runner's containers are RUNNING at spawn,
   * and Node's own start-up, longer on a busy machine than the stabilization time, would
   * let a program that crashes right after it starts complete the rollout.
   */
  private healthy(task: TaskRecord, now: number): boolean {
    const since = task.programsStartedAt?.getTime();
    return (
      this.loadBalancerHealth.passes(task) &&
      since !== undefined &&
      now - since >= this.options.taskStabilizationMs
    );
  }

  /** With the circuit breaker, AWS's threshold: half the desired count, at least 3 and at most 200. */
  private failureThreshold(service: ServiceRecord): number {
    return service.deploymentConfiguration.deploymentCircuitBreaker.enable
      ? Math.min(Math.max(Math.ceil(service.desiredCount / 2), 3), 200)
      : this.options.failedTasksThreshold;
  }
}
