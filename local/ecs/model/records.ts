import type {
  Compatibility,
  ContainerDefinition,
  LoadBalancer,
  NetworkConfiguration,
  PlacementConstraint,
  TaskDefinitionPlacementConstraint,
} from "@aws-sdk/client-ecs";
import type { Expression } from "../../../functions/lib/placement/query-language";
import type { PlacementStrategy } from "../../../functions/lib/placement/task-placement";
import type { NetworkBinding } from "../runners/task-runner";

/**
 * The local ECS's state: one record per resource, linked to each other (a task knows
 * its instance, service and deployment). Names follow the ECS API reference.
 */

export interface Tag {
  key: string;
  value: string;
}

export interface ClusterRecord {
  arn: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  tags: Tag[];
  createdAt: Date;
  instances: Map<string, ContainerInstanceRecord>;
  services: Map<string, ServiceRecord>;
  tasks: Map<string, TaskRecord>;
}

export type ContainerInstanceStatus = "ACTIVE" | "DRAINING" | "INACTIVE";

export interface ContainerInstanceRecord {
  arn: string;
  id: string;
  cluster: ClusterRecord;
  ec2InstanceId: string;
  status: ContainerInstanceStatus;
  agentConnected: boolean;
  cpu: number;
  memory: number;
  /** Ports the agent and Docker hold on every host (22, 2375, 2376, 51678, 51679). */
  registeredPorts: number[];
  attributes: Map<string, string | undefined>;
  usedCpu: number;
  usedMemory: number;
  usedPorts: Set<number>;
  /** Tasks on the instance that are not STOPPED yet. */
  tasks: Set<TaskRecord>;
  version: number;
  registeredAt: Date;
  tags: Tag[];
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export type NetworkMode = "bridge" | "host" | "awsvpc" | "none";

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  /** What the scheduler and the runner read of each container. */
  containers: ContainerDefinitionRecord[];
  /** The container definitions as registered, defaults filled in, as DescribeTaskDefinition echoes them. */
  containerDefinitions: ContainerDefinition[];
  networkMode: NetworkMode;
  /** Task-level cpu and memory as given ("1 vCPU", "512"), when given. */
  requestedCpu?: string;
  requestedMemory?: string;
  /** What a task reserves on its instance. */
  cpu: number;
  memory: number;
  hostPorts: number[];
  memberOf: Expression[];
  placementConstraints: TaskDefinitionPlacementConstraint[];
  requiresCompatibilities: Compatibility[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  registeredAt: Date;
  registeredBy: string;
  tags: Tag[];
}

export interface ContainerDefinitionRecord {
  name: string;
  image: string;
  essential: boolean;
  cpu: number;
  memory?: number;
  memoryReservation?: number;
  environment: Record<string, string>;
  portMappings: PortMapping[];
  stopTimeout?: number;
}

export interface DeploymentRecord {
  id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  taskDefinition: TaskDefinitionRecord;
  failedTasks: number;
  createdAt: Date;
  updatedAt: Date;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
}

export interface ServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface DeploymentConfiguration {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

/** Where a service's tasks may go: its placement constraints and strategy. */
export interface ServicePlacement {
  distinctInstance: boolean;
  memberOf: Expression[];
  /** As given, for DescribeServices. */
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
}

/** CreateService fields the local ECS keeps but does not act on, echoed by DescribeServices. */
export interface ServiceSettingsEchoed {
  healthCheckGracePeriodSeconds?: number;
  roleArn?: string;
  networkConfiguration?: NetworkConfiguration;
}

/** One entry of a service's (or a cluster's default) capacity provider strategy. */
export interface CapacityProviderStrategyItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

export interface ServiceRecord extends ServicePlacement {
  arn: string;
  name: string;
  cluster: ClusterRecord;
  /** Empty: the cluster's default strategy applies (or none: the EC2 launch type). */
  capacityProviderStrategy: CapacityProviderStrategyItem[];
  /**
   * Given at CreateService: the service runs on whatever container instances are
   * registered, on no capacity provider — not the cluster's default strategy — so a
   * task that fits nowhere fails placement instead of waiting (PROVISIONING) for
   * managed scaling to add a host.
   */
  launchType?: "EC2";
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  deployments: DeploymentRecord[];
  deploymentConfiguration: DeploymentConfiguration;
  loadBalancers: LoadBalancer[];
  echoed: ServiceSettingsEchoed;
  tags: Tag[];
  createdAt: Date;
  events: ServiceEvent[];
  /** Tasks of the service that are not STOPPED yet. */
  tasks: Set<TaskRecord>;
  /** The task definition of the last COMPLETED deployment: the circuit breaker's rollback target. */
  lastCompleted?: TaskDefinitionRecord;
  /** Scheduler bookkeeping. */
  steady: boolean;
  consecutiveFailures: number;
  launchNotBefore: number;
  lastPlacementFailureAt: number;
  /**
   * Tasks of the last pass that fit no instance of the service's capacity provider: they
   * wait (PROVISIONING) for managed scaling instead of failing placement.
   */
  provisioning: number;
  inactiveAt?: number;
}

export interface ContainerRecord {
  arn: string;
  name: string;
  image: string;
  essential: boolean;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  cpu: number;
  memory?: number;
  memoryReservation?: number;
}

export type TaskStopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated";

/**
 * A task's lastStatus, in the order of the ECS task lifecycle: DEACTIVATING while its
 * target groups deregister and drain it, STOPPING once its containers are being
 * stopped (SIGTERM, then SIGKILL after the stop timeout). PROVISIONING, ACTIVATING and
 * DEPROVISIONING are awsvpc and service-discovery steps the local hosts (bridge and
 * host networking) never take.
 */
export type TaskStatus = "PENDING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "STOPPED";

export interface TaskRecord {
  arn: string;
  id: string;
  cluster: ClusterRecord;
  instance: ContainerInstanceRecord;
  taskDefinition: TaskDefinitionRecord;
  service?: ServiceRecord;
  deployment?: DeploymentRecord;
  group: string;
  startedBy?: string;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  containers: ContainerRecord[];
  createdAt: Date;
  startedAt?: Date;
  /** When every container's program had begun (the runner's `programsStarted`): stabilization counts from here. */
  programsStartedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: TaskStopCode;
  version: number;
  tags: Tag[];
  /** Stopped without being asked to (crash, failed start): counts against the deployment. */
  failed: boolean;
}
