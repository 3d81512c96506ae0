import { randomBytes, randomUUID } from "node:crypto";
import { AwsError } from "../edge/errors";
import { envelope, type LocalEventBus } from "../eventbridge/bus";
import { ecsErrors } from "./errors";
import type {
  ClusterRecord,
  ContainerDefinition,
  ContainerInstanceRecord,
  DeploymentConfiguration,
  DeploymentRecord,
  ServiceRecord,
  Tag,
  TaskDefinitionRecord,
  TaskRecord,
  TaskStopCode,
} from "./model";
import {
  defaultStrategy,
  type PlacementCandidate,
  type PlacementStrategy,
  placeTask,
} from "./placement";
import { compileExpression, type Expression, evaluate, QueryLanguageError } from "./query-language";
import type { NetworkBinding, TaskRunner } from "./runners/task-runner";
import {
  clusterShape,
  containerInstanceEventDetail,
  containerInstanceShape,
  serviceShape,
  taskEventDetail,
  taskShape,
} from "./shapes";

type Input = Record<string, unknown>;
/** A placement candidate that knows its instance; remaining resources are refreshed as tasks land. */
type PlacedCandidate = PlacementCandidate & { instance: ContainerInstanceRecord };
type Output = Record<string, unknown>;

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
export interface HostSpec {
  cluster?: string;
  cpu?: number;
  memory?: number;
  instanceType?: string;
  availabilityZone?: string;
  ec2InstanceId?: string;
  /** Custom attributes (value undefined = a flag attribute without value). */
  attributes?: Record<string, string | undefined>;
  tags?: Tag[];
}

/** Where the load balancer reaches a running task of a service. */
export interface TaskEndpoint {
  taskArn: string;
  containerName: string;
  host: string;
  port: number;
}

const hostPortsOfAgent = [22, 2375, 2376, 51678, 51679];

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

function isRecord(value: unknown): value is Input {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads request fields with the checks ECS applies (InvalidParameterException otherwise). */
class Fields {
  constructor(private readonly input: Input) {}
  string(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw ecsErrors.invalidParameter(`${name} must be a string.`);
    return value;
  }
  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === "") {
      throw ecsErrors.invalidParameter(`${name} can not be blank.`);
    }
    return value;
  }
  integer(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw ecsErrors.invalidParameter(`${name} must be an integer.`);
    }
    return value;
  }
  boolean(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw ecsErrors.invalidParameter(`${name} must be a boolean.`);
    return value;
  }
  strings(name: string): string[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw ecsErrors.invalidParameter(`${name} must be a list of strings.`);
    }
    return value as string[];
  }
  records(name: string): Input[] {
    const value = this.input[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => !isRecord(item))) {
      throw ecsErrors.invalidParameter(`${name} must be a list of objects.`);
    }
    return value as Input[];
  }
  record(name: string): Input | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) throw ecsErrors.invalidParameter(`${name} must be an object.`);
    return value;
  }
  /** A field passed through as given (echoed back in responses). */
  raw(name: string): unknown {
    return this.input[name];
  }
  includesTags(): boolean {
    return (this.strings("include") ?? []).includes("TAGS");
  }
  tags(name = "tags"): Tag[] {
    return this.records(name).map((tag) => {
      if (typeof tag.key !== "string" || tag.key === "") {
        throw ecsErrors.invalidParameter("Tag keys must be non-empty strings.");
      }
      return { key: tag.key, value: typeof tag.value === "string" ? tag.value : "" };
    });
  }
}

/** Opaque `nextToken`: the last ARN of the page, so deletions between pages skip nothing. */
function paginate(
  arns: string[],
  fields: Fields,
  defaultMax: number,
): { items: string[]; nextToken?: string } {
  const maxResults = fields.integer("maxResults") ?? defaultMax;
  if (maxResults < 1 || maxResults > 100) {
    throw ecsErrors.invalidParameter("maxResults must be between 1 and 100.");
  }
  const token = fields.string("nextToken");
  let after: string | undefined;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
      if (!isRecord(decoded) || typeof decoded.after !== "string") throw new Error("shape");
      after = decoded.after;
    } catch {
      throw ecsErrors.invalidParameter("Invalid nextToken.");
    }
  }
  const sorted = arns.sort();
  const start = after === undefined ? 0 : sorted.findIndex((arn) => arn > after);
  const items = start < 0 ? [] : sorted.slice(start, start + maxResults);
  const last = items[items.length - 1];
  const more = start >= 0 && start + maxResults < sorted.length && last !== undefined;
  return more
    ? { items, nextToken: Buffer.from(JSON.stringify({ after: last })).toString("base64url") }
    : { items };
}

/**
 * The Describe* pattern: 1..`max` references in, the shapes found and a `MISSING`
 * failure for each reference that names nothing.
 */
function describeEach<T>(
  name: string,
  refs: string[] | undefined,
  max: number,
  find: (ref: string) => T | undefined,
  shape: (record: T) => Output,
  missingArn: (ref: string) => string = (ref) => ref,
): { found: Output[]; failures: Output[] } {
  const list = refs ?? [];
  if (list.length === 0 || list.length > max) {
    throw ecsErrors.invalidParameter(`${name} must have between 1 and ${max} items.`);
  }
  const found: Output[] = [];
  const failures: Output[] = [];
  for (const ref of list) {
    const record = find(ref);
    if (record === undefined) failures.push({ arn: missingArn(ref), reason: "MISSING" });
    else found.push(shape(record));
  }
  return { found, failures };
}

function parseUnits(raw: unknown, kind: "cpu" | "memory"): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(vcpu|gb|mb)?$/i.exec(text);
  if (match === null) throw ecsErrors.client(`Invalid ${kind} value "${text}".`);
  const amount = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  if (unit === "vcpu") return Math.round(amount * 1024);
  if (unit === "gb") return Math.round(amount * 1024);
  return Math.round(amount);
}

/**
 * The ECS control plane: clusters, container instances, task definitions, services and
 * tasks in memory, and the service scheduler that reconciles them.
 */
export class EcsControlPlane {
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly taskDefinitions = new Map<string, TaskDefinitionRecord[]>();
  private readonly options: Required<EcsControlPlaneOptions>;
  private timer: NodeJS.Timeout | undefined;
  private reconcileQueued = false;
  private lastPrune = 0;

  constructor(options: EcsControlPlaneOptions) {
    this.options = {
      reconcileIntervalMs: 200,
      failedTasksThreshold: 10,
      stoppedTaskRetentionMs: 3_600_000,
      taskStabilizationMs: 500,
      ...options,
    };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the reconcile loop. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.reconcile(), this.options.reconcileIntervalMs);
    this.timer.unref();
  }

  /** Stops the loop, then every task (SIGTERM, SIGKILL after the stop timeout). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.options.runner.shutdown();
  }

  private stopped = false;

  /** Reconciles soon (next macrotask), coalescing many changes into one pass. */
  private queueReconcile(): void {
    if (this.reconcileQueued || this.stopped) return;
    this.reconcileQueued = true;
    setImmediate(() => {
      this.reconcileQueued = false;
      this.reconcile();
    });
  }

  // ---------------------------------------------------------------- API dispatch

  /** Serves one ECS JSON 1.1 operation. */
  async handle(operation: string, input: unknown): Promise<unknown> {
    const fields = new Fields(isRecord(input) ? input : {});
    switch (operation) {
      case "CreateCluster":
        return this.createCluster(fields);
      case "DeleteCluster":
        return this.deleteCluster(fields);
      case "DescribeClusters":
        return this.describeClusters(fields);
      case "ListClusters":
        return this.listClusters(fields);
      case "RegisterContainerInstance":
        return this.registerContainerInstance(fields);
      case "DeregisterContainerInstance":
        return this.deregisterContainerInstance(fields);
      case "UpdateContainerInstancesState":
        return this.updateContainerInstancesState(fields);
      case "ListContainerInstances":
        return this.listContainerInstances(fields);
      case "DescribeContainerInstances":
        return this.describeContainerInstances(fields);
      case "RegisterTaskDefinition":
        return this.registerTaskDefinition(fields);
      case "DescribeTaskDefinition":
        return this.describeTaskDefinition(fields);
      case "CreateService":
        return this.createService(fields);
      case "UpdateService":
        return this.updateService(fields);
      case "DeleteService":
        return this.deleteService(fields);
      case "DescribeServices":
        return this.describeServices(fields);
      case "ListServices":
        return this.listServices(fields);
      case "ListTasks":
        return this.listTasks(fields);
      case "DescribeTasks":
        return this.describeTasks(fields);
      case "StopTask":
        return this.stopTaskOperation(fields);
      case "TagResource":
        return this.tagResource(fields);
      case "UntagResource":
        return this.untagResource(fields);
      case "ListTagsForResource":
        return this.listTagsForResource(fields);
      default:
        throw new AwsError(
          "UnknownOperationException",
          `The local cloud's ECS does not implement ${operation}.`,
        );
    }
  }

  // ---------------------------------------------------------------- ARNs and lookups

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.options.region}:${this.options.accountId}:${resource}`;
  }

  private cluster(nameOrArn: string | undefined): ClusterRecord {
    const name = (nameOrArn ?? "default").replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, "");
    const cluster = this.clusters.get(name);
    if (cluster === undefined || cluster.status !== "ACTIVE") throw ecsErrors.clusterNotFound();
    return cluster;
  }

  private findInstance(cluster: ClusterRecord, ref: string): ContainerInstanceRecord | undefined {
    if (ref.startsWith("arn:")) return cluster.instances.get(ref);
    return cluster.instances.get(this.arn(`container-instance/${cluster.name}/${ref}`));
  }

  private findService(cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
    const name = ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf("/") + 1) : ref;
    return cluster.services.get(name);
  }

  private findTask(cluster: ClusterRecord, ref: string): TaskRecord | undefined {
    if (ref.startsWith("arn:")) return cluster.tasks.get(ref);
    return cluster.tasks.get(this.arn(`task/${cluster.name}/${ref}`));
  }

  private findTaskDefinition(ref: string): TaskDefinitionRecord | undefined {
    const short = ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:task-definition\//, "");
    const [family = "", revision] = short.split(":");
    const revisions = this.taskDefinitions.get(family);
    if (revisions === undefined) return undefined;
    if (revision === undefined) {
      return [...revisions].reverse().find((definition) => definition.status === "ACTIVE");
    }
    return revisions.find((definition) => definition.revision === Number(revision));
  }

  // ---------------------------------------------------------------- events

  private publish(detailType: string, resources: string[], detail: () => unknown): void {
    if (!this.options.bus.hasSubscribers) return;
    this.options.bus.publish(
      envelope({
        detailType,
        source: "aws.ecs",
        account: this.options.accountId,
        region: this.options.region,
        resources,
        detail: detail(),
      }),
    );
  }

  private instanceChanged(instance: ContainerInstanceRecord): void {
    this.resourcesChanged.delete(instance);
    instance.version++;
    this.publish("ECS Container Instance State Change", [instance.arn], () =>
      containerInstanceEventDetail(instance),
    );
  }

  private readonly resourcesChanged = new Set<ContainerInstanceRecord>();

  /**
   * Placing or stopping a task changes an instance's remaining resources, which AWS
   * reports as a container instance state change too. Changes within one tick are
   * reported once per instance, so a pass placing 10 tasks on a host sends one event.
   */
  private instanceResourcesChanged(instance: ContainerInstanceRecord): void {
    if (this.resourcesChanged.size === 0) {
      setImmediate(() => {
        for (const changed of [...this.resourcesChanged]) this.instanceChanged(changed);
      });
    }
    this.resourcesChanged.add(instance);
  }

  private taskChanged(task: TaskRecord): void {
    task.version++;
    this.publish("ECS Task State Change", [task.arn], () => taskEventDetail(task));
  }

  private serviceAction(
    service: ServiceRecord,
    eventName: string,
    eventType: "INFO" | "WARN" | "ERROR",
    extra: Record<string, unknown> = {},
  ): void {
    this.publish("ECS Service Action", [service.arn], () => ({
      eventType,
      eventName,
      clusterArn: service.cluster.arn,
      createdAt: new Date().toISOString(),
      ...extra,
    }));
  }

  private deploymentEvent(service: ServiceRecord, deployment: DeploymentRecord): void {
    const names = {
      IN_PROGRESS: ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
      COMPLETED: ["SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
      FAILED: ["SERVICE_DEPLOYMENT_FAILED", "ERROR"],
    } as const;
    const [eventName, eventType] = names[deployment.rolloutState];
    this.publish("ECS Deployment State Change", [service.arn], () => ({
      eventType,
      eventName,
      deploymentId: deployment.id,
      updatedAt: deployment.updatedAt.toISOString(),
      reason: deployment.rolloutStateReason,
    }));
  }

  private serviceEvent(service: ServiceRecord, message: string): void {
    service.events.unshift({
      id: randomUUID(),
      createdAt: new Date(),
      message: `(service ${service.name}) ${message}`,
    });
    if (service.events.length > 100) service.events.length = 100;
  }

  // ---------------------------------------------------------------- clusters

  /** Creates the cluster if it does not exist (CreateCluster is idempotent); returns its ARN. */
  ensureCluster(name: string, tags: Tag[] = []): string {
    const output = this.createCluster(new Fields({ clusterName: name, tags }));
    return (output.cluster as { clusterArn: string }).clusterArn;
  }

  private createCluster(fields: Fields): Output {
    const name = fields.string("clusterName") ?? "default";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
      throw ecsErrors.invalidParameter(
        "Cluster name must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    let cluster = this.clusters.get(name);
    if (cluster === undefined || cluster.status === "INACTIVE") {
      cluster = {
        arn: this.arn(`cluster/${name}`),
        name,
        status: "ACTIVE",
        tags: fields.tags(),
        createdAt: new Date(),
        instances: new Map(),
        services: new Map(),
        tasks: new Map(),
      };
      this.clusters.set(name, cluster);
    }
    return { cluster: clusterShape(cluster, true) };
  }

  private deleteCluster(fields: Fields): Output {
    const cluster = this.cluster(fields.requiredString("cluster"));
    if ([...cluster.services.values()].some((service) => service.status !== "INACTIVE")) {
      throw ecsErrors.clusterContainsServices();
    }
    if ([...cluster.instances.values()].some((instance) => instance.status !== "INACTIVE")) {
      throw ecsErrors.clusterContainsContainerInstances();
    }
    cluster.status = "INACTIVE";
    return { cluster: clusterShape(cluster, false) };
  }

  private describeClusters(fields: Fields): Output {
    const name = (ref: string) => ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, "");
    const { found, failures } = describeEach(
      "clusters",
      fields.strings("clusters") ?? ["default"],
      100,
      (ref) => this.clusters.get(name(ref)),
      (cluster) => clusterShape(cluster, fields.includesTags()),
      (ref) => this.arn(`cluster/${name(ref)}`),
    );
    return { clusters: found, failures };
  }

  private listClusters(fields: Fields): Output {
    const arns = [...this.clusters.values()]
      .filter((cluster) => cluster.status === "ACTIVE")
      .map((cluster) => cluster.arn);
    const page = paginate(arns, fields, 100);
    return { clusterArns: page.items, nextToken: page.nextToken };
  }

  // ---------------------------------------------------------------- container instances

  /** Simulates an EC2 instance whose agent registers with the cluster. */
  registerHost(host: HostSpec = {}): Output {
    const attributes = Object.entries(host.attributes ?? {}).map(([name, value]) =>
      value === undefined ? { name } : { name, value },
    );
    const output = this.registerContainerInstance(
      new Fields({
        cluster: host.cluster,
        instanceIdentityDocument: JSON.stringify({
          instanceId: host.ec2InstanceId,
          instanceType: host.instanceType,
          availabilityZone: host.availabilityZone,
          region: this.options.region,
        }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: host.cpu ?? 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: host.memory ?? 3904 },
        ],
        attributes,
        tags: host.tags,
      }),
    );
    return output.containerInstance as Output;
  }

  private registerContainerInstance(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    let identity: Input = {};
    const document = fields.string("instanceIdentityDocument");
    if (document !== undefined) {
      try {
        const parsed = JSON.parse(document) as unknown;
        if (isRecord(parsed)) identity = parsed;
      } catch {
        throw ecsErrors.client("instanceIdentityDocument is not valid JSON.");
      }
    }
    const total = new Map(fields.records("totalResources").map((r) => [String(r.name), r]));
    const resource = (name: string, fallback: number) => {
      const value = total.get(name)?.integerValue;
      return typeof value === "number" ? value : fallback;
    };
    const zone =
      typeof identity.availabilityZone === "string"
        ? identity.availabilityZone
        : `${this.options.region}a`;
    const instanceType =
      typeof identity.instanceType === "string" ? identity.instanceType : "t3.medium";
    const attributes = new Map<string, string | undefined>([
      ["ecs.instance-type", instanceType],
      ["ecs.availability-zone", zone],
      ["ecs.os-type", "linux"],
      ["ecs.os-family", "LINUX"],
      ["ecs.cpu-architecture", "x86_64"],
      ["ecs.ami-id", "ami-local"],
      ["ecs.capability.docker-plugin.local", undefined],
    ]);
    for (const attribute of fields.records("attributes")) {
      if (typeof attribute.name !== "string" || attribute.name === "") {
        throw ecsErrors.invalidParameter("Attribute names must be non-empty strings.");
      }
      attributes.set(
        attribute.name,
        typeof attribute.value === "string" ? attribute.value : undefined,
      );
    }
    const id = hex(16);
    const instance: ContainerInstanceRecord = {
      arn: this.arn(`container-instance/${cluster.name}/${id}`),
      id,
      cluster,
      ec2InstanceId:
        typeof identity.instanceId === "string" ? identity.instanceId : `i-${hex(9).slice(0, 17)}`,
      status: "ACTIVE",
      agentConnected: true,
      cpu: resource("CPU", 2048),
      memory: resource("MEMORY", 3904),
      registeredPorts: hostPortsOfAgent,
      attributes,
      usedCpu: 0,
      usedMemory: 0,
      usedPorts: new Set(hostPortsOfAgent),
      tasks: new Set(),
      version: 0,
      registeredAt: new Date(),
      tags: fields.tags(),
    };
    cluster.instances.set(instance.arn, instance);
    this.instanceChanged(instance);
    this.queueReconcile();
    return { containerInstance: containerInstanceShape(instance, false) };
  }

  private deregisterContainerInstance(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const instance = this.findInstance(cluster, fields.requiredString("containerInstance"));
    if (instance === undefined || instance.status === "INACTIVE") {
      throw ecsErrors.invalidParameter("The referenced container instance was not found.");
    }
    if (instance.tasks.size > 0 && fields.boolean("force") !== true) {
      throw ecsErrors.invalidParameter("Found running tasks on the instance.");
    }
    instance.status = "INACTIVE";
    instance.agentConnected = false;
    // On AWS the tasks are orphaned on the EC2 instance; here they are processes: stop them.
    for (const task of instance.tasks) {
      this.stopTask(task, "Container instance deregistered", "ServiceSchedulerInitiated");
    }
    this.instanceChanged(instance);
    this.queueReconcile();
    return { containerInstance: containerInstanceShape(instance, false) };
  }

  private updateContainerInstancesState(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const refs = fields.strings("containerInstances") ?? [];
    if (refs.length === 0 || refs.length > 10) {
      throw ecsErrors.invalidParameter("containerInstances must have between 1 and 10 items.");
    }
    const status = fields.requiredString("status");
    if (status !== "ACTIVE" && status !== "DRAINING") {
      throw ecsErrors.invalidParameter(
        "Container instance status must be one of ACTIVE, DRAINING.",
      );
    }
    const containerInstances: Output[] = [];
    const failures: Output[] = [];
    for (const ref of refs) {
      const instance = this.findInstance(cluster, ref);
      if (instance === undefined || instance.status === "INACTIVE") {
        failures.push({ arn: ref, reason: "MISSING" });
        continue;
      }
      if (instance.status !== status) {
        instance.status = status;
        this.instanceChanged(instance);
      }
      containerInstances.push(containerInstanceShape(instance, false));
    }
    this.queueReconcile();
    return { containerInstances, failures };
  }

  private subjectValues(instance: ContainerInstanceRecord) {
    return (subject: string): string | string[] | undefined => {
      if (subject.startsWith("attribute:")) return instance.attributes.get(subject.slice(10));
      switch (subject) {
        case "ec2InstanceId":
          return instance.ec2InstanceId;
        case "agentConnected":
          return String(instance.agentConnected);
        case "agentVersion":
          return "1.89.0";
        case "registeredAt":
          return instance.registeredAt.toISOString();
        case "runningTasksCount":
          return String([...instance.tasks].filter((task) => task.lastStatus === "RUNNING").length);
        case "task:group":
          return [...instance.tasks].map((task) => task.group);
        default:
          return undefined;
      }
    };
  }

  private compile(source: string, error: (message: string) => AwsError): Expression {
    try {
      return compileExpression(source);
    } catch (thrown) {
      if (thrown instanceof QueryLanguageError)
        throw error(`Invalid expression: ${thrown.message}`);
      throw thrown;
    }
  }

  private listContainerInstances(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const status = fields.string("status");
    const validStatuses = [
      "ACTIVE",
      "DRAINING",
      "REGISTERING",
      "DEREGISTERING",
      "REGISTRATION_FAILED",
    ];
    if (status !== undefined && !validStatuses.includes(status)) {
      throw ecsErrors.invalidParameter(`status must be one of ${validStatuses.join(", ")}.`);
    }
    const source = fields.string("filter");
    const filter =
      source === undefined ? undefined : this.compile(source, ecsErrors.invalidParameter);
    const arns: string[] = [];
    for (const instance of cluster.instances.values()) {
      if (instance.status === "INACTIVE") continue;
      if (status !== undefined && instance.status !== status) continue;
      if (filter !== undefined && !evaluate(filter, this.subjectValues(instance))) continue;
      arns.push(instance.arn);
    }
    const page = paginate(arns, fields, 100);
    return { containerInstanceArns: page.items, nextToken: page.nextToken };
  }

  private describeContainerInstances(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const { found, failures } = describeEach(
      "containerInstances",
      fields.strings("containerInstances"),
      100,
      (ref) => this.findInstance(cluster, ref),
      (instance) => containerInstanceShape(instance, fields.includesTags()),
    );
    return { containerInstances: found, failures };
  }

  // ---------------------------------------------------------------- task definitions

  private registerTaskDefinition(fields: Fields): Output {
    const family = fields.string("family") ?? "";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw ecsErrors.client(
        "Family must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    const definitions = fields.records("containerDefinitions");
    if (definitions.length === 0) throw ecsErrors.client("Container list cannot be empty.");
    const networkMode = fields.string("networkMode") ?? "bridge";
    if (!["bridge", "host", "awsvpc", "none"].includes(networkMode)) {
      throw ecsErrors.client(`Invalid networkMode "${networkMode}".`);
    }
    const taskCpu = parseUnits(fields.string("cpu"), "cpu");
    const taskMemory = parseUnits(fields.string("memory"), "memory");
    const containers: ContainerDefinition[] = definitions.map((definition) => {
      const container = new Fields(definition);
      const name = container.string("name");
      if (name === undefined || name === "")
        throw ecsErrors.client("Container.name should not be null or empty.");
      const image = container.string("image");
      if (image === undefined || image === "")
        throw ecsErrors.client("Container.image should not be null or empty.");
      const memory = container.integer("memory");
      const memoryReservation = container.integer("memoryReservation");
      if (memory === undefined && memoryReservation === undefined && taskMemory === undefined) {
        throw ecsErrors.client(
          `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
      const environment: Record<string, string> = {};
      for (const variable of container.records("environment")) {
        if (typeof variable.name === "string")
          environment[variable.name] = String(variable.value ?? "");
      }
      const portMappings = container.records("portMappings").map((mapping) => {
        const port = new Fields(mapping);
        const containerPort = port.integer("containerPort");
        if (containerPort === undefined)
          throw ecsErrors.client(`Container '${name}': containerPort is required.`);
        const hostPort = port.integer("hostPort") ?? (networkMode === "bridge" ? 0 : containerPort);
        const protocol = port.string("protocol") === "udp" ? "udp" : "tcp";
        return { containerPort, hostPort, protocol } as const;
      });
      return {
        name,
        image,
        essential: container.boolean("essential") ?? true,
        cpu: container.integer("cpu") ?? 0,
        memory,
        memoryReservation,
        environment,
        portMappings,
        stopTimeout: container.integer("stopTimeout"),
      };
    });
    const names = new Set(containers.map((c) => c.name));
    if (names.size !== containers.length) throw ecsErrors.client("Container names must be unique.");
    const memberOf = fields.records("placementConstraints").map((constraint) => {
      if (constraint.type !== "memberOf" || typeof constraint.expression !== "string") {
        throw ecsErrors.client(
          "Task definition placement constraints must be of type memberOf with an expression.",
        );
      }
      return this.compile(constraint.expression, ecsErrors.client);
    });
    const revisions = this.taskDefinitions.get(family) ?? [];
    const revision = (revisions[revisions.length - 1]?.revision ?? 0) + 1;
    const arn = this.arn(`task-definition/${family}:${revision}`);
    const cpu = taskCpu ?? containers.reduce((sum, c) => sum + c.cpu, 0);
    const memory =
      taskMemory ?? containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
    const description: Output = {
      taskDefinitionArn: arn,
      containerDefinitions: definitions.map((definition, index) => ({
        cpu: 0,
        essential: true,
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        ...definition,
        portMappings: containers[index]?.portMappings ?? [],
      })),
      family,
      ...(fields.string("taskRoleArn") ? { taskRoleArn: fields.string("taskRoleArn") } : {}),
      ...(fields.string("executionRoleArn")
        ? { executionRoleArn: fields.string("executionRoleArn") }
        : {}),
      networkMode,
      revision,
      volumes: [],
      status: "ACTIVE",
      requiresAttributes: [],
      placementConstraints: fields.records("placementConstraints"),
      compatibilities: ["EXTERNAL", "EC2"],
      requiresCompatibilities: fields.strings("requiresCompatibilities") ?? [],
      ...(taskCpu === undefined ? {} : { cpu: fields.string("cpu") }),
      ...(taskMemory === undefined ? {} : { memory: fields.string("memory") }),
      registeredAt: Date.now() / 1000,
      registeredBy: `arn:aws:iam::${this.options.accountId}:root`,
    };
    const record: TaskDefinitionRecord = {
      arn,
      family,
      revision,
      status: "ACTIVE",
      description,
      containers,
      networkMode,
      cpu,
      memory,
      hostPorts: containers
        .flatMap((c) => c.portMappings.map((m) => m.hostPort))
        .filter((p) => p !== 0),
      memberOf,
      tags: fields.tags(),
    };
    revisions.push(record);
    this.taskDefinitions.set(family, revisions);
    return { taskDefinition: description, tags: record.tags };
  }

  private describeTaskDefinition(fields: Fields): Output {
    const definition = this.findTaskDefinition(fields.requiredString("taskDefinition"));
    if (definition === undefined) throw ecsErrors.client("Unable to describe task definition.");
    return {
      taskDefinition: definition.description,
      ...(fields.includesTags() ? { tags: definition.tags } : {}),
    };
  }

  // ---------------------------------------------------------------- services

  private placement(
    fields: Fields,
  ): Pick<
    ServiceRecord,
    "distinctInstance" | "memberOf" | "placementConstraints" | "placementStrategy"
  > {
    const constraints = fields.records("placementConstraints");
    if (constraints.length > 10)
      throw ecsErrors.invalidParameter("placementConstraints can have at most 10 items.");
    const memberOf: Expression[] = [];
    let distinctInstance = false;
    for (const constraint of constraints) {
      if (constraint.type === "distinctInstance") distinctInstance = true;
      else if (constraint.type === "memberOf" && typeof constraint.expression === "string") {
        memberOf.push(this.compile(constraint.expression, ecsErrors.invalidParameter));
      } else {
        throw ecsErrors.invalidParameter(
          "Placement constraints must be distinctInstance or memberOf with an expression.",
        );
      }
    }
    const placementStrategy = fields
      .records("placementStrategy")
      .map((strategy): PlacementStrategy => {
        const type = strategy.type;
        const field = typeof strategy.field === "string" ? strategy.field : undefined;
        if (type === "random") return { type };
        if (type === "binpack" && (field === "cpu" || field === "memory")) return { type, field };
        if (type === "spread" && field !== undefined) {
          return { type, field: field === "host" ? "instanceId" : field };
        }
        throw ecsErrors.invalidParameter(`Invalid placement strategy ${JSON.stringify(strategy)}.`);
      });
    return {
      distinctInstance,
      memberOf,
      placementConstraints: constraints.map((c) =>
        typeof c.expression === "string"
          ? { type: String(c.type), expression: c.expression }
          : { type: String(c.type) },
      ),
      placementStrategy,
    };
  }

  private deploymentConfiguration(
    raw: Input | undefined,
    current?: DeploymentConfiguration,
  ): DeploymentConfiguration {
    const fields = new Fields(raw ?? {});
    const breaker = fields.record("deploymentCircuitBreaker");
    const configuration: DeploymentConfiguration = {
      maximumPercent: fields.integer("maximumPercent") ?? current?.maximumPercent ?? 200,
      minimumHealthyPercent:
        fields.integer("minimumHealthyPercent") ?? current?.minimumHealthyPercent ?? 100,
      deploymentCircuitBreaker:
        breaker === undefined
          ? (current?.deploymentCircuitBreaker ?? { enable: false, rollback: false })
          : { enable: breaker.enable === true, rollback: breaker.rollback === true },
    };
    if (configuration.maximumPercent < 100 || configuration.minimumHealthyPercent < 0) {
      throw ecsErrors.invalidParameter(
        "maximumPercent must be at least 100 and minimumHealthyPercent at least 0.",
      );
    }
    if (configuration.minimumHealthyPercent >= configuration.maximumPercent) {
      throw ecsErrors.invalidParameter("minimumHealthyPercent must be less than maximumPercent.");
    }
    return configuration;
  }

  private newDeployment(
    service: ServiceRecord,
    taskDefinition: TaskDefinitionRecord,
    reason?: string,
  ): void {
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
    this.deploymentEvent(service, deployment);
  }

  private createService(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const name = fields.requiredString("serviceName");
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
      throw ecsErrors.invalidParameter(
        "Service name must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    const scheduling = fields.string("schedulingStrategy") ?? "REPLICA";
    if (scheduling !== "REPLICA") {
      throw ecsErrors.invalidParameter(
        "The local cloud supports the REPLICA scheduling strategy only.",
      );
    }
    const taskDefinition = this.findTaskDefinition(fields.requiredString("taskDefinition"));
    if (taskDefinition === undefined) throw ecsErrors.client("TaskDefinition not found.");
    const desiredCount = fields.integer("desiredCount") ?? 0;
    if (desiredCount < 0) throw ecsErrors.invalidParameter("desiredCount must be at least 0.");
    const existing = cluster.services.get(name);
    if (existing !== undefined && existing.status !== "INACTIVE") {
      throw ecsErrors.invalidParameter("Creation of service was not idempotent.");
    }
    const placement = this.placement(fields);
    const echoed: Input = {};
    for (const key of ["healthCheckGracePeriodSeconds", "roleArn", "networkConfiguration"]) {
      const value = fields.raw(key);
      if (value !== undefined) echoed[key] = value;
    }
    const service: ServiceRecord = {
      arn: this.arn(`service/${cluster.name}/${name}`),
      name,
      cluster,
      status: "ACTIVE",
      desiredCount,
      deployments: [],
      deploymentConfiguration: this.deploymentConfiguration(
        fields.record("deploymentConfiguration"),
      ),
      ...placement,
      loadBalancers: fields.records("loadBalancers"),
      echoed,
      tags: fields.tags(),
      createdAt: new Date(),
      events: [],
      tasks: new Set(),
      steady: false,
      consecutiveFailures: 0,
      launchNotBefore: 0,
      lastPlacementFailureAt: 0,
    };
    cluster.services.set(name, service);
    this.newDeployment(service, taskDefinition);
    this.queueReconcile();
    return { service: serviceShape(service, false) };
  }

  private activeService(fields: Fields): ServiceRecord {
    const cluster = this.cluster(fields.string("cluster"));
    const service = this.findService(cluster, fields.requiredString("service"));
    if (service === undefined) throw ecsErrors.serviceNotFound();
    if (service.status !== "ACTIVE") throw ecsErrors.serviceNotActive();
    return service;
  }

  private updateService(fields: Fields): Output {
    const service = this.activeService(fields);
    const desiredCount = fields.integer("desiredCount");
    if (desiredCount !== undefined && desiredCount < 0) {
      throw ecsErrors.invalidParameter("desiredCount must be at least 0.");
    }
    const reference = fields.string("taskDefinition");
    const taskDefinition = reference === undefined ? undefined : this.findTaskDefinition(reference);
    if (reference !== undefined && taskDefinition === undefined) {
      throw ecsErrors.client("TaskDefinition not found.");
    }
    const configuration = fields.record("deploymentConfiguration");
    if (configuration !== undefined) {
      service.deploymentConfiguration = this.deploymentConfiguration(
        configuration,
        service.deploymentConfiguration,
      );
    }
    if (
      fields.records("placementConstraints").length > 0 ||
      fields.records("placementStrategy").length > 0
    ) {
      Object.assign(service, this.placement(fields));
    }
    if (desiredCount !== undefined && desiredCount !== service.desiredCount) {
      service.desiredCount = desiredCount;
      service.steady = false;
    }
    const primary = service.deployments[0];
    if (
      (taskDefinition !== undefined && taskDefinition !== primary?.taskDefinition) ||
      fields.boolean("forceNewDeployment") === true
    ) {
      this.newDeployment(service, taskDefinition ?? (primary as DeploymentRecord).taskDefinition);
    }
    this.queueReconcile();
    return { service: serviceShape(service, false) };
  }

  private deleteService(fields: Fields): Output {
    const service = this.activeService(fields);
    if (service.desiredCount > 0 && fields.boolean("force") !== true) {
      throw ecsErrors.invalidParameter("The service cannot be stopped while it is scaled above 0.");
    }
    service.desiredCount = 0;
    service.status = "DRAINING";
    this.queueReconcile();
    return { service: serviceShape(service, false) };
  }

  private describeServices(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const { found, failures } = describeEach(
      "services",
      fields.strings("services"),
      10,
      (ref) => this.findService(cluster, ref),
      (service) => serviceShape(service, fields.includesTags()),
      (ref) => (ref.startsWith("arn:") ? ref : this.arn(`service/${cluster.name}/${ref}`)),
    );
    return { services: found, failures };
  }

  private listServices(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const launchType = fields.string("launchType");
    const scheduling = fields.string("schedulingStrategy");
    const arns =
      (launchType !== undefined && launchType !== "EC2") ||
      (scheduling !== undefined && scheduling !== "REPLICA")
        ? []
        : [...cluster.services.values()]
            .filter((service) => service.status !== "INACTIVE")
            .map((service) => service.arn);
    const page = paginate(arns, fields, 10);
    return { serviceArns: page.items, nextToken: page.nextToken };
  }

  // ---------------------------------------------------------------- tasks

  private listTasks(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const instanceRef = fields.string("containerInstance");
    const instance =
      instanceRef === undefined ? undefined : this.findInstance(cluster, instanceRef);
    if (instanceRef !== undefined && instance === undefined) {
      throw ecsErrors.invalidParameter("The referenced container instance was not found.");
    }
    const serviceRef = fields.string("serviceName");
    const service = serviceRef === undefined ? undefined : this.findService(cluster, serviceRef);
    if (serviceRef !== undefined && service === undefined) throw ecsErrors.serviceNotFound();
    const family = fields.string("family");
    const startedBy = fields.string("startedBy");
    const desiredStatus = fields.string("desiredStatus") ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(desiredStatus)) {
      throw ecsErrors.invalidParameter("desiredStatus must be one of RUNNING, PENDING, STOPPED.");
    }
    const launchType = fields.string("launchType");
    const arns: string[] = [];
    if (launchType === undefined || launchType === "EC2") {
      for (const task of cluster.tasks.values()) {
        if (instance !== undefined && task.instance !== instance) continue;
        if (service !== undefined && task.service !== service) continue;
        if (family !== undefined && task.taskDefinition.family !== family) continue;
        if (startedBy !== undefined && task.startedBy !== startedBy) continue;
        const matches =
          desiredStatus === "PENDING"
            ? task.desiredStatus === "RUNNING" && task.lastStatus === "PENDING"
            : task.desiredStatus === desiredStatus;
        if (matches) arns.push(task.arn);
      }
    }
    const page = paginate(arns, fields, 100);
    return { taskArns: page.items, nextToken: page.nextToken };
  }

  private describeTasks(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const { found, failures } = describeEach(
      "tasks",
      fields.strings("tasks"),
      100,
      (ref) => this.findTask(cluster, ref),
      (task) => taskShape(task, fields.includesTags()),
    );
    return { tasks: found, failures };
  }

  private stopTaskOperation(fields: Fields): Output {
    const cluster = this.cluster(fields.string("cluster"));
    const task = this.findTask(cluster, fields.requiredString("task"));
    if (task === undefined) throw ecsErrors.invalidParameter("The referenced task was not found.");
    this.stopTask(task, fields.string("reason") ?? "Task stopped by user", "UserInitiated");
    return { task: taskShape(task, false) };
  }

  // ---------------------------------------------------------------- tags

  private taggable(resourceArn: string): { tags: Tag[] } {
    const match = /^arn:aws:ecs:[^:]*:[^:]*:([a-z-]+)\/(.+)$/.exec(resourceArn);
    const missing = () => ecsErrors.resourceNotFound("The specified resource is not found.");
    if (match === null) throw ecsErrors.invalidParameter("Invalid resource ARN.");
    const [, type, rest = ""] = match;
    if (type === "task-definition") {
      const definition = this.findTaskDefinition(resourceArn);
      if (definition === undefined) throw missing();
      return definition;
    }
    const [clusterName = "", id = ""] = rest.split("/");
    const cluster = this.clusters.get(clusterName);
    if (cluster === undefined) throw missing();
    const found =
      type === "cluster"
        ? cluster
        : type === "service"
          ? this.findService(cluster, id)
          : type === "task"
            ? this.findTask(cluster, resourceArn)
            : type === "container-instance"
              ? this.findInstance(cluster, resourceArn)
              : undefined;
    if (found === undefined) throw missing();
    return found;
  }

  private tagResource(fields: Fields): Output {
    const resource = this.taggable(fields.requiredString("resourceArn"));
    for (const tag of fields.tags()) {
      resource.tags = [...resource.tags.filter((t) => t.key !== tag.key), tag];
    }
    return {};
  }

  private untagResource(fields: Fields): Output {
    const resource = this.taggable(fields.requiredString("resourceArn"));
    const keys = new Set(fields.strings("tagKeys") ?? []);
    resource.tags = resource.tags.filter((tag) => !keys.has(tag.key));
    return {};
  }

  private listTagsForResource(fields: Fields): Output {
    return { tags: this.taggable(fields.requiredString("resourceArn")).tags };
  }

  // ---------------------------------------------------------------- task lifecycle

  private launchTask(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    instance: ContainerInstanceRecord,
  ): TaskRecord {
    const definition = deployment.taskDefinition;
    const id = hex(16);
    const arn = this.arn(`task/${service.cluster.name}/${id}`);
    const task: TaskRecord = {
      arn,
      id,
      cluster: service.cluster,
      instance,
      taskDefinition: definition,
      service,
      deployment,
      group: `service:${service.name}`,
      startedBy: deployment.id,
      lastStatus: "PENDING",
      desiredStatus: "RUNNING",
      containers: definition.containers.map((container) => ({
        arn: this.arn(`container/${service.cluster.name}/${id}/${randomUUID()}`),
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
    this.instanceResourcesChanged(instance);
    instance.usedCpu += definition.cpu;
    instance.usedMemory += definition.memory;
    for (const port of definition.hostPorts) instance.usedPorts.add(port);
    instance.tasks.add(task);
    service.tasks.add(task);
    service.cluster.tasks.set(arn, task);
    this.taskChanged(task);
    this.options.runner.launch(
      {
        taskArn: arn,
        clusterName: service.cluster.name,
        containerInstanceArn: instance.arn,
        containers: definition.containers.map((container) => ({
          name: container.name,
          image: container.image,
          essential: container.essential,
          environment: container.environment,
          portMappings: container.portMappings,
          stopTimeoutMs:
            container.stopTimeout === undefined
              ? this.options.stopTimeoutMs
              : container.stopTimeout * 1000,
        })),
      },
      {
        running: (bindings) => this.taskRunning(task, bindings),
        containerExited: (name, exitCode, reason) =>
          this.containerExited(task, name, exitCode, reason),
        stopped: (failedToStart) => this.taskStopped(task, failedToStart),
      },
    );
    return task;
  }

  private taskRunning(task: TaskRecord, bindings: ReadonlyMap<string, NetworkBinding[]>): void {
    if (task.lastStatus !== "PENDING") return;
    task.lastStatus = "RUNNING";
    task.startedAt = new Date();
    for (const container of task.containers) {
      container.lastStatus = "RUNNING";
      container.networkBindings = bindings.get(container.name) ?? [];
    }
    this.taskChanged(task);
    this.queueReconcile();
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

  private taskStopped(task: TaskRecord, failedToStart?: string): void {
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
    this.instanceResourcesChanged(instance);
    instance.usedCpu -= task.taskDefinition.cpu;
    instance.usedMemory -= task.taskDefinition.memory;
    for (const port of task.taskDefinition.hostPorts) instance.usedPorts.delete(port);
    instance.tasks.delete(task);
    task.service?.tasks.delete(task);
    this.taskChanged(task);
    if (task.failed && task.service !== undefined) this.taskFailed(task.service, task);
    this.queueReconcile();
  }

  private stopTask(task: TaskRecord, reason: string, stopCode: TaskStopCode): void {
    if (task.desiredStatus === "STOPPED") return;
    task.desiredStatus = "STOPPED";
    task.stoppingAt = new Date();
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    this.taskChanged(task);
    this.options.runner.stop(task.arn);
  }

  /** A task stopped without being asked to: back off, and count it against the deployment. */
  private taskFailed(service: ServiceRecord, task: TaskRecord): void {
    service.consecutiveFailures++;
    // AWS warns once a service "is unable to consistently start tasks successfully".
    if (service.consecutiveFailures === 3) {
      this.serviceAction(service, "SERVICE_TASK_START_IMPAIRED", "WARN");
    }
    const backoff =
      service.consecutiveFailures < 3
        ? 0
        : Math.min(50 * 2 ** (service.consecutiveFailures - 3), 3_000);
    service.launchNotBefore = Date.now() + backoff;
    this.serviceEvent(service, `has stopped 1 running tasks: (task ${task.id}).`);
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
    // AWS's threshold: half the desired count, at least 3 and at most 200.
    const threshold = breaker.enable
      ? Math.min(Math.max(Math.ceil(service.desiredCount / 2), 3), 200)
      : this.options.failedTasksThreshold;
    if (deployment.failedTasks < threshold) return;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = breaker.enable
      ? "ECS deployment circuit breaker: tasks failed to start."
      : `${deployment.failedTasks} tasks failed to start.`;
    this.deploymentEvent(service, deployment);
    const previous = service.lastCompleted;
    if (
      breaker.enable &&
      breaker.rollback &&
      previous !== undefined &&
      previous !== deployment.taskDefinition
    ) {
      this.newDeployment(
        service,
        previous,
        `ECS deployment circuit breaker: rolling back to task definition ${previous.arn}.`,
      );
    }
  }

  // ---------------------------------------------------------------- scheduler

  /** One reconcile pass over every service of every cluster. Cheap when nothing changed. */
  reconcile(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const cluster of this.clusters.values()) {
      if (cluster.status !== "ACTIVE") continue;
      let candidates: PlacedCandidate[] | undefined;
      for (const service of cluster.services.values()) {
        if (service.status === "INACTIVE") continue;
        // Candidates are built lazily once per cluster and pass, and kept current as tasks land.
        candidates = this.reconcileService(service, now, candidates);
      }
    }
    if (now - this.lastPrune > 10_000) {
      this.lastPrune = now;
      this.pruneStoppedTasks(now);
    }
  }

  private pruneStoppedTasks(now: number): void {
    for (const cluster of this.clusters.values()) {
      for (const [arn, task] of cluster.tasks) {
        if (
          task.stoppedAt !== undefined &&
          now - task.stoppedAt.getTime() > this.options.stoppedTaskRetentionMs
        ) {
          cluster.tasks.delete(arn);
        }
      }
      for (const [name, service] of cluster.services) {
        if (
          service.inactiveAt !== undefined &&
          now - service.inactiveAt > this.options.stoppedTaskRetentionMs
        ) {
          cluster.services.delete(name);
        }
      }
    }
  }

  private reconcileService(
    service: ServiceRecord,
    now: number,
    cachedCandidates: PlacedCandidate[] | undefined,
  ): PlacedCandidate[] | undefined {
    let candidates = cachedCandidates;
    if (service.status === "DRAINING") {
      for (const task of service.tasks) {
        this.stopTask(task, `Service ${service.name} deleted`, "ServiceSchedulerInitiated");
      }
      if (service.tasks.size === 0) {
        service.status = "INACTIVE";
        service.inactiveAt = now;
        for (const deployment of service.deployments) deployment.status = "INACTIVE";
      }
      return candidates;
    }
    const primary = service.deployments[0];
    if (primary === undefined) return candidates;
    const desired = service.desiredCount;
    const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
    const live: TaskRecord[] = [];
    const good: TaskRecord[] = [];
    const replaceable: TaskRecord[] = [];
    for (const task of service.tasks) {
      if (task.desiredStatus !== "RUNNING") continue;
      live.push(task);
      if (task.instance.status !== "ACTIVE") replaceable.unshift(task);
      else if (task.deployment === primary) good.push(task);
      else replaceable.push(task);
    }
    const scalingReason = `Scaling activity initiated by (deployment ${primary.id})`;

    // 1. Scale in: pending tasks first, then from the instances holding the most.
    if (good.length > desired) {
      const surplus = good
        .sort((a, b) => Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING"))
        .slice(0, good.length - desired);
      for (const task of surplus) this.stopTask(task, scalingReason, "ServiceSchedulerInitiated");
      if (surplus.length > 0)
        this.serviceEvent(service, `has stopped ${surplus.length} running tasks.`);
      const kept = (task: TaskRecord) => task.desiredStatus === "RUNNING";
      good.splice(0, good.length, ...good.filter(kept));
      live.splice(0, live.length, ...live.filter(kept));
    }

    // 2. Launch what is missing, within maximumPercent.
    const need = desired - good.length;
    const maxTotal = Math.max(desired, Math.floor((desired * maximumPercent) / 100));
    let launched = 0;
    let roomBlocked = false;
    if (need > 0 && now >= service.launchNotBefore) {
      const room = maxTotal - live.length;
      roomBlocked = room < need;
      const count = Math.min(need, Math.max(room, 0));
      if (count > 0) {
        candidates ??= this.candidates(service.cluster);
        launched = this.placeTasks(service, primary, count, candidates, now);
      }
    }

    // 3. Stop old-deployment tasks and tasks on DRAINING instances, keeping minimumHealthyPercent.
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    let healthy = live.filter((task) => task.lastStatus === "RUNNING").length;
    let stopped = 0;
    // Replace first what is not running anyway; then as many running ones as health allows.
    const order = [...replaceable].sort(
      (a, b) => Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING"),
    );
    for (const task of order) {
      const running = task.lastStatus === "RUNNING";
      // Old tasks beyond what the new deployment still lacks are surplus whatever health says.
      const surplus = good.length + launched + (replaceable.length - stopped) > maxTotal;
      if (running && healthy - 1 < minHealthy && !surplus) continue;
      const onDraining = task.instance.status !== "ACTIVE";
      this.stopTask(
        task,
        onDraining ? "Container instance is being drained" : scalingReason,
        "ServiceSchedulerInitiated",
      );
      stopped++;
      if (running) healthy--;
    }
    // maximumPercent and minimumHealthyPercent can pin each other (100/100 with a draining host): yield one.
    if (roomBlocked && launched === 0 && stopped === 0 && order[0] !== undefined) {
      this.stopTask(order[0], scalingReason, "ServiceSchedulerInitiated");
    }

    // 4. Deployment bookkeeping and steady state.
    for (const deployment of service.deployments.slice(1)) {
      if (![...service.tasks].some((task) => task.deployment === deployment)) {
        deployment.status = "INACTIVE";
      }
    }
    service.deployments = service.deployments.filter((d) => d.status !== "INACTIVE");
    const steady =
      service.deployments.length === 1 &&
      good.length === desired &&
      good.every(
        (task) =>
          task.lastStatus === "RUNNING" &&
          now - (task.startedAt?.getTime() ?? now) >= this.options.taskStabilizationMs,
      ) &&
      replaceable.length === 0 &&
      service.tasks.size === desired;
    if (steady && primary.rolloutState === "IN_PROGRESS") {
      primary.rolloutState = "COMPLETED";
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.updatedAt = new Date();
      service.lastCompleted = primary.taskDefinition;
      this.deploymentEvent(service, primary);
    }
    if (steady && !service.steady) {
      service.consecutiveFailures = 0;
      this.serviceEvent(service, "has reached a steady state.");
      this.serviceAction(service, "SERVICE_STEADY_STATE", "INFO");
    }
    service.steady = steady;
    return candidates;
  }

  /** Every ACTIVE, connected instance of the cluster as placement sees it. */
  private candidates(cluster: ClusterRecord): PlacedCandidate[] {
    const candidates: PlacedCandidate[] = [];
    for (const instance of cluster.instances.values()) {
      if (instance.status !== "ACTIVE" || !instance.agentConnected) continue;
      candidates.push(this.candidate(instance));
    }
    return candidates;
  }

  private candidate(instance: ContainerInstanceRecord): PlacedCandidate {
    return {
      instance,
      arn: instance.arn,
      remainingCpu: instance.cpu - instance.usedCpu,
      remainingMemory: instance.memory - instance.usedMemory,
      portsInUse: instance.usedPorts,
      groupTaskCount: 0,
      subjectValues: this.subjectValues(instance),
    };
  }

  private placeTasks(
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
        const key = text(this.subjectValues(task.instance)(field));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      spreads.set(field, { valueByCandidate, counts });
    }
    const spreadCount = (field: string, candidate: PlacementCandidate): number => {
      const spread = spreads.get(field);
      if (spread === undefined) return candidate.groupTaskCount;
      return spread.counts.get(spread.valueByCandidate.get(candidate) ?? "") ?? 0;
    };
    const request = {
      cpu: definition.cpu,
      memory: definition.memory,
      hostPorts: definition.hostPorts,
      distinctInstance: service.distinctInstance,
      memberOf: [...service.memberOf, ...definition.memberOf],
      strategy,
    };
    const started: string[] = [];
    for (let i = 0; i < count; i++) {
      const placement = placeTask(request, candidates, spreadCount);
      if (!placement.placed) {
        this.placementFailed(service, placement.reason, placement.closest, now);
        break;
      }
      const candidate = placement.candidate as PlacedCandidate;
      const task = this.launchTask(service, deployment, candidate.instance);
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
      this.serviceEvent(service, `has started ${started.length} tasks: ${shown}.`);
    }
    return started.length;
  }

  private placementFailed(
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
    this.serviceEvent(service, `was unable to place a task because ${detail}`);
    this.serviceAction(service, "SERVICE_TASK_PLACEMENT_FAILURE", "ERROR", {
      reason,
      capacityProviderArns: [],
    });
  }

  // ---------------------------------------------------------------- read-only views for tests and the wiring

  /** The DescribeServices shape of a service, or undefined. */
  describeService(cluster: string, service: string): Output | undefined {
    const record = this.clusters.get(cluster)?.services.get(service);
    return record === undefined ? undefined : serviceShape(record, true);
  }

  /** The DescribeTasks shapes of a cluster's tasks (optionally of one service, not STOPPED). */
  tasksOf(cluster: string, service?: string): Output[] {
    const record = this.clusters.get(cluster);
    if (record === undefined) return [];
    return [...record.tasks.values()]
      .filter(
        (task) =>
          service === undefined ||
          (task.service?.name === service && task.lastStatus !== "STOPPED"),
      )
      .map((task) => taskShape(task, false));
  }

  /** The DescribeContainerInstances shapes of a cluster's registered instances. */
  containerInstancesOf(cluster: string): Output[] {
    const record = this.clusters.get(cluster);
    if (record === undefined) return [];
    return [...record.instances.values()]
      .filter((instance) => instance.status !== "INACTIVE")
      .map((instance) => containerInstanceShape(instance, false));
  }

  /** Where each RUNNING task of a service listens (the load balancer's targets). */
  runningEndpoints(cluster: string, service: string): TaskEndpoint[] {
    const record = this.clusters.get(cluster)?.services.get(service);
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
    return this.options.runner.logs(taskArn);
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
    for (const cluster of this.clusters.values()) {
      instances += cluster.instances.size;
      services += cluster.services.size;
      for (const task of cluster.tasks.values()) {
        tasks++;
        if (task.lastStatus === "RUNNING") runningTasks++;
      }
    }
    return { clusters: this.clusters.size, instances, services, tasks, runningTasks };
  }
}
