import {
  type ContainerInstance,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  type ECSClient,
  paginateListContainerInstances,
  paginateListServices,
  type TaskDefinition,
  UpdateServiceCommand,
  type UpdateServiceCommandOutput,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, countEachPage, sent } from "../lib/api-calls";
import { ECS_PAGE_SIZE } from "../lib/ecs-limits";
import {
  describeContainerInstances,
  describeTaskDefinition,
  type TaskDefinitionCache,
} from "../lib/ecs-reads";

/**
 * Every ECS action this function may call, at 0: the summary lists the ones an
 * invocation did not need too, so a reader sees at a glance that, say, no
 * UpdateService was sent.
 */
export function noApiCalls(): ApiCalls {
  return {
    "ecs:DescribeServices": 0,
    "ecs:ListContainerInstances": 0,
    "ecs:UpdateService": 0,
    "ecs:ListServices": 0,
    "ecs:DescribeContainerInstances": 0,
    "ecs:DescribeTaskDefinition": 0,
  };
}

/**
 * The only way the function talks to ECS. Every request goes through here and is
 * counted as it is sent (the SDK's own retries of one request count once), so the
 * summary's `apiCalls` is measured, not estimated. Paginated calls are counted in the
 * paginator's `withCommand` hook, which runs once per page request.
 */
export class EcsCalls {
  readonly apiCalls: ApiCalls = noApiCalls();

  constructor(
    private readonly client: ECSClient,
    private readonly definitions: TaskDefinitionCache = new Map(),
  ) {}

  /** Every service ARN in the cluster, 100 per call. */
  async listServiceArns(cluster: string): Promise<string[]> {
    const arns: string[] = [];
    const pages = paginateListServices(
      {
        client: this.client,
        pageSize: ECS_PAGE_SIZE,
        withCommand: countEachPage(this.apiCalls, "ecs:ListServices"),
      },
      { cluster },
    );
    for await (const page of pages) arns.push(...(page.serviceArns ?? []));
    return arns;
  }

  /** One DescribeServices call; `services` must hold at most 10 identifiers. */
  describeServices(input: DescribeServicesCommandInput): Promise<DescribeServicesCommandOutput> {
    return sent(this.apiCalls, "ecs:DescribeServices", () =>
      this.client.send(new DescribeServicesCommand(input)),
    );
  }

  /**
   * The container instances that are ACTIVE (never DRAINING or any other status) and
   * match `filter`, 100 per call. Throws on any failure: an error is never a count.
   */
  async activeInstances(cluster: string, filter: string | undefined): Promise<Set<string>> {
    const arns = new Set<string>(); // a Set, so an instance repeated across pages counts once
    const pages = paginateListContainerInstances(
      {
        client: this.client,
        pageSize: ECS_PAGE_SIZE,
        withCommand: countEachPage(this.apiCalls, "ecs:ListContainerInstances"),
      },
      { cluster, status: "ACTIVE", ...(filter === undefined ? {} : { filter }) },
    );
    for await (const page of pages) {
      for (const arn of page.containerInstanceArns ?? []) arns.add(arn);
    }
    return arns;
  }

  describeContainerInstances(
    cluster: string,
    arns: readonly string[],
  ): Promise<ContainerInstance[]> {
    return describeContainerInstances(this.client, this.apiCalls, cluster, arns);
  }

  taskDefinition(arn: string): Promise<TaskDefinition> {
    return describeTaskDefinition(this.client, this.apiCalls, arn, this.definitions);
  }

  updateDesiredCount(
    cluster: string,
    service: string,
    desiredCount: number,
  ): Promise<UpdateServiceCommandOutput> {
    return sent(this.apiCalls, "ecs:UpdateService", () =>
      this.client.send(new UpdateServiceCommand({ cluster, service, desiredCount })),
    );
  }
}
