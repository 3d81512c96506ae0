import { randomBytes } from "node:crypto";
import { formatEcsArn } from "../../functions/lib/ecs-names";

/**
 * The ARNs of the local cloud's ECS resources, in its one Region and account. The
 * format (and reading names back out of ARNs) is functions/lib/ecs-names's, shared
 * with the functions that parse what ECS returns.
 */
export class EcsArns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  cluster(name: string): string {
    return this.arn("cluster", name);
  }

  containerInstance(cluster: string, id: string): string {
    return this.arn("container-instance", `${cluster}/${id}`);
  }

  service(cluster: string, name: string): string {
    return this.arn("service", `${cluster}/${name}`);
  }

  task(cluster: string, id: string): string {
    return this.arn("task", `${cluster}/${id}`);
  }

  container(cluster: string, taskId: string, id: string): string {
    return this.arn("container", `${cluster}/${taskId}/${id}`);
  }

  capacityProvider(name: string): string {
    return this.arn("capacity-provider", name);
  }

  taskDefinition(family: string, revision: number): string {
    return this.arn("task-definition", `${family}:${revision}`);
  }

  private arn(resourceType: string, resource: string): string {
    return formatEcsArn({
      partition: "aws",
      region: this.region,
      account: this.accountId,
      resourceType,
      resource,
    });
  }
}

/** A container instance's or task's ID: 32 hex digits, as on AWS. */
export function randomResourceId(): string {
  return randomBytes(16).toString("hex");
}

/** `i-` and 17 hex digits. */
export function randomEc2InstanceId(): string {
  return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
}
