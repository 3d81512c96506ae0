import type {
  CreateClusterResponse,
  DeleteClusterResponse,
  DescribeClustersResponse,
  ListClustersResponse,
} from "@aws-sdk/client-ecs";
import { clusterName } from "../../../functions/lib/ecs-names";
import type { EcsModel } from "../model/ecs-model";
import { clusterShape } from "../shapes";
import type { Fields } from "./fields";
import { describeEach, paginate } from "./paging";

const clusterFields = ["ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"] as const;

export function clusterOperations({ arns, clusters, capacityProviders }: EcsModel) {
  return {
    CreateCluster: (fields: Fields): CreateClusterResponse => {
      const cluster = clusters.create(fields.string("clusterName") ?? "default", fields.tags());
      return { cluster: clusterShape(cluster, capacityProviders.ofCluster(cluster), true) };
    },

    DeleteCluster: (fields: Fields): DeleteClusterResponse => {
      const cluster = clusters.active(fields.requiredString("cluster"));
      clusters.delete(cluster);
      return { cluster: clusterShape(cluster, capacityProviders.ofCluster(cluster), false) };
    },

    DescribeClusters: (fields: Fields): DescribeClustersResponse => {
      const include = fields.include(clusterFields);
      const { found, failures } = describeEach(
        "clusters",
        fields.strings("clusters") ?? ["default"],
        100,
        (ref) => clusters.find(ref),
        (cluster) =>
          clusterShape(cluster, capacityProviders.ofCluster(cluster), include.has("TAGS"), {
            statistics: include.has("STATISTICS"),
          }),
        (ref) => arns.cluster(clusterName(ref)),
      );
      return { clusters: found, failures };
    },

    ListClusters: (fields: Fields): ListClustersResponse => {
      const active = [...clusters.all()].filter((cluster) => cluster.status === "ACTIVE");
      const page = paginate(
        active.map((cluster) => cluster.arn),
        fields,
        { operation: "ListClusters", defaultMax: 100 },
      );
      return { clusterArns: page.items, nextToken: page.nextToken };
    },
  };
}
