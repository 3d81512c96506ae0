import type { PlacementStrategy } from "./placement";
import type { Expression } from "./query-language";
import type { NetworkBinding } from "./runners/task-runner";

/** The in-memory ECS model. Names follow the ECS API reference. */

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

export interface ContainerInstanceRecord {
  arn: string;
  id: string;
  cluster: ClusterRecord;
  ec2InstanceId: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
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

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  /** The DescribeTaskDefinition shape, defaults filled in. */
  description: Record<string, unknown>;
  containers: ContainerDefinition[];
  networkMode: string;
  /** What a task reserves on its instance. */
  cpu: number;
  memory: number;
  hostPorts: number[];
  memberOf: Expression[];
  tags: Tag[];
}

export interface ContainerDefinition {
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

export interface ServiceRecord {
  arn: string;
  name: string;
  cluster: ClusterRecord;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  deployments: DeploymentRecord[];
  deploymentConfiguration: DeploymentConfiguration;
  distinctInstance: boolean;
  memberOf: Expression[];
  placementConstraints: { type: string; expression?: string }[];
  placementStrategy: PlacementStrategy[];
  loadBalancers: unknown[];
  /** CreateService input fields echoed back as given (healthCheckGracePeriodSeconds…). */
  echoed: Record<string, unknown>;
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
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  desiredStatus: "RUNNING" | "STOPPED";
  containers: ContainerRecord[];
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: TaskStopCode;
  version: number;
  tags: Tag[];
  /** Stopped without being asked to (crash, failed start): counts against the deployment. */
  failed: boolean;
}

/** Epoch seconds, as the JSON protocols carry timestamps. */
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
