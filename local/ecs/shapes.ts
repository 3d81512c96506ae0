import {
  type ClusterRecord,
  type ContainerInstanceRecord,
  type DeploymentRecord,
  epochSeconds,
  type ServiceRecord,
  type TaskRecord,
} from "./model";

/**
 * The API response shapes (timestamps as epoch seconds) and the EventBridge event
 * details (timestamps as ISO-8601), built from the same records.
 */
type DateFormat = (date: Date | undefined) => number | string | undefined;
const iso: DateFormat = (date) => date?.toISOString();

export function clusterShape(
  cluster: ClusterRecord,
  includeTags: boolean,
): Record<string, unknown> {
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
  for (const service of cluster.services.values()) if (service.status === "ACTIVE") services++;
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: instances,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: services,
    statistics: [],
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
    ...(includeTags ? { tags: cluster.tags } : {}),
  };
}

function resources(instance: ContainerInstanceRecord, remaining: boolean) {
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

function counts(instance: ContainerInstanceRecord) {
  let running = 0;
  let pending = 0;
  for (const task of instance.tasks) {
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PENDING") pending++;
  }
  return { running, pending };
}

function instanceFields(instance: ContainerInstanceRecord, date: DateFormat) {
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
    registeredAt: date(instance.registeredAt),
    attachments: [],
  };
}

export function containerInstanceShape(
  instance: ContainerInstanceRecord,
  includeTags: boolean,
): Record<string, unknown> {
  const { running, pending } = counts(instance);
  return {
    ...instanceFields(instance, epochSeconds),
    runningTasksCount: running,
    pendingTasksCount: pending,
    ...(includeTags ? { tags: instance.tags } : {}),
  };
}

export function containerInstanceEventDetail(instance: ContainerInstanceRecord) {
  return {
    ...instanceFields(instance, iso),
    clusterArn: instance.cluster.arn,
    accountType: "ec2_instance",
    updatedAt: new Date().toISOString(),
  };
}

function taskFields(task: TaskRecord, date: DateFormat) {
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
    connectivityAt: date(task.createdAt),
    pullStartedAt: date(task.startedAt),
    pullStoppedAt: date(task.startedAt),
    createdAt: date(task.createdAt),
    startedAt: date(task.startedAt),
    stoppingAt: date(task.stoppingAt),
    stoppedAt: date(task.stoppedAt),
    executionStoppedAt: date(task.stoppedAt),
    group: task.group,
    launchType: "EC2",
    availabilityZone: task.instance.attributes.get("ecs.availability-zone"),
    attachments: [],
    healthStatus: "UNKNOWN",
    enableExecuteCommand: false,
  };
}

export function taskShape(task: TaskRecord, includeTags: boolean): Record<string, unknown> {
  return { ...taskFields(task, epochSeconds), ...(includeTags ? { tags: task.tags } : {}) };
}

export function taskEventDetail(task: TaskRecord) {
  return { ...taskFields(task, iso), updatedAt: new Date().toISOString() };
}

function deploymentShape(service: ServiceRecord, deployment: DeploymentRecord) {
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
    createdAt: epochSeconds(deployment.createdAt),
    updatedAt: epochSeconds(deployment.updatedAt),
    launchType: "EC2",
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

export function serviceShape(
  service: ServiceRecord,
  includeTags: boolean,
): Record<string, unknown> {
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
    launchType: "EC2",
    taskDefinition: primary?.taskDefinition.arn,
    deploymentConfiguration: service.deploymentConfiguration,
    deployments: service.deployments.map((deployment) => deploymentShape(service, deployment)),
    events: service.events.map((event) => ({
      id: event.id,
      createdAt: epochSeconds(event.createdAt),
      message: event.message,
    })),
    createdAt: epochSeconds(service.createdAt),
    placementConstraints: service.placementConstraints,
    placementStrategy: service.placementStrategy,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    createdBy: "arn:aws:iam::000000000000:role/local-cloud",
    enableECSManagedTags: false,
    propagateTags: "NONE",
    enableExecuteCommand: false,
    ...service.echoed,
    ...(includeTags ? { tags: service.tags } : {}),
  };
}
