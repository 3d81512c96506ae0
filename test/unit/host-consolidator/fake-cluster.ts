/**
 * An in-memory ECS cluster and its Auto Scaling group, answering the consolidator's
 * requests through aws-sdk-client-mock stubs with AWS's limits: pagination (maxResults
 * ≤ 100, nextToken), DescribeContainerInstances/DescribeTasks ≤ 100, DescribeServices
 * ≤ 10, PutAttributes/DeleteAttributes ≤ 10 and ECS's attribute-name rule, and
 * TerminateInstanceInAutoScalingGroup refusing to go below MinSize as AWS does.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  ClientException,
  type ContainerInstance,
  DeleteAttributesCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type PlacementConstraint,
  PutAttributesCommand,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { serverError } from "../desired-count-sync/fake-ecs";

const REGION = "us-east-1";
const ACCOUNT = "111122223333";
const AGENT_PORTS = [22, 2375, 2376, 51678, 51679];

export interface FakeHost {
  id: string;
  ec2InstanceId: string;
  status: "ACTIVE" | "DRAINING" | "REGISTERING";
  agentConnected: boolean;
  cpu: number;
  memory: number;
  registeredAt: Date;
  attributes: Map<string, string | undefined>;
  group: string | undefined;
  lifecycleState: string;
}

export interface FakeServiceSpec {
  name: string;
  cpu?: number;
  memory?: number;
  hostPorts?: number[];
  constraints?: PlacementConstraint[];
  definitionMemberOf?: string[];
  perHost?: boolean;
  daemon?: boolean;
  desiredCount?: number;
  runningCount?: number;
  rollout?: "IN_PROGRESS" | "COMPLETED";
}

interface FakeTask {
  arn: string;
  group: string;
  definition: string;
  host: string | undefined;
  lastStatus: string;
}

export interface FakeGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
}

type Fault = () => Error;

function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined) {
  const size = maxResults ?? 100;
  if (size < 1 || size > 100) {
    throw new InvalidParameterException({ $metadata: {}, message: "maxResults must be 1..100" });
  }
  const start = nextToken === undefined ? 0 : Number(nextToken);
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? String(end) : undefined,
  };
}

export class FakeCluster {
  readonly cluster = "microscale";
  readonly clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/microscale`;
  readonly hosts = new Map<string, FakeHost>();
  readonly groups = new Map<string, FakeGroup>();
  readonly services = new Map<string, FakeServiceSpec>();
  readonly tasks: FakeTask[] = [];
  readonly terminated: string[] = [];
  readonly ecs = new ECSClient({
    region: REGION,
    credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
  });
  readonly autoscaling = new AutoScalingClient({
    region: REGION,
    credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
  });
  readonly ecsMock: AwsClientStub<ECSClient> = mockClient(this.ecs);
  readonly asgMock: AwsClientStub<AutoScalingClient> = mockClient(this.autoscaling);
  capacityProviderGroup: string | undefined;
  private readonly faults = new Map<string, Fault[]>();
  private sequence = 0;

  constructor(readonly now: Date) {
    this.attach();
  }

  instanceArn(id: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${this.cluster}/${id}`;
  }

  addGroup(group: Partial<FakeGroup> & { name: string }): FakeGroup {
    const full = { minSize: 0, maxSize: 10, desiredCapacity: 0, ...group };
    this.groups.set(full.name, full);
    this.capacityProviderGroup ??= full.name;
    return full;
  }

  /** A host registered `ageSeconds` ago (default an hour); joins its group's desired capacity. */
  addHost(
    spec: Partial<Omit<FakeHost, "attributes">> & {
      ageSeconds?: number;
      attributes?: Record<string, string>;
    } = {},
  ): FakeHost {
    const n = this.sequence++;
    const id = spec.id ?? `ci${String(n).padStart(4, "0")}`;
    const host: FakeHost = {
      id,
      ec2InstanceId: spec.ec2InstanceId ?? `i-${String(n).padStart(8, "0")}`,
      status: spec.status ?? "ACTIVE",
      agentConnected: spec.agentConnected ?? true,
      cpu: spec.cpu ?? 2048,
      memory: spec.memory ?? 4096,
      registeredAt: new Date(this.now.getTime() - (spec.ageSeconds ?? 3600) * 1000),
      attributes: new Map(
        Object.entries({ "ecs.availability-zone": "us-east-1a", ...spec.attributes }),
      ),
      group: "group" in spec ? spec.group : [...this.groups.keys()][0],
      lifecycleState: spec.lifecycleState ?? "InService",
    };
    this.hosts.set(id, host);
    const group = host.group === undefined ? undefined : this.groups.get(host.group);
    if (group !== undefined) group.desiredCapacity++;
    return host;
  }

  addService(spec: FakeServiceSpec): FakeServiceSpec {
    this.services.set(spec.name, { cpu: 256, memory: 512, ...spec });
    return spec;
  }

  /** Starts `count` tasks of `service` on `host` (undefined: waiting for a place, PROVISIONING). */
  run(service: string, host: FakeHost | undefined, count = 1): void {
    for (let i = 0; i < count; i++) {
      const group = this.services.has(service) ? `service:${service}` : `family:${service}`;
      this.tasks.push({
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.cluster}/t${this.sequence++}`,
        group,
        definition: this.definitionArn(service),
        host: host?.id,
        lastStatus: host === undefined ? "PROVISIONING" : "RUNNING",
      });
    }
  }

  /** Marks `host` as a candidate since `secondsAgo`. */
  markSince(host: FakeHost, secondsAgo: number): void {
    host.attributes.set(
      "microscale.candidate-since",
      new Date(this.now.getTime() - secondsAgo * 1000).toISOString(),
    );
  }

  failNext(operation: string, fault: Fault = () => serverError(), times = 1): void {
    const queue = this.faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(operation, queue);
  }

  /** Every write the consolidator sent. */
  writes(): number {
    return (
      this.ecsMock.commandCalls(PutAttributesCommand).length +
      this.ecsMock.commandCalls(DeleteAttributesCommand).length +
      this.asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand).length
    );
  }

  private definitionArn(service: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${service}:1`;
  }

  private begin(operation: string): void {
    const fault = this.faults.get(operation)?.shift();
    if (fault !== undefined) throw fault();
  }

  private hostTasks(host: FakeHost): FakeTask[] {
    return this.tasks.filter((t) => t.host === host.id);
  }

  private spec(task: FakeTask): FakeServiceSpec {
    const name = task.definition.slice(
      task.definition.lastIndexOf("/") + 1,
      task.definition.lastIndexOf(":"),
    );
    return this.services.get(name) ?? { name, cpu: 256, memory: 512 };
  }

  private containerInstance(host: FakeHost): ContainerInstance {
    const tasks = this.hostTasks(host);
    const used = tasks.reduce(
      (sum, t) => {
        const spec = this.spec(t);
        return { cpu: sum.cpu + (spec.cpu ?? 0), memory: sum.memory + (spec.memory ?? 0) };
      },
      { cpu: 0, memory: 0 },
    );
    const ports = [...AGENT_PORTS, ...tasks.flatMap((t) => this.spec(t).hostPorts ?? [])];
    const resources = (cpu: number, memory: number, portList: number[]) => [
      { name: "CPU", type: "INTEGER", integerValue: cpu },
      { name: "MEMORY", type: "INTEGER", integerValue: memory },
      { name: "PORTS", type: "STRINGSET", stringSetValue: portList.map(String) },
      { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
    ];
    return {
      containerInstanceArn: this.instanceArn(host.id),
      ec2InstanceId: host.ec2InstanceId,
      status: host.status,
      agentConnected: host.agentConnected,
      registeredAt: host.registeredAt,
      runningTasksCount: tasks.length,
      pendingTasksCount: 0,
      registeredResources: resources(host.cpu, host.memory, AGENT_PORTS),
      remainingResources: resources(host.cpu - used.cpu, host.memory - used.memory, ports),
      attributes: [...host.attributes].map(([name, value]) =>
        value === undefined ? { name } : { name, value },
      ),
    };
  }

  private service(spec: FakeServiceSpec): Service {
    const running = this.tasks.filter(
      (t) => t.group === `service:${spec.name}` && t.host !== undefined,
    ).length;
    return {
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.cluster}/${spec.name}`,
      serviceName: spec.name,
      status: "ACTIVE",
      desiredCount: spec.desiredCount ?? running,
      runningCount: spec.runningCount ?? running,
      schedulingStrategy: spec.daemon ? "DAEMON" : "REPLICA",
      placementConstraints:
        spec.constraints ?? (spec.perHost ? [{ type: "distinctInstance" }] : []),
      deployments: [{ id: "d1", status: "PRIMARY", rolloutState: spec.rollout ?? "COMPLETED" }],
      tags: spec.perHost ? [{ key: "microscale:per-host", value: "true" }] : [],
    };
  }

  private task(task: FakeTask): Task {
    const spec = this.spec(task);
    return {
      taskArn: task.arn,
      clusterArn: this.clusterArn,
      group: task.group,
      taskDefinitionArn: task.definition,
      ...(task.host === undefined ? {} : { containerInstanceArn: this.instanceArn(task.host) }),
      lastStatus: task.lastStatus,
      desiredStatus: "RUNNING",
      cpu: String(spec.cpu),
      memory: String(spec.memory),
    };
  }

  private hostByArn(arn: string | undefined): FakeHost | undefined {
    return [...this.hosts.values()].find((h) => this.instanceArn(h.id) === arn || h.id === arn);
  }

  private attach(): void {
    const ecs = this.ecsMock;
    ecs.on(ListContainerInstancesCommand).callsFake((input) => {
      this.begin("ListContainerInstances");
      const arns = [...this.hosts.values()].map((h) => this.instanceArn(h.id));
      const { items, nextToken } = page(arns, input.maxResults, input.nextToken);
      return { containerInstanceArns: items, nextToken };
    });
    ecs.on(DescribeContainerInstancesCommand).callsFake((input) => {
      this.begin("DescribeContainerInstances");
      const ids: string[] = input.containerInstances ?? [];
      if (ids.length > 100)
        throw new InvalidParameterException({ $metadata: {}, message: "too many" });
      const found = ids.flatMap((id) => {
        const host = this.hostByArn(id);
        return host === undefined ? [] : [this.containerInstance(host)];
      });
      const failures = ids
        .filter((id) => this.hostByArn(id) === undefined)
        .map((arn) => ({ arn, reason: "MISSING" }));
      return { containerInstances: found, failures };
    });
    ecs.on(ListTasksCommand).callsFake((input) => {
      this.begin("ListTasks");
      const { items, nextToken } = page(
        this.tasks.map((t) => t.arn),
        input.maxResults,
        input.nextToken,
      );
      return { taskArns: items, nextToken };
    });
    ecs.on(DescribeTasksCommand).callsFake((input) => {
      this.begin("DescribeTasks");
      const ids: string[] = input.tasks ?? [];
      if (ids.length > 100)
        throw new InvalidParameterException({ $metadata: {}, message: "too many" });
      return {
        tasks: this.tasks.filter((t) => ids.includes(t.arn)).map((t) => this.task(t)),
        failures: [],
      };
    });
    ecs.on(ListServicesCommand).callsFake((input) => {
      this.begin("ListServices");
      const arns = [...this.services.values()].map((s) => this.service(s).serviceArn ?? "");
      const { items, nextToken } = page(arns, input.maxResults, input.nextToken);
      return { serviceArns: items, nextToken };
    });
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      this.begin("DescribeServices");
      const ids: string[] = input.services ?? [];
      if (ids.length > 10)
        throw new InvalidParameterException({ $metadata: {}, message: "too many" });
      const names = ids.map((id) => id.slice(id.lastIndexOf("/") + 1));
      return {
        services: names.flatMap((n) => {
          const spec = this.services.get(n);
          return spec === undefined ? [] : [this.service(spec)];
        }),
        failures: [],
      };
    });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
      this.begin("DescribeTaskDefinition");
      const arn: string = input.taskDefinition ?? "";
      const name = arn.slice(arn.lastIndexOf("/") + 1, arn.lastIndexOf(":"));
      const spec: FakeServiceSpec = this.services.get(name) ?? { name };
      return {
        taskDefinition: {
          taskDefinitionArn: arn,
          family: name,
          networkMode: "bridge",
          containerDefinitions: [
            {
              name,
              cpu: spec.cpu ?? 256,
              memory: spec.memory ?? 512,
              portMappings: (spec.hostPorts ?? []).map((p) => ({ containerPort: p, hostPort: p })),
            },
          ],
          placementConstraints: (spec.definitionMemberOf ?? []).map((expression) => ({
            type: "memberOf",
            expression,
          })),
        },
      };
    });
    ecs.on(DescribeClustersCommand).callsFake(() => {
      this.begin("DescribeClusters");
      return {
        clusters: [{ clusterArn: this.clusterArn, capacityProviders: ["hosts-cp"] }],
        failures: [],
      };
    });
    ecs.on(DescribeCapacityProvidersCommand).callsFake(() => {
      this.begin("DescribeCapacityProviders");
      const name = this.capacityProviderGroup ?? "none";
      return {
        capacityProviders: [
          {
            name: "hosts-cp",
            autoScalingGroupProvider: {
              autoScalingGroupArn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0000:autoScalingGroupName/${name}`,
            },
          },
        ],
        failures: [],
      };
    });
    ecs.on(PutAttributesCommand).callsFake((input) => {
      this.begin("PutAttributes");
      const attributes = input.attributes ?? [];
      if (attributes.length > 10)
        throw new InvalidParameterException({ $metadata: {}, message: "at most 10" });
      for (const a of attributes) {
        if (!/^[A-Za-z0-9_./\\-]{1,128}$/.test(a.name ?? "")) {
          throw new ClientException({ $metadata: {}, message: `Invalid attribute name ${a.name}` });
        }
        this.hostByArn(a.targetId)?.attributes.set(a.name ?? "", a.value);
      }
      return { attributes };
    });
    ecs.on(DeleteAttributesCommand).callsFake((input) => {
      this.begin("DeleteAttributes");
      const attributes = input.attributes ?? [];
      if (attributes.length > 10)
        throw new InvalidParameterException({ $metadata: {}, message: "at most 10" });
      for (const a of attributes) this.hostByArn(a.targetId)?.attributes.delete(a.name ?? "");
      return { attributes };
    });
    const asg = this.asgMock;
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
      this.begin("DescribeAutoScalingGroups");
      const names: string[] = input.AutoScalingGroupNames ?? [...this.groups.keys()];
      return {
        AutoScalingGroups: names.flatMap((name) => {
          const group = this.groups.get(name);
          if (group === undefined) return [];
          const instances = [...this.hosts.values()].filter((h) => h.group === name);
          return [
            {
              AutoScalingGroupName: name,
              MinSize: group.minSize,
              MaxSize: group.maxSize,
              DesiredCapacity: group.desiredCapacity,
              Instances: instances.map((h) => ({
                InstanceId: h.ec2InstanceId,
                LifecycleState: h.lifecycleState,
              })),
            },
          ];
        }),
      };
    });
    asg.on(TerminateInstanceInAutoScalingGroupCommand).callsFake((input) => {
      this.begin("TerminateInstanceInAutoScalingGroup");
      const host = [...this.hosts.values()].find((h) => h.ec2InstanceId === input.InstanceId);
      const group = host?.group === undefined ? undefined : this.groups.get(host.group);
      if (host === undefined || group === undefined)
        throw new Error(`ValidationError: no instance ${input.InstanceId}`);
      if (input.ShouldDecrementDesiredCapacity) {
        if (group.desiredCapacity - 1 < group.minSize) {
          throw new Error(
            `ValidationError: Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
          );
        }
        group.desiredCapacity--;
      }
      host.lifecycleState = "Terminating:Wait";
      this.terminated.push(host.ec2InstanceId);
      return {
        Activity: { ActivityId: "a1", AutoScalingGroupName: group.name, StatusCode: "InProgress" },
      };
    });
  }
}
