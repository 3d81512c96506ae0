import {
  type Expression,
  evaluate,
  type SubjectValues,
} from "../../../functions/lib/placement/query-language";
import { type EcsArns, randomEc2InstanceId, randomResourceId } from "../arns";
import { ecsErrors } from "../errors";
import type { EcsEvents } from "../events";
import { agentCapabilities } from "./agent-capabilities";
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  ContainerInstanceStatus,
  Tag,
} from "./records";
import type { TaskLifecycle } from "./task-lifecycle";

/** An EC2 instance whose agent registers: what RegisterContainerInstance tells ECS. */
export interface ContainerInstanceSpec {
  ec2InstanceId?: string;
  instanceType?: string;
  availabilityZone?: string;
  /** CPU units and MiB the agent offers. */
  cpu?: number;
  memory?: number;
  /** Custom attributes (value undefined = a flag attribute without value). */
  attributes?: Record<string, string | undefined>;
  tags?: Tag[];
}

const hostPortsOfAgent = [22, 2375, 2376, 51678, 51679];

/** The container instances of every cluster: registration, draining, deregistration. */
export class ContainerInstances {
  constructor(
    private readonly deps: {
      arns: EcsArns;
      events: EcsEvents;
      tasks: TaskLifecycle;
      /** Something changed that the scheduler should act on. */
      changed: () => void;
    },
  ) {}

  register(cluster: ClusterRecord, spec: ContainerInstanceSpec): ContainerInstanceRecord {
    const attributes = new Map<string, string | undefined>([
      ["ecs.instance-type", spec.instanceType ?? "t3.medium"],
      ["ecs.availability-zone", spec.availabilityZone ?? `${this.deps.arns.region}a`],
      ["ecs.os-type", "linux"],
      ["ecs.os-family", "LINUX"],
      ["ecs.cpu-architecture", "x86_64"],
      ["ecs.ami-id", "ami-local"],
      ["ecs.capability.docker-plugin.local", undefined],
      ...agentCapabilities.map((name): [string, undefined] => [name, undefined]),
    ]);
    for (const [name, value] of Object.entries(spec.attributes ?? {})) attributes.set(name, value);
    const id = randomResourceId();
    const instance: ContainerInstanceRecord = {
      arn: this.deps.arns.containerInstance(cluster.name, id),
      id,
      cluster,
      ec2InstanceId: spec.ec2InstanceId ?? randomEc2InstanceId(),
      status: "ACTIVE",
      agentConnected: true,
      cpu: spec.cpu ?? 2048,
      memory: spec.memory ?? 3904,
      registeredPorts: hostPortsOfAgent,
      attributes,
      usedCpu: 0,
      usedMemory: 0,
      usedPorts: new Set(hostPortsOfAgent),
      tasks: new Set(),
      version: 0,
      registeredAt: new Date(),
      tags: spec.tags ?? [],
    };
    cluster.instances.set(instance.arn, instance);
    this.deps.events.instanceChanged(instance);
    this.deps.changed();
    return instance;
  }

  /** Refused while tasks run there, unless forced. */
  deregister(instance: ContainerInstanceRecord, force: boolean): void {
    if (instance.tasks.size > 0 && !force) {
      throw ecsErrors.invalidParameter("Found running tasks on the instance.");
    }
    instance.status = "INACTIVE";
    instance.agentConnected = false;
    // On AWS the tasks are orphaned on the EC2 instance; here they are processes: stop them.
    for (const task of instance.tasks) {
      this.deps.tasks.stop(task, "Container instance deregistered", "ServiceSchedulerInitiated");
    }
    this.deps.events.instanceChanged(instance);
    this.deps.changed();
  }

  /** ACTIVE or DRAINING: the scheduler moves a DRAINING instance's service tasks away. */
  setStatus(instance: ContainerInstanceRecord, status: "ACTIVE" | "DRAINING"): void {
    if (instance.status === status) return;
    instance.status = status;
    this.deps.events.instanceChanged(instance);
    this.deps.changed();
  }

  /** The instance an ID or ARN denotes in the cluster, in any status. */
  find(cluster: ClusterRecord, ref: string): ContainerInstanceRecord | undefined {
    if (ref.startsWith("arn:")) return cluster.instances.get(ref);
    return cluster.instances.get(this.deps.arns.containerInstance(cluster.name, ref));
  }

  /** Registered (not INACTIVE) instances, of one status and matching a query when given. */
  matching(
    cluster: ClusterRecord,
    status: ContainerInstanceStatus | undefined,
    filter: Expression | undefined,
  ): ContainerInstanceRecord[] {
    const matches: ContainerInstanceRecord[] = [];
    for (const instance of cluster.instances.values()) {
      if (instance.status === "INACTIVE") continue;
      if (status !== undefined && instance.status !== status) continue;
      if (filter !== undefined && !evaluate(filter, subjectValues(instance))) continue;
      matches.push(instance);
    }
    return matches;
  }
}

/** An instance's values for the cluster query language's subjects. */
export function subjectValues(instance: ContainerInstanceRecord): SubjectValues {
  return (subject) => {
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
