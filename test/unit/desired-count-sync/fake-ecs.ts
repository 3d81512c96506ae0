/**
 * An in-memory model of the slice of ECS the per-host sync uses, with AWS's limits and
 * pagination: ListServices / ListContainerInstances (maxResults ≤ 100, nextToken),
 * DescribeServices (≤ 10 per call, `failures` MISSING, tags only with include TAGS),
 * DescribeContainerInstances (≤ 100, remaining resources), DescribeTaskDefinition,
 * UpdateService, with `filter` read by the local cloud's cluster query language
 * (`task:group` included: by default every service's task runs on every instance). It can
 * drive an `aws-sdk-client-mock` stub (`attach`) or stand in for
 * the HTTP layer of a real ECSClient (`requestHandler`), so the SDK's serialization,
 * signing and retries run too.
 */
import {
  ClientException,
  ClusterNotFoundException,
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  type DescribeContainerInstancesCommandInput,
  type DescribeContainerInstancesCommandOutput,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionCommandOutput,
  type ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListContainerInstancesCommand,
  type ListContainerInstancesCommandInput,
  type ListContainerInstancesCommandOutput,
  ListServicesCommand,
  type ListServicesCommandInput,
  type ListServicesCommandOutput,
  type PlacementConstraint,
  type Service,
  ServiceNotActiveException,
  ServiceNotFoundException,
  type Tag,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
  type UpdateServiceCommandOutput,
} from "@aws-sdk/client-ecs";
import type { AwsClientStub } from "aws-sdk-client-mock";
import {
  compileExpression,
  type Expression,
  evaluate,
  QueryLanguageError,
} from "../../../functions/lib/placement/query-language";

export type InstanceStatus = "REGISTERING" | "ACTIVE" | "DRAINING" | "DEREGISTERING" | "INACTIVE";
export type Operation =
  | "ListServices"
  | "DescribeServices"
  | "ListContainerInstances"
  | "DescribeContainerInstances"
  | "DescribeTaskDefinition"
  | "UpdateService";

export interface FakeInstance {
  id: string;
  status: InstanceStatus;
  agentConnected: boolean;
  attributes: Record<string, string>;
  /** Task groups on it (`service:agent`); undefined = every service's task runs on it. */
  runs?: string[];
  /** What is left of it: CPU units, MiB, host ports in use. */
  remaining: { cpu: number; memory: number; ports: number[] };
}

export interface FakeService {
  name: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  placementConstraints?: PlacementConstraint[];
  tags?: Tag[];
  /** The task definition's size and fixed host ports (default 128 CPU, 128 MiB, none). */
  task?: { cpu: number; memory: number; hostPorts?: number[] };
}

export interface FakeEcsOptions {
  cluster?: string;
  region?: string;
  account?: string;
}

type Fault = () => Error;

export function throttling(message = "Rate exceeded"): Error {
  return new ECSServiceException({
    name: "ThrottlingException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message,
  });
}

export function serverError(message = "Internal failure"): Error {
  return new ECSServiceException({
    name: "ServerException",
    $fault: "server",
    $metadata: { httpStatusCode: 500 },
    message,
  });
}

export class FakeEcs {
  readonly cluster: string;
  readonly region: string;
  readonly account: string;
  readonly instances = new Map<string, FakeInstance>();
  readonly services = new Map<string, FakeService>();
  /** Every request the model answered or failed, in order. */
  readonly log: { operation: Operation; input: unknown }[] = [];
  private readonly faults = new Map<Operation, Fault[]>();
  /** Set by `freeze()`: read answers are computed once per distinct request. */
  private memo: Map<string, unknown> | undefined;

  constructor(options: FakeEcsOptions = {}) {
    this.cluster = options.cluster ?? "microscale";
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? "111122223333";
  }

  get clusterArn(): string {
    return `arn:aws:ecs:${this.region}:${this.account}:cluster/${this.cluster}`;
  }

  instanceArn(id: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:container-instance/${this.cluster}/${id}`;
  }

  serviceArn(name: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:service/${this.cluster}/${name}`;
  }

  // ---- building the cluster ------------------------------------------------------

  addInstances(
    count: number,
    make: (i: number) => Partial<FakeInstance> = () => ({}),
  ): FakeInstance[] {
    const added: FakeInstance[] = [];
    for (let i = 0; i < count; i++) {
      const id = make(i).id ?? `ci-${String(this.instances.size).padStart(6, "0")}`;
      const instance: FakeInstance = {
        status: "ACTIVE",
        agentConnected: true,
        attributes: { "ecs.os-type": "linux" },
        remaining: { cpu: 2048, memory: 4096, ports: [22] },
        ...make(i),
        id,
      };
      this.instances.set(id, instance);
      added.push(instance);
    }
    return added;
  }

  addService(service: Partial<FakeService> & { name: string }): FakeService {
    const full: FakeService = { status: "ACTIVE", desiredCount: 0, ...service };
    this.services.set(full.name, full);
    return full;
  }

  /** The next `times` requests of `operation` fail with `fault()` (before any effect). */
  failNext(operation: Operation, fault: Fault, times = 1): void {
    const queue = this.faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(operation, queue);
  }

  calls(operation?: Operation): number {
    return operation === undefined
      ? this.log.length
      : this.log.filter((entry) => entry.operation === operation).length;
  }

  /** Task groups on an instance, as `task:group` reads them. */
  readonly groupsOn = (instance: FakeInstance): string[] =>
    instance.runs ?? [...this.services.keys()].map((name) => `service:${name}`);

  taskDefinitionArn(service: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:task-definition/${service}:1`;
  }

  /** ACTIVE instances matching `filter` — what the function is supposed to count. */
  eligible(filter?: string): number {
    const matches = compileFilter(filter, this.groupsOn);
    return [...this.instances.values()].filter((i) => i.status === "ACTIVE" && matches(i)).length;
  }

  // ---- the API -------------------------------------------------------------------

  /**
   * For benchmarks: the cluster will not change any more, so each distinct read request
   * is answered once and replayed, and the log keeps no copies — what is left to
   * measure is the caller's own work. Writes still apply.
   */
  freeze(): void {
    this.memo = new Map();
  }

  private cached<T>(operation: Operation, input: unknown, compute: () => T): T {
    if (this.memo === undefined) return compute();
    const key = operation + JSON.stringify(input);
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  private begin(operation: Operation, input: unknown): void {
    this.log.push({ operation, input: this.memo === undefined ? structuredClone(input) : input });
    const fault = this.faults.get(operation)?.shift();
    if (fault !== undefined) throw fault();
  }

  private checkCluster(cluster: string | undefined): void {
    const name = cluster?.startsWith("arn:") ? cluster.slice(cluster.indexOf("/") + 1) : cluster;
    if (name !== this.cluster) {
      throw new ClusterNotFoundException({ $metadata: {}, message: "Cluster not found." });
    }
  }

  private page<T>(
    items: T[],
    maxResults: number | undefined,
    nextToken: string | undefined,
    defaultSize: number,
  ) {
    const size = maxResults ?? defaultSize;
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new InvalidParameterException({ $metadata: {}, message: "maxResults must be 1..100" });
    }
    const start =
      nextToken === undefined ? 0 : Number(Buffer.from(nextToken, "base64url").toString());
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new InvalidParameterException({ $metadata: {}, message: "Invalid nextToken" });
    }
    const end = start + size;
    return {
      items: items.slice(start, end),
      nextToken: end < items.length ? Buffer.from(String(end)).toString("base64url") : undefined,
    };
  }

  listServices(input: ListServicesCommandInput): ListServicesCommandOutput {
    this.begin("ListServices", input);
    return this.cached("ListServices", input, () => {
      this.checkCluster(input.cluster);
      const arns = [...this.services.values()]
        .filter((s) => s.status !== "INACTIVE")
        .map((s) => this.serviceArn(s.name));
      const { items, nextToken } = this.page(arns, input.maxResults, input.nextToken, 10);
      return { $metadata: {}, serviceArns: items, ...(nextToken ? { nextToken } : {}) };
    });
  }

  describeServices(input: DescribeServicesCommandInput): DescribeServicesCommandOutput {
    this.begin("DescribeServices", input);
    return this.cached("DescribeServices", input, () => {
      this.checkCluster(input.cluster);
      const ids = input.services ?? [];
      if (ids.length === 0 || ids.length > 10) {
        throw new InvalidParameterException({ $metadata: {}, message: "services: 1..10 required" });
      }
      const services: Service[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const id of ids) {
        const name = id.startsWith("arn:") ? id.slice(id.lastIndexOf("/") + 1) : id;
        const found = this.services.get(name);
        if (found === undefined) {
          failures.push({ arn: this.serviceArn(name), reason: "MISSING" });
          continue;
        }
        services.push({
          serviceArn: this.serviceArn(found.name),
          serviceName: found.name,
          clusterArn: this.clusterArn,
          status: found.status,
          desiredCount: found.desiredCount,
          runningCount: found.desiredCount,
          pendingCount: 0,
          placementConstraints: structuredClone(found.placementConstraints ?? []),
          schedulingStrategy: "REPLICA",
          taskDefinition: this.taskDefinitionArn(found.name),
          ...(input.include?.includes("TAGS") && found.tags
            ? { tags: structuredClone(found.tags) }
            : {}),
        });
      }
      return { $metadata: {}, services, failures };
    });
  }

  listContainerInstances(
    input: ListContainerInstancesCommandInput,
  ): ListContainerInstancesCommandOutput {
    this.begin("ListContainerInstances", input);
    return this.cached("ListContainerInstances", input, () => {
      this.checkCluster(input.cluster);
      const matches = compileFilter(input.filter, this.groupsOn);
      const arns = [...this.instances.values()]
        .filter((i) =>
          input.status === undefined
            ? i.status === "ACTIVE" || i.status === "DRAINING"
            : i.status === input.status,
        )
        .filter(matches)
        .map((i) => this.instanceArn(i.id));
      const { items, nextToken } = this.page(arns, input.maxResults, input.nextToken, 100);
      return { $metadata: {}, containerInstanceArns: items, ...(nextToken ? { nextToken } : {}) };
    });
  }

  describeContainerInstances(
    input: DescribeContainerInstancesCommandInput,
  ): DescribeContainerInstancesCommandOutput {
    this.begin("DescribeContainerInstances", input);
    return this.cached("DescribeContainerInstances", input, () => {
      this.checkCluster(input.cluster);
      const ids = input.containerInstances ?? [];
      if (ids.length === 0 || ids.length > 100) {
        throw new InvalidParameterException({ $metadata: {}, message: "1..100 instances" });
      }
      const containerInstances: ContainerInstance[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const id of ids) {
        const found = this.instances.get(id.slice(id.lastIndexOf("/") + 1));
        if (found === undefined) {
          failures.push({ arn: id, reason: "MISSING" });
          continue;
        }
        containerInstances.push({
          containerInstanceArn: this.instanceArn(found.id),
          ec2InstanceId: `i-${found.id}`,
          status: found.status,
          agentConnected: found.agentConnected,
          attributes: Object.entries(found.attributes).map(([name, value]) => ({ name, value })),
          remainingResources: [
            { name: "CPU", type: "INTEGER", integerValue: found.remaining.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: found.remaining.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: found.remaining.ports.map(String) },
          ],
        });
      }
      return { $metadata: {}, containerInstances, failures };
    });
  }

  describeTaskDefinition(
    input: DescribeTaskDefinitionCommandInput,
  ): DescribeTaskDefinitionCommandOutput {
    this.begin("DescribeTaskDefinition", input);
    const arn = input.taskDefinition ?? "";
    const service = this.services.get(arn.slice(arn.lastIndexOf("/") + 1, arn.lastIndexOf(":")));
    if (service === undefined) {
      throw new ClientException({ $metadata: {}, message: "Unable to describe task definition." });
    }
    const task = service.task ?? { cpu: 128, memory: 128 };
    return {
      $metadata: {},
      taskDefinition: {
        taskDefinitionArn: arn,
        family: service.name,
        networkMode: "bridge",
        cpu: String(task.cpu),
        memory: String(task.memory),
        containerDefinitions: [
          {
            name: service.name,
            portMappings: (task.hostPorts ?? []).map((hostPort) => ({
              containerPort: hostPort,
              hostPort,
            })),
          },
        ],
      },
    };
  }

  updateService(input: UpdateServiceCommandInput): UpdateServiceCommandOutput {
    this.begin("UpdateService", input);
    this.checkCluster(input.cluster);
    const id = input.service ?? "";
    const service = this.services.get(
      id.startsWith("arn:") ? id.slice(id.lastIndexOf("/") + 1) : id,
    );
    if (service === undefined) {
      throw new ServiceNotFoundException({ $metadata: {}, message: "Service not found." });
    }
    if (service.status !== "ACTIVE") {
      throw new ServiceNotActiveException({ $metadata: {}, message: "Service was not ACTIVE." });
    }
    if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
    return {
      $metadata: {},
      service: {
        serviceName: service.name,
        serviceArn: this.serviceArn(service.name),
        desiredCount: service.desiredCount,
      },
    };
  }

  // ---- wiring --------------------------------------------------------------------

  /** Answers an aws-sdk-client-mock stub from this model. */
  attach(mock: AwsClientStub<ECSClient>): void {
    mock
      .on(ListServicesCommand)
      .callsFake((input: ListServicesCommandInput) => this.listServices(input));
    mock
      .on(DescribeServicesCommand)
      .callsFake((input: DescribeServicesCommandInput) => this.describeServices(input));
    mock
      .on(ListContainerInstancesCommand)
      .callsFake((input: ListContainerInstancesCommandInput) => this.listContainerInstances(input));
    mock
      .on(DescribeContainerInstancesCommand)
      .callsFake((input: DescribeContainerInstancesCommandInput) =>
        this.describeContainerInstances(input),
      );
    mock
      .on(DescribeTaskDefinitionCommand)
      .callsFake((input: DescribeTaskDefinitionCommandInput) => this.describeTaskDefinition(input));
    mock
      .on(UpdateServiceCommand)
      .callsFake((input: UpdateServiceCommandInput) => this.updateService(input));
  }

  /**
   * A `requestHandler` for a real ECSClient: decodes the AWS JSON 1.1 request and
   * answers with the model's output, or with the AWS JSON error shape.
   */
  requestHandler(): NonNullable<ConstructorParameters<typeof ECSClient>[0]>["requestHandler"] {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const respond = (statusCode: number, body: unknown) => ({
      response: {
        statusCode,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" },
        body: encoder.encode(JSON.stringify(body)),
      },
    });
    return {
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const target = request.headers["x-amz-target"] ?? "";
        const operation = target.slice(target.indexOf(".") + 1);
        const { body } = request; // a string, bytes, or the SDK's string adapter
        const text =
          body === undefined
            ? "{}"
            : body instanceof Uint8Array
              ? decoder.decode(body)
              : String(body);
        const replay = this.memo?.get(`http:${operation}${text}`);
        if (replay !== undefined) {
          this.log.push({ operation: operation as Operation, input: text });
          return replay;
        }
        const input = JSON.parse(text) as object;
        try {
          const { $metadata: _, ...output } = this.dispatch(operation, input) as {
            $metadata: unknown;
          };
          const answer = respond(200, output);
          if (this.memo !== undefined && operation !== "UpdateService") {
            this.memo.set(`http:${operation}${text}`, answer);
          }
          return answer;
        } catch (error) {
          const e = error as ECSServiceException;
          const status = e.$fault === "server" ? 500 : 400;
          return respond(status, { __type: e.name, message: e.message });
        }
      },
    } as never;
  }

  private dispatch(operation: string, input: object): unknown {
    switch (operation) {
      case "ListServices":
        return this.listServices(input as ListServicesCommandInput);
      case "DescribeServices":
        return this.describeServices(input as DescribeServicesCommandInput);
      case "ListContainerInstances":
        return this.listContainerInstances(input as ListContainerInstancesCommandInput);
      case "DescribeContainerInstances":
        return this.describeContainerInstances(input as DescribeContainerInstancesCommandInput);
      case "DescribeTaskDefinition":
        return this.describeTaskDefinition(input as DescribeTaskDefinitionCommandInput);
      case "UpdateService":
        return this.updateService(input as UpdateServiceCommandInput);
      default:
        throw new InvalidParameterException({ $metadata: {}, message: `unsupported ${operation}` });
    }
  }
}

/**
 * Which instances a `filter` selects (status is checked apart), read by the local cloud's
 * cluster query language so that the tests and the local ECS agree on every expression.
 * A bad expression is ECS's InvalidParameterException, as in the local ECS.
 */
export function compileFilter(
  filter: string | undefined,
  groupsOn: (instance: FakeInstance) => readonly string[] = () => [],
): (instance: FakeInstance) => boolean {
  if (filter === undefined) return () => true;
  let expression: Expression;
  try {
    expression = compileExpression(filter);
  } catch (thrown) {
    if (!(thrown instanceof QueryLanguageError)) throw thrown;
    throw new InvalidParameterException({
      $metadata: {},
      message: `Invalid expression: ${thrown.message}`,
    });
  }
  return (instance) => evaluate(expression, (subject) => subjectValue(instance, subject, groupsOn));
}

function subjectValue(
  instance: FakeInstance,
  subject: string,
  groupsOn: (instance: FakeInstance) => readonly string[],
): string | readonly string[] | undefined {
  if (subject.startsWith("attribute:")) return instance.attributes[subject.slice(10)];
  if (subject === "agentConnected") return String(instance.agentConnected);
  if (subject === "task:group") return groupsOn(instance);
  return undefined;
}
