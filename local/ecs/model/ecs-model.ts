import type { LocalEventBus } from "../../eventbridge/bus";
import { EcsArns } from "../arns";
import { EcsEvents } from "../events";
import type { TaskRunner } from "../runners/task-runner";
import { Attributes } from "./attributes";
import { CapacityProviders } from "./capacity-providers";
import { Clusters } from "./clusters";
import { ContainerInstances } from "./container-instances";
import { type DeploymentOptions, Deployments } from "./deployments";
import { LoadBalancerHealth } from "./load-balancer-health";
import { TaskPlacer } from "./placement-pass";
import { Scheduler, type SchedulerOptions } from "./scheduler";
import { Services } from "./services";
import { Tags } from "./tags";
import { TaskDefinitions } from "./task-definitions";
import { TaskLifecycle } from "./task-lifecycle";

export interface EcsModelOptions extends DeploymentOptions, SchedulerOptions {
  region: string;
  accountId: string;
  runner: TaskRunner;
  bus: LocalEventBus;
  /** SIGTERM → SIGKILL grace when a container definition sets no `stopTimeout` (ECS: 30 s). */
  stopTimeoutMs: number;
}

/**
 * The local ECS's state and its rules, one part per concern. The API layer (api/)
 * reads requests into these parts' typed inputs and shapes what they return; the
 * local cloud's own code (hosts joining, the wiring) calls them directly.
 */
export interface EcsModel {
  arns: EcsArns;
  events: EcsEvents;
  clusters: Clusters;
  instances: ContainerInstances;
  attributes: Attributes;
  capacityProviders: CapacityProviders;
  taskDefinitions: TaskDefinitions;
  services: Services;
  tasks: TaskLifecycle;
  tags: Tags;
  scheduler: Scheduler;
  loadBalancerHealth: LoadBalancerHealth;
}

export function createEcsModel(options: EcsModelOptions): EcsModel {
  const arns = new EcsArns(options.region, options.accountId);
  const events = new EcsEvents(options.bus, options.region, options.accountId);
  const clusters = new Clusters(arns);
  const capacityProviders = new CapacityProviders(arns);
  const loadBalancerHealth = new LoadBalancerHealth();
  const deployments = new Deployments(events, options, loadBalancerHealth);
  const tasks = new TaskLifecycle({
    arns,
    runner: options.runner,
    events,
    stopTimeoutMs: options.stopTimeoutMs,
    loadBalancerHealth,
    // The scheduler hears of every task change; it is built next, before any task exists.
    listener: {
      changed: () => scheduler.changed(),
      failed: (service, task) => scheduler.failed(service, task),
    },
  });
  const scheduler = new Scheduler({
    clusters,
    tasks,
    placer: new TaskPlacer(tasks, events, capacityProviders),
    deployments,
    events,
    loadBalancerHealth,
    options,
  });
  const changed = () => scheduler.changed();
  const instances = new ContainerInstances({ arns, events, tasks, changed });
  const attributes = new Attributes({ instances, changed });
  const taskDefinitions = new TaskDefinitions(arns);
  const services = new Services({ arns, deployments, changed });
  const tags = new Tags({ arns, clusters, instances, services, taskDefinitions });
  return {
    arns,
    events,
    clusters,
    instances,
    attributes,
    capacityProviders,
    taskDefinitions,
    services,
    tasks,
    tags,
    scheduler,
    loadBalancerHealth,
  };
}
