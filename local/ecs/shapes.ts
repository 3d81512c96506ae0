import type {
  Cluster,
  ContainerInstance,
  ContainerInstanceHealthStatus,
  Deployment,
  Resource,
  Service,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { parseEcsArn } from "../../functions/lib/ecs-names";
import type { ClusterCapacityProviders } from "./model/capacity-providers";
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  DeploymentRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "./model/records";
import { requiredAttributes } from "./model/required-attributes";

/**
 * Records as the ECS API describes them, in the SDK's own types (timestamps as Dates).
 * The API answers with these (epoch seconds on the wire), the EventBridge events are
 * built from them (ISO-8601), and the local cloud's read-only views return them.
 */

/** A described container instance always has its ARN. */
export type DescribedContainerInstance = ContainerInstance & { containerInstanceArn: string };

/**
 * A cluster as DescribeClusters shows it, with the capacity providers attached to it
 * and its default strategy (each item with its weight and base, 0 when not given).
 */
export function clusterShape(
  cluster: ClusterRecord,
  providers: ClusterCapacityProviders,
  includeTags: boolean,
  { statistics = false }: { statistics?: boolean } = {},
): Cluster {
  let running = 0;
  let pending = 0;
  for (const task of cluster.tasks.values()) {
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PENDING") pending++;
  }
  let instances = 0;
  for (const instance of cluster.instances.values())
    if (instance.status !== "INACTIVE") instances++;
  let services = 0;
  let draining = 0;
  for (const service of cluster.services.values()) {
    if (service.status === "ACTIVE") services++;
    else if (service.status === "DRAINING") draining++;
  }
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: instances,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: services,
    // Every task and service here is EC2's: the local cloud has no Fargate or EXTERNAL.
    statistics: statistics
      ? Object.entries({
          runningEC2TasksCount: running,
          runningFargateTasksCount: 0,
          pendingEC2TasksCount: pending,
          pendingFargateTasksCount: 0,
          runningExternalTasksCount: 0,
          pendingExternalTasksCount: 0,
          activeEC2ServiceCount: services,
          activeFargateServiceCount: 0,
          drainingEC2ServiceCount: draining,
          drainingFargateServiceCount: 0,
          activeExternalServiceCount: 0,
          drainingExternalServiceCount: 0,
        }).map(([name, value]) => ({ name, value: String(value) }))
      : [],
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: [...providers.capacityProviders],
    defaultCapacityProviderStrategy: providers.defaultStrategy.map(
      ({ capacityProvider, weight = 0, base = 0 }) => ({ capacityProvider, weight, base }),
    ),
    ...(includeTags ? { tags: cluster.tags } : {}),
  };
}

function resources(instance: ContainerInstanceRecord, remaining: boolean): Resource[] {
  const ports = remaining
    ? [...new Set([...instance.registeredPorts, ...instance.usedPorts])]
    : instance.registeredPorts;
  return [
    {
      name: "CPU",
      type: "INTEGER",
      integerValue: remaining ? instance.cpu - instance.usedCpu : instance.cpu,
    },
    {
      name: "MEMORY",
      type: "INTEGER",
      integerValue: remaining ? instance.memory - instance.usedMemory : instance.memory,
    },
    { name: "PORTS", type: "STRINGSET", stringSetValue: ports.map(String) },
    { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
  ];
}

/** What both DescribeContainerInstances and the state change event carry. */
export function containerInstanceFields(
  instance: ContainerInstanceRecord,
): DescribedContainerInstance {
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    version: instance.version,
    versionInfo: {
      agentVersion: "1.89.0",
      agentHash: "local",
      dockerVersion: "DockerVersion: none (local cloud)",
    },
    remainingResources: resources(instance, true),
    registeredResources: resources(instance, false),
    status: instance.status,
    agentConnected: instance.agentConnected,
    attributes: [...instance.attributes].map(([name, value]) =>
      value === undefined ? { name } : { name, value },
    ),
    registeredAt: instance.registeredAt,
    attachments: [],
  };
}

export function containerInstanceShape(
  instance: ContainerInstanceRecord,
  includeTags: boolean,
  { health = false }: { health?: boolean } = {},
): DescribedContainerInstance {
  let running = 0;
  let pending = 0;
  for (const task of instance.tasks) {
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PENDING") pending++;
  }
  return {
    ...containerInstanceFields(instance),
    runningTasksCount: running,
    pendingTasksCount: pending,
    ...(includeTags ? { tags: instance.tags } : {}),
    ...(health ? { healthStatus: healthStatus(instance) } : {}),
  };
}

/**
 * CONTAINER_INSTANCE_HEALTH: the container runtime's check. Locally the runtime is the
 * process runner, up exactly while the agent is connected.
 */
function healthStatus(instance: ContainerInstanceRecord): ContainerInstanceHealthStatus {
  const status = instance.agentConnected ? "OK" : "IMPAIRED";
  return {
    overallStatus: status,
    details: [
      {
        type: "CONTAINER_RUNTIME",
        status,
        lastUpdated: new Date(),
        lastStatusChange: instance.registeredAt,
      },
    ],
  };
}

export function taskDefinitionShape(definition: TaskDefinitionRecord): TaskDefinition {
  return {
    taskDefinitionArn: definition.arn,
    containerDefinitions: definition.containerDefinitions,
    family: definition.family,
    ...(definition.taskRoleArn ? { taskRoleArn: definition.taskRoleArn } : {}),
    ...(definition.executionRoleArn ? { executionRoleArn: definition.executionRoleArn } : {}),
    networkMode: definition.networkMode,
    revision: definition.revision,
    volumes: [],
    status: definition.status,
    requiresAttributes: requiredAttributes(definition),
    placementConstraints: definition.placementConstraints,
    compatibilities: ["EXTERNAL", "EC2"],
    requiresCompatibilities: definition.requiresCompatibilities,
    ...(definition.requestedCpu === undefined ? {} : { cpu: definition.requestedCpu }),
    ...(definition.requestedMemory === undefined ? {} : { memory: definition.requestedMemory }),
    registeredAt: definition.registeredAt,
    registeredBy: definition.registeredBy,
  };
}

export function taskShape(task: TaskRecord, includeTags: boolean): Task {
  return {
    taskArn: task.arn,
    clusterArn: task.cluster.arn,
    taskDefinitionArn: task.taskDefinition.arn,
    containerInstanceArn: task.instance.arn,
    overrides: { containerOverrides: task.containers.map((c) => ({ name: c.name })) },
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    cpu: String(task.taskDefinition.cpu),
    memory: String(task.taskDefinition.memory),
    containers: task.containers.map((container) => ({
      containerArn: container.arn,
      taskArn: task.arn,
      name: container.name,
      image: container.image,
      lastStatus: container.lastStatus,
      ...(container.exitCode === undefined ? {} : { exitCode: container.exitCode }),
      ...(container.reason === undefined ? {} : { reason: container.reason }),
      networkBindings: container.networkBindings,
      networkInterfaces: [],
      healthStatus: "UNKNOWN",
      cpu: String(container.cpu),
      ...(container.memory === undefined ? {} : { memory: String(container.memory) }),
      ...(container.memoryReservation === undefined
        ? {}
        : { memoryReservation: String(container.memoryReservation) }),
    })),
    ...(task.startedBy === undefined ? {} : { startedBy: task.startedBy }),
    version: task.version,
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason }),
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
    connectivity: "CONNECTED",
    connectivityAt: task.createdAt,
    pullStartedAt: task.startedAt,
    pullStoppedAt: task.startedAt,
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    stoppingAt: task.stoppingAt,
    stoppedAt: task.stoppedAt,
    executionStoppedAt: task.stoppedAt,
    group: task.group,
    launchType: "EC2",
    availabilityZone: task.instance.attributes.get("ecs.availability-zone"),
    attributes: [
      { name: "ecs.cpu-architecture", value: task.instance.attributes.get("ecs.cpu-architecture") },
    ],
    attachments: [],
    healthStatus: "UNKNOWN",
    enableExecuteCommand: false,
    ...(includeTags ? { tags: task.tags } : {}),
  };
}

function deploymentShape(service: ServiceRecord, deployment: DeploymentRecord): Deployment {
  let running = 0;
  let pending = 0;
  for (const task of service.tasks) {
    if (task.deployment !== deployment || task.desiredStatus !== "RUNNING") continue;
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PENDING") pending++;
  }
  return {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinition.arn,
    desiredCount: deployment.status === "PRIMARY" ? service.desiredCount : running + pending,
    pendingCount: pending,
    runningCount: running,
    failedTasks: deployment.failedTasks,
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
    launchType: "EC2",
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

export function serviceShape(service: ServiceRecord, includeTags: boolean): Service {
  let running = 0;
  let pending = 0;
  for (const task of service.tasks) {
    if (task.desiredStatus !== "RUNNING") continue;
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PENDING") pending++;
  }
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.cluster.arn,
    loadBalancers: service.loadBalancers,
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: pending,
    // A service on a capacity provider strategy has no launch type.
    ...(service.capacityProviderStrategy.length > 0
      ? { capacityProviderStrategy: service.capacityProviderStrategy }
      : { launchType: "EC2" }),
    taskDefinition: primary?.taskDefinition.arn,
    deploymentConfiguration: service.deploymentConfiguration,
    deployments: service.deployments.map((deployment) => deploymentShape(service, deployment)),
    events: service.events.map((event) => ({
      id: event.id,
      createdAt: event.createdAt,
      message: event.message,
    })),
    createdAt: service.createdAt,
    placementConstraints: service.placementConstraints,
    placementStrategy: service.placementStrategy,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    createdBy: `arn:aws:iam::${parseEcsArn(service.arn)?.account ?? ""}:role/local-cloud`,
    enableECSManagedTags: false,
    propagateTags: "NONE",
    enableExecuteCommand: false,
    ...service.echoed,
    ...(includeTags ? { tags: service.tags } : {}),
  };
}

/** `T` with every Date in it written as a `D`. */
export type WithDates<T, D> = T extends Date
  ? D
  : T extends readonly (infer Item)[]
    ? WithDates<Item, D>[]
    : T extends object
      ? { [K in keyof T]: WithDates<T[K], D> }
      : T;

/**
 * A copy of a shape with every Date written as `format` says: epoch seconds on the
 * JSON wire, ISO-8601 in EventBridge events. Fields left undefined stay undefined.
 */
export function withDates<T, D extends number | string>(
  value: T,
  format: (date: Date) => D,
): WithDates<T, D> {
  return write(value, format) as WithDates<T, D>;
}

function write(value: unknown, format: (date: Date) => number | string): unknown {
  if (value instanceof Date) return format(value);
  if (Array.isArray(value)) return value.map((item) => write(item, format));
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = write(field, format);
  return copy;
}
