import { parseEcsArn } from "../../../functions/lib/ecs-names";
import type { EcsArns } from "../arns";
import { ecsErrors } from "../errors";
import type { Clusters } from "./clusters";
import type { ContainerInstances } from "./container-instances";
import type { Tag } from "./records";
import type { Services } from "./services";
import type { TaskDefinitions } from "./task-definitions";
import { findTask } from "./tasks";

/** Tags of any taggable resource, found by its ARN (TagResource, UntagResource, ListTagsForResource). */
export class Tags {
  constructor(
    private readonly deps: {
      arns: EcsArns;
      clusters: Clusters;
      instances: ContainerInstances;
      services: Services;
      taskDefinitions: TaskDefinitions;
    },
  ) {}

  list(resourceArn: string): Tag[] {
    return this.resource(resourceArn).tags;
  }

  /** Adds the tags, replacing the values of keys the resource already has. */
  tag(resourceArn: string, tags: readonly Tag[]): void {
    const resource = this.resource(resourceArn);
    for (const tag of tags) {
      resource.tags = [...resource.tags.filter((t) => t.key !== tag.key), tag];
    }
  }

  untag(resourceArn: string, keys: readonly string[]): void {
    const resource = this.resource(resourceArn);
    const removed = new Set(keys);
    resource.tags = resource.tags.filter((tag) => !removed.has(tag.key));
  }

  private resource(resourceArn: string): { tags: Tag[] } {
    const arn = parseEcsArn(resourceArn);
    if (arn === undefined) throw ecsErrors.invalidParameter("Invalid resource ARN.");
    const missing = () => ecsErrors.resourceNotFound("The specified resource is not found.");
    const { clusters, instances, services, taskDefinitions } = this.deps;
    if (arn.resourceType === "task-definition") {
      const definition = taskDefinitions.find(resourceArn);
      if (definition === undefined) throw missing();
      return definition;
    }
    const [clusterName = "", id = ""] = arn.resource.split("/");
    const cluster = clusters.find(clusterName);
    if (cluster === undefined) throw missing();
    const found =
      arn.resourceType === "cluster"
        ? cluster
        : arn.resourceType === "service"
          ? services.find(cluster, id)
          : arn.resourceType === "task"
            ? findTask(this.deps.arns, cluster, resourceArn)
            : arn.resourceType === "container-instance"
              ? instances.find(cluster, resourceArn)
              : undefined;
    if (found === undefined) throw missing();
    return found;
  }
}
