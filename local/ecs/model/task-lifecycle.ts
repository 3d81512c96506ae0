import { randomUUID } from "node:crypto";
import { type EcsArns, randomResourceId } from "../arns";
import type { EcsEvents } from "../events";
import type { NetworkBinding, TaskRunner } from "../runners/task-runner";
import type { LoadBalancerHealth } from "./load-balancer-health";
import type {
  ContainerInstanceRecord,
  DeploymentRecord,
  ServiceRecord,
  TaskRecord,
  TaskStopCode,
} from "./records";

/** What the rest of the model hears from a task's lifecycle. */
export interface TaskLifecycleListener {
  /** A task started, stopped or was asked to stop: the scheduler has work. */
  changed(): void;
  /** A service's task stopped without being asked to (crash, failed start). */
  failed(service: ServiceRecord, task: TaskRecord): void;
}

/**
 * A task from launch to STOPPED, in the ECS task lifecycle's order: PENDING while the
 * runner starts its containers, RUNNING once all have; asked to stop (StopTask, the
 * scheduler) it is desired STOPPED and DEACTIVATING while its target groups drain it
 * (a task behind no load balancer skips this), STOPPING while its containers get
 * SIGTERM (then SIGKILL), and STOPPED when every container has exited. A container
 * that exits unasked (crash, failed start) stops the task the same way. The task
 * holds its instance's CPU, memory and ports from launch until it is STOPPED.
 */
export class TaskLifecycle {
  constructor(
    private readonly deps: {
      arns: EcsArns;
      runner: TaskRunner;
      events: EcsEvents;
      /** SIGTERM → SIGKILL grace when a container definition sets no `stopTimeout` (ECS: 30 s). */
      stopTimeoutMs: number;
      listener: TaskLifecycleListener;
      loadBalancerHealth: LoadBalancerHealth;
    },
  ) {}

  launch(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    instance: ContainerInstanceRecord,
  ): TaskRecord {
    const { arns, events, runner } = this.deps;
    const definition = deployment.taskDefinition;
    const cluster = service.cluster;
    const id = randomResourceId();
    const arn = arns.task(cluster.name, id);
    const task: TaskRecord = {
      arn,
      id,
      cluster,
      instance,
      taskDefinition: definition,
      service,
      deployment,
      group: `service:${service.name}`,
      startedBy: deployment.id,
      lastStatus: "PENDING",
      desiredStatus: "RUNNING",
      containers: definition.containers.map((container) => ({
        arn: arns.container(cluster.name, id, randomUUID()),
        name: container.name,
        image: container.image,
        essential: container.essential,
        lastStatus: "PENDING",
        networkBindings: [],
        cpu: container.cpu,
        memory: container.memory,
        memoryReservation: container.memoryReservation,
      })),
      createdAt: new Date(),
      version: 0,
      tags: [],
      failed: false,
    };
    events.instanceResourcesChanged(instance);
    instance.usedCpu += definition.cpu;
    instance.usedMemory += definition.memory;
    for (const port of definition.hostPorts) instance.usedPorts.add(port);
    instance.tasks.add(task);
    service.tasks.add(task);
    cluster.tasks.set(arn, task);
    events.taskChanged(task);
    runner.launch(
      {
        taskArn: arn,
        clusterName: cluster.name,
        containerInstanceArn: instance.arn,
        containers: definition.containers.map((container) => ({
          name: container.name,
          image: container.image,
          essential: container.essential,
          environment: container.environment,
          portMappings: container.portMappings,
          stopTimeoutMs:
            container.stopTimeout === undefined
              ? this.deps.stopTimeoutMs
              : container.stopTimeout * 1000,
        })),
      },
      {
        running: (bindings) => this.running(task, bindings),
        programsStarted: () => this.programsStarted(task),
        containerExited: (name, exitCode, reason) =>
          this.containerExited(task, name, exitCode, reason),
        stopped: (failedToStart) => this.stopped(task, failedToStart),
      },
    );
    return task;
  }

  /**
   * Asks the task to stop (desired STOPPED); it is STOPPED once its containers have
   * exited. A running task behind a load balancer is DEACTIVATING while it is
   * deregistered and drained, and only then STOPPING (SIGTERM), so no request in
   * flight to it fails.
   */
  stop(task: TaskRecord, reason: string, stopCode: TaskStopCode): void {
    if (task.desiredStatus === "STOPPED") return;
    task.desiredStatus = "STOPPED";
    task.stoppingAt = new Date();
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    if (task.lastStatus !== "RUNNING" || !this.deps.loadBalancerHealth.hasTargets(task)) {
      this.stopContainers(task);
      return;
    }
    task.lastStatus = "DEACTIVATING";
    this.deps.events.taskChanged(task);
    void this.deps.loadBalancerHealth
      .drain(task)
      .catch(() => {})
      .then(() => this.stopContainers(task));
  }

  /** STOPPING: the runner sends SIGTERM, then SIGKILL after the stop timeout. */
  private stopContainers(task: TaskRecord): void {
    if (task.lastStatus === "STOPPED") return;
    // A task that never ran has nothing to stop gracefully: it goes from PENDING to STOPPED.
    if (task.lastStatus !== "PENDING") task.lastStatus = "STOPPING";
    this.deps.events.taskChanged(task);
    this.deps.runner.stop(task.arn);
  }

  private running(task: TaskRecord, bindings: ReadonlyMap<string, NetworkBinding[]>): void {
    if (task.lastStatus !== "PENDING") return;
    task.lastStatus = "RUNNING";
    task.startedAt = new Date();
    for (const container of task.containers) {
      container.lastStatus = "RUNNING";
      container.networkBindings = bindings.get(container.name) ?? [];
    }
    this.deps.events.taskChanged(task);
    this.deps.listener.changed();
  }

  private programsStarted(task: TaskRecord): void {
    if (task.lastStatus !== "RUNNING" || task.programsStartedAt !== undefined) return;
    task.programsStartedAt = new Date();
    this.deps.listener.changed();
  }

  private containerExited(
    task: TaskRecord,
    name: string,
    exitCode: number | null,
    reason?: string,
  ): void {
    const container = task.containers.find((c) => c.name === name);
    if (container === undefined) return;
    container.lastStatus = "STOPPED";
    if (exitCode !== null) container.exitCode = exitCode;
    if (reason !== undefined) container.reason = reason;
    if (container.essential && task.desiredStatus === "RUNNING") {
      task.failed = true;
      task.desiredStatus = "STOPPED";
      task.stoppingAt = new Date();
      task.stoppedReason = "Essential container in task exited";
      task.stopCode = "EssentialContainerExited";
    }
  }

  private stopped(task: TaskRecord, failedToStart?: string): void {
    if (task.lastStatus === "STOPPED") return;
    if (failedToStart !== undefined && task.desiredStatus === "RUNNING") {
      task.failed = true;
      task.stoppedReason = failedToStart;
      task.stopCode = "TaskFailedToStart";
    }
    task.desiredStatus = "STOPPED";
    task.lastStatus = "STOPPED";
    task.stoppedAt = new Date();
    task.stoppingAt ??= task.stoppedAt;
    for (const container of task.containers) container.lastStatus = "STOPPED";
    const { instance } = task;
    this.deps.events.instanceResourcesChanged(instance);
    instance.usedCpu -= task.taskDefinition.cpu;
    instance.usedMemory -= task.taskDefinition.memory;
    for (const port of task.taskDefinition.hostPorts) instance.usedPorts.delete(port);
    instance.tasks.delete(task);
    task.service?.tasks.delete(task);
    this.deps.events.taskChanged(task);
    if (task.failed && task.service !== undefined) this.deps.listener.failed(task.service, task);
    this.deps.listener.changed();
  }
}
