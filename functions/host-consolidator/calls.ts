import {
  type AutoScalingClient,
  type AutoScalingGroup,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  type ContainerInstance,
  DeleteAttributesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  PutAttributesCommand,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage, sent } from "../lib/api-calls";
import { capacityProviderGroups, describeAutoScalingGroups } from "../lib/auto-scaling-groups";
import { batches } from "../lib/batches";
import { listClusterArns } from "../lib/clusters";
import { DESCRIBE_SERVICES_BATCH, ECS_PAGE_SIZE } from "../lib/ecs-limits";
import {
  complete,
  describeContainerInstances,
  describeTaskDefinition,
  type TaskDefinitionCache,
} from "../lib/ecs-reads";

export type { TaskDefinitionCache };

/** DescribeTasks takes up to 100 tasks; PutAttributes and DeleteAttributes up to 10 attributes. */
const DESCRIBE_TASKS_BATCH = 100;
const ATTRIBUTES_BATCH = 10;

export function noApiCalls(): ApiCalls {
  return {
    "ecs:ListClusters": 0,
    "ecs:DescribeClusters": 0,
    "ecs:DescribeCapacityProviders": 0,
    "ecs:ListContainerInstances": 0,
    "ecs:DescribeContainerInstances": 0,
    "ecs:ListTasks": 0,
    "ecs:DescribeTasks": 0,
    "ecs:ListServices": 0,
    "ecs:DescribeServices": 0,
    "ecs:DescribeTaskDefinition": 0,
    "autoscaling:DescribeAutoScalingGroups": 0,
    "ecs:PutAttributes": 0,
    "ecs:DeleteAttributes": 0,
    "autoscaling:TerminateInstanceInAutoScalingGroup": 0,
  };
}

/**
 * Every request the consolidator sends, counted as it is sent (`lib/api-calls`), with
 * the SDK's paginators for every listing. Reads throw on any failure, including a
 * partial answer (`failures`), so no decision is ever made on part of a cluster.
 */
export class ConsolidatorCalls {
  readonly apiCalls: ApiCalls = noApiCalls();

  constructor(
    private readonly ecs: ECSClient,
    private readonly autoscaling: AutoScalingClient,
    private readonly definitions: TaskDefinitionCache = new Map(),
  ) {}

  listClusters(): Promise<string[]> {
    return listClusterArns(this.ecs, this.apiCalls);
  }

  /** The Auto Scaling groups behind the cluster's capacity providers (by name). */
  capacityProviderGroups(cluster: string): Promise<string[]> {
    return capacityProviderGroups(this.ecs, this.apiCalls, cluster);
  }

  autoScalingGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
    return describeAutoScalingGroups(this.autoscaling, this.apiCalls, names);
  }

  /** Every container instance that is not INACTIVE (ECS's default for the listing). */
  async containerInstances(cluster: string): Promise<ContainerInstance[]> {
    const arns: string[] = [];
    const pages = paginateListContainerInstances(
      {
        client: this.ecs,
        pageSize: ECS_PAGE_SIZE,
        withCommand: countEachPage(this.apiCalls, "ecs:ListContainerInstances"),
      },
      { cluster },
    );
    for await (const page of pages) arns.push(...(page.containerInstanceArns ?? []));
    return describeContainerInstances(this.ecs, this.apiCalls, cluster, arns);
  }

  /** Every task that should be running (desiredStatus RUNNING), placed or not. */
  async tasks(cluster: string): Promise<Task[]> {
    const arns: string[] = [];
    const pages = paginateListTasks(
      {
        client: this.ecs,
        pageSize: ECS_PAGE_SIZE,
        withCommand: countEachPage(this.apiCalls, "ecs:ListTasks"),
      },
      { cluster, desiredStatus: "RUNNING" },
    );
    for await (const page of pages) arns.push(...(page.taskArns ?? []));
    const tasks: Task[] = [];
    for (const batch of batches([...new Set(arns)], DESCRIBE_TASKS_BATCH)) {
      const out = await sent(this.apiCalls, "ecs:DescribeTasks", () =>
        this.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
      );
      // A task listed then gone (stopped in between) is a changed cluster: read it again next time.
      complete("DescribeTasks", out.failures);
      tasks.push(...(out.tasks ?? []));
    }
    return tasks;
  }

  /** Every service of the cluster, with its tags (per-host services are tagged). */
  async services(cluster: string): Promise<Service[]> {
    const arns: string[] = [];
    const pages = paginateListServices(
      {
        client: this.ecs,
        pageSize: ECS_PAGE_SIZE,
        withCommand: countEachPage(this.apiCalls, "ecs:ListServices"),
      },
      { cluster },
    );
    for await (const page of pages) arns.push(...(page.serviceArns ?? []));
    const services: Service[] = [];
    for (const batch of batches(arns, DESCRIBE_SERVICES_BATCH)) {
      const out = await sent(this.apiCalls, "ecs:DescribeServices", () =>
        this.ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ["TAGS"] })),
      );
      complete("DescribeServices", out.failures);
      services.push(...(out.services ?? []));
    }
    return services;
  }

  taskDefinition(arn: string) {
    return describeTaskDefinition(this.ecs, this.apiCalls, arn, this.definitions);
  }

  async putAttribute(
    cluster: string,
    name: string,
    values: ReadonlyMap<string, string>,
  ): Promise<void> {
    const attributes = [...values].map(([targetId, value]) => ({
      name,
      value,
      targetType: "container-instance" as const,
      targetId,
    }));
    for (const batch of batches(attributes, ATTRIBUTES_BATCH)) {
      await sent(this.apiCalls, "ecs:PutAttributes", () =>
        this.ecs.send(new PutAttributesCommand({ cluster, attributes: batch })),
      );
    }
  }

  async deleteAttribute(cluster: string, name: string, targets: readonly string[]): Promise<void> {
    const attributes = targets.map((targetId) => ({
      name,
      targetType: "container-instance" as const,
      targetId,
    }));
    for (const batch of batches(attributes, ATTRIBUTES_BATCH)) {
      await sent(this.apiCalls, "ecs:DeleteAttributes", () =>
        this.ecs.send(new DeleteAttributesCommand({ cluster, attributes: batch })),
      );
    }
  }

  /** Terminates the instance and lowers desired capacity: managed draining moves its tasks. */
  async terminate(instanceId: string): Promise<void> {
    await sent(this.apiCalls, "autoscaling:TerminateInstanceInAutoScalingGroup", () =>
      this.autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: instanceId,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );
  }
}
