import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  type ContainerInstance,
  DeleteAttributesCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Failure,
  PutAttributesCommand,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  type Service,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage, sent } from "../lib/api-calls";
import { batches } from "../lib/batches";
import { listClusterArns } from "../lib/clusters";
import {
  DESCRIBE_CONTAINER_INSTANCES_BATCH,
  DESCRIBE_SERVICES_BATCH,
  ECS_PAGE_SIZE,
} from "../lib/ecs-limits";

/** DescribeTasks takes up to 100 tasks; PutAttributes and DeleteAttributes up to 10 attributes. */
const DESCRIBE_TASKS_BATCH = 100;
const ATTRIBUTES_BATCH = 10;
/** DescribeAutoScalingGroups: up to 100 names and 100 groups a page. */
const GROUPS_PAGE_SIZE = 100;

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

/** An answer that leaves something out: the consolidator never acts on part of a cluster. */
export class IncompleteReadError extends Error {
  override readonly name = "IncompleteReadError";
  constructor(
    readonly action: string,
    readonly failures: readonly Failure[],
  ) {
    const first = failures[0];
    super(
      `${action} answered ${failures.length} failure(s), e.g. ${first?.arn ?? "?"}: ${first?.reason ?? "?"}`,
    );
  }
}

function complete(action: string, failures: readonly Failure[] | undefined): void {
  if (failures !== undefined && failures.length > 0)
    throw new IncompleteReadError(action, failures);
}

/**
 * Task definition revisions never change once registered, so one execution
 * environment reads each at most once, across invocations.
 */
export type TaskDefinitionCache = Map<string, TaskDefinition>;

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
  async capacityProviderGroups(cluster: string): Promise<string[]> {
    const described = await sent(this.apiCalls, "ecs:DescribeClusters", () =>
      this.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })),
    );
    complete("DescribeClusters", described.failures);
    const providers = described.clusters?.[0]?.capacityProviders ?? [];
    if (providers.length === 0) return [];
    const out = await sent(this.apiCalls, "ecs:DescribeCapacityProviders", () =>
      this.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: providers })),
    );
    complete("DescribeCapacityProviders", out.failures);
    return (out.capacityProviders ?? []).flatMap((provider) => {
      const arn = provider.autoScalingGroupProvider?.autoScalingGroupArn;
      // arn:aws:autoscaling:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>
      const name = arn?.split("autoScalingGroupName/")[1];
      return name === undefined || name === "" ? [] : [name];
    });
  }

  async autoScalingGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
    const groups: AutoScalingGroup[] = [];
    for (const batch of batches(names, GROUPS_PAGE_SIZE)) {
      const pages = paginateDescribeAutoScalingGroups(
        {
          client: this.autoscaling,
          pageSize: GROUPS_PAGE_SIZE,
          withCommand: countEachPage(this.apiCalls, "autoscaling:DescribeAutoScalingGroups"),
        },
        { AutoScalingGroupNames: batch },
      );
      for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));
    }
    return groups;
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
    const instances: ContainerInstance[] = [];
    for (const batch of batches([...new Set(arns)], DESCRIBE_CONTAINER_INSTANCES_BATCH)) {
      const out = await sent(this.apiCalls, "ecs:DescribeContainerInstances", () =>
        this.ecs.send(
          new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
        ),
      );
      complete("DescribeContainerInstances", out.failures);
      instances.push(...(out.containerInstances ?? []));
    }
    return instances;
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

  async taskDefinition(arn: string): Promise<TaskDefinition> {
    const cached = this.definitions.get(arn);
    if (cached !== undefined) return cached;
    const out = await sent(this.apiCalls, "ecs:DescribeTaskDefinition", () =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
    );
    if (out.taskDefinition === undefined) {
      throw new IncompleteReadError("DescribeTaskDefinition", [{ arn, reason: "MISSING" }]);
    }
    this.definitions.set(arn, out.taskDefinition);
    return out.taskDefinition;
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
