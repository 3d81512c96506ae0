import type { Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { LocalEventBus } from "../eventbridge/bus";
import { givenOnly } from "./api/fields";
import { EcsApi } from "./api/operations";
import { ManagedScaling, type ManagedScalingOptions } from "./capacity/managed-scaling";
import type { ContainerInstanceSpec } from "./model/container-instances";
import { createEcsModel, type EcsModel } from "./model/ecs-model";
import type { TargetGroups } from "./model/load-balancer-health";
import type { Tag } from "./model/records";
import type { TaskRunner } from "./runners/task-runner";
import {
  containerInstanceShape,
  type DescribedContainerInstance,
  serviceShape,
  taskDefinitionShape,
  taskShape,
} from "./shapes";

export interface EcsControlPlaneOptions {
  region: string;
  accountId: string;
  runner: TaskRunner;
  bus: LocalEventBus;
  /** SIGTERM → SIGKILL grace when a container definition sets no `stopTimeout` (ECS: 30 s). */
  stopTimeoutMs: number;
  /** How often the scheduler reconciles even when nothing changed. */
  reconcileIntervalMs?: number;
  /**
   * Failed task starts after which a deployment without a circuit breaker is marked
   * FAILED (AWS would retry forever; the local deploy-and-benchmark needs an end).
   */
  failedTasksThreshold?: number;
  /** How long STOPPED tasks stay describable (AWS: about an hour). */
  stoppedTaskRetentionMs?: number;
  /**
   * How long a deployment's tasks must have been RUNNING before it is COMPLETED (steady
   * state). Stands in for health checks: a container that crashes right after it
   * starts counts as a failed start instead of a finished rollout.
   */
  taskStabilizationMs?: number;
}

/** A host to add to a cluster, as an EC2 instance whose agent registers. */
export interface HostSpec extends ContainerInstanceSpec {
  /** Name or ARN; default `default`. */
  cluster?: string;
}

/** Where the load balancer reaches a running task of a service. */
export interface TaskEndpoint {
  taskArn: string;
  containerName: string;
  host: string;
  port: number;
}

/**
 * The local ECS: the API the edge serves (`handle`), the scheduler's loop, and what
 * the rest of the local cloud does in-process — hosts joining as an instance's agent
 * would register them, clusters from the template, and read-only views in the SDK's
 * types for the scenario, the load balancer and tests.
 */
export class EcsControlPlane {
  private readonly model: EcsModel;
  private readonly api: EcsApi;
  private readonly runner: TaskRunner;

  constructor(options: EcsControlPlaneOptions) {
    this.runner = options.runner;
    this.model = createEcsModel({
      reconcileIntervalMs: 200,
      failedTasksThreshold: 10,
      stoppedTaskRetentionMs: 3_600_000,
      taskStabilizationMs: 500,
      // An option passed as undefined takes the default: an undefined interval would run the
      // scheduler every millisecond, an undefined threshold fail a rollout at its first failure.
      ...givenOnly(options),
    });
    this.api = new EcsApi(this.model);
  }

  /** Starts the reconcile loop. */
  start(): void {
    this.model.scheduler.start();
  }

  /** Stops the loop, then every task (SIGTERM, SIGKILL after the stop timeout). */
  async stop(): Promise<void> {
    this.model.scheduler.stop();
    await this.runner.shutdown();
  }

  /** One reconcile pass now (the benchmark times them). */
  reconcile(): void {
    this.model.scheduler.reconcile();
  }

  /** Serves one ECS JSON 1.1 operation. */
  async handle(operation: string, input: unknown): Promise<unknown> {
    return this.api.handle(operation, input);
  }

  /** Managed scaling for the capacity providers, against the given Auto Scaling groups. */
  managedScaling(
    options: Omit<ManagedScalingOptions, "clusters" | "capacityProviders">,
  ): ManagedScaling {
    const { clusters, capacityProviders } = this.model;
    return new ManagedScaling({ ...options, clusters, capacityProviders });
  }

  /** Creates the cluster if it does not exist (CreateCluster is idempotent); returns its ARN. */
  ensureCluster(name: string, tags: Tag[] = []): string {
    return this.model.clusters.create(name, tags).arn;
  }

  /**
   * The target groups behind the services' load balancers: from then on a task counts
   * as healthy only once its target is, and is drained before SIGTERM.
   */
  attachTargetGroups(groups: TargetGroups): void {
    this.model.loadBalancerHealth.attach(groups);
  }

  /** Simulates an EC2 instance whose agent registers with the cluster. */
  registerHost(host: HostSpec = {}): DescribedContainerInstance {
    const { cluster, ...spec } = host;
    const instance = this.model.instances.register(this.model.clusters.active(cluster), spec);
    return containerInstanceShape(instance, false);
  }

  // ---------------------------------------------------------------- read-only views

  /** The service as DescribeServices shows it (with tags), or undefined. */
  describeService(cluster: string, service: string): Service | undefined {
    const record = this.model.clusters.find(cluster)?.services.get(service);
    return record === undefined ? undefined : serviceShape(record, true);
  }

  /** The task definition (family, family:revision or ARN) as DescribeTaskDefinition shows it. */
  describeTaskDefinition(ref: string): TaskDefinition | undefined {
    const definition = this.model.taskDefinitions.find(ref);
    return definition === undefined ? undefined : taskDefinitionShape(definition);
  }

  /** A cluster's tasks as DescribeTasks shows them (or one service's, not STOPPED). */
  tasksOf(cluster: string, service?: string): Task[] {
    const record = this.model.clusters.find(cluster);
    if (record === undefined) return [];
    return [...record.tasks.values()]
      .filter(
        (task) =>
          service === undefined ||
          (task.service?.name === service && task.lastStatus !== "STOPPED"),
      )
      .map((task) => taskShape(task, false));
  }

  /** A cluster's registered instances as DescribeContainerInstances shows them. */
  containerInstancesOf(cluster: string): DescribedContainerInstance[] {
    const record = this.model.clusters.find(cluster);
    if (record === undefined) return [];
    return [...record.instances.values()]
      .filter((instance) => instance.status !== "INACTIVE")
      .map((instance) => containerInstanceShape(instance, false));
  }

  /** Where each RUNNING task of a service listens (the load balancer's targets). */
  runningEndpoints(cluster: string, service: string): TaskEndpoint[] {
    const record = this.model.clusters.find(cluster)?.services.get(service);
    if (record === undefined) return [];
    const endpoints: TaskEndpoint[] = [];
    for (const task of record.tasks) {
      if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") continue;
      for (const container of task.containers) {
        for (const binding of container.networkBindings) {
          endpoints.push({
            taskArn: task.arn,
            containerName: container.name,
            host: "127.0.0.1",
            port: binding.hostPort,
          });
        }
      }
    }
    return endpoints;
  }

  /** The last lines a task's containers printed. */
  taskLogs(taskArn: string): string[] {
    return this.runner.logs(taskArn);
  }

  /** Counts for reports and benchmarks. */
  stats(): {
    clusters: number;
    instances: number;
    services: number;
    tasks: number;
    runningTasks: number;
  } {
    let instances = 0;
    let services = 0;
    let tasks = 0;
    let runningTasks = 0;
    for (const cluster of this.model.clusters.all()) {
      instances += cluster.instances.size;
      services += cluster.services.size;
      for (const task of cluster.tasks.values()) {
        tasks++;
        if (task.lastStatus === "RUNNING") runningTasks++;
      }
    }
    return { clusters: this.model.clusters.size, instances, services, tasks, runningTasks };
  }
}
