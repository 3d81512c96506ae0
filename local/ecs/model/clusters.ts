import { clusterName } from "../../../functions/lib/ecs-names";
import type { EcsArns } from "../arns";
import { ecsErrors } from "../errors";
import type { ClusterRecord, Tag } from "./records";

/** Names of clusters, services and task definition families: ECS's one rule for them. */
export const resourceNamePattern = /^[A-Za-z0-9_-]{1,255}$/;

/** The account's clusters, by name. */
export class Clusters {
  private readonly records = new Map<string, ClusterRecord>();

  constructor(private readonly arns: EcsArns) {}

  /** Creates the cluster, or returns the ACTIVE one of that name: CreateCluster is idempotent. */
  create(name: string, tags: Tag[]): ClusterRecord {
    if (!resourceNamePattern.test(name)) {
      throw ecsErrors.invalidParameter(
        "Cluster name must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    const existing = this.records.get(name);
    if (existing !== undefined && existing.status === "ACTIVE") return existing;
    const cluster: ClusterRecord = {
      arn: this.arns.cluster(name),
      name,
      status: "ACTIVE",
      tags,
      createdAt: new Date(),
      instances: new Map(),
      services: new Map(),
      tasks: new Map(),
    };
    this.records.set(name, cluster);
    return cluster;
  }

  /** DeleteCluster: refused while services or container instances are left. */
  delete(cluster: ClusterRecord): void {
    if ([...cluster.services.values()].some((service) => service.status !== "INACTIVE")) {
      throw ecsErrors.clusterContainsServices();
    }
    if ([...cluster.instances.values()].some((instance) => instance.status !== "INACTIVE")) {
      throw ecsErrors.clusterContainsContainerInstances();
    }
    cluster.status = "INACTIVE";
  }

  /** The ACTIVE cluster a name or ARN denotes (none: `default`), as every cluster-scoped operation needs. */
  active(nameOrArn: string | undefined): ClusterRecord {
    const cluster = this.find(nameOrArn ?? "default");
    if (cluster === undefined || cluster.status !== "ACTIVE") throw ecsErrors.clusterNotFound();
    return cluster;
  }

  /** The cluster a name or ARN denotes, in any status. */
  find(nameOrArn: string): ClusterRecord | undefined {
    return this.records.get(clusterName(nameOrArn));
  }

  all(): IterableIterator<ClusterRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }
}
