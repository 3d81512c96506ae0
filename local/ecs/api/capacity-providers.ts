import type {
  CapacityProvider,
  CreateCapacityProviderResponse,
  DescribeCapacityProvidersResponse,
  Failure,
  PutClusterCapacityProvidersResponse,
} from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import type { CapacityProviderRecord } from "../model/capacity-providers";
import type { EcsModel } from "../model/ecs-model";
import { clusterShape } from "../shapes";
import { Fields } from "./fields";
import { paginate } from "./paging";
import { readCapacityProviderStrategy } from "./service-settings";

const enabled = (value: string | undefined, fallback: "ENABLED" | "DISABLED") => {
  if (value === undefined) return fallback;
  if (value !== "ENABLED" && value !== "DISABLED") {
    throw ecsErrors.invalidParameter(`${value} is not one of ENABLED, DISABLED.`);
  }
  return value;
};

export function capacityProviderShape(provider: CapacityProviderRecord): CapacityProvider {
  return {
    capacityProviderArn: provider.arn,
    name: provider.name,
    status: provider.status,
    autoScalingGroupProvider: {
      autoScalingGroupArn: provider.autoScalingGroupArn,
      managedScaling: provider.managedScaling,
      managedTerminationProtection: provider.managedTerminationProtection,
      managedDraining: provider.managedDraining,
    },
    tags: provider.tags,
  };
}

/** CreateCapacityProvider, DescribeCapacityProviders, PutClusterCapacityProviders. */
export function capacityProviderOperations({ capacityProviders, clusters }: EcsModel) {
  return {
    CreateCapacityProvider: (fields: Fields): CreateCapacityProviderResponse => {
      const name = fields.requiredString("name");
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(name) || /^(aws|ecs|fargate)/i.test(name)) {
        throw ecsErrors.invalidParameter(
          "The capacity provider name must have up to 255 letters, numbers, underscores and hyphens, and cannot start with aws, ecs or fargate.",
        );
      }
      const group = new Fields(fields.record("autoScalingGroupProvider") ?? {});
      const scaling = new Fields(group.record("managedScaling") ?? {});
      const provider = capacityProviders.create({
        name,
        autoScalingGroupArn: group.requiredString("autoScalingGroupArn"),
        managedScaling: {
          status: enabled(scaling.string("status"), "DISABLED"),
          targetCapacity: scaling.integer("targetCapacity") ?? 100,
          minimumScalingStepSize: scaling.integer("minimumScalingStepSize") ?? 1,
          maximumScalingStepSize: scaling.integer("maximumScalingStepSize") ?? 10_000,
          instanceWarmupPeriod: scaling.integer("instanceWarmupPeriod") ?? 300,
        },
        managedTerminationProtection: enabled(
          group.string("managedTerminationProtection"),
          "DISABLED",
        ),
        // On by default, as CreateCapacityProvider documents.
        managedDraining: enabled(group.string("managedDraining"), "ENABLED"),
        tags: fields.tags(),
      });
      return { capacityProvider: capacityProviderShape(provider) };
    },

    DescribeCapacityProviders: (fields: Fields): DescribeCapacityProvidersResponse => {
      const refs = fields.strings("capacityProviders");
      const failures: Failure[] = [];
      let found: CapacityProviderRecord[];
      if (refs === undefined || refs.length === 0) {
        const page = paginate(
          capacityProviders.all().map((provider) => provider.arn),
          fields,
          { operation: "DescribeCapacityProviders", defaultMax: 10 },
        );
        found = page.items.flatMap((arn) => capacityProviders.find(arn) ?? []);
        return { capacityProviders: found.map(capacityProviderShape), nextToken: page.nextToken };
      }
      found = [];
      for (const ref of refs) {
        const provider = capacityProviders.find(ref);
        if (provider === undefined) failures.push({ arn: ref, reason: "MISSING" });
        else found.push(provider);
      }
      return { capacityProviders: found.map(capacityProviderShape), failures };
    },

    PutClusterCapacityProviders: (fields: Fields): PutClusterCapacityProvidersResponse => {
      const cluster = clusters.active(fields.requiredString("cluster"));
      const names = fields.strings("capacityProviders");
      if (names === undefined) {
        throw ecsErrors.invalidParameter(
          "capacityProviders must be given (an empty list removes them).",
        );
      }
      const strategy = readCapacityProviderStrategy(
        fields,
        () => {},
        "defaultCapacityProviderStrategy",
      );
      capacityProviders.putClusterCapacityProviders(cluster, names, strategy);
      return { cluster: clusterShape(cluster, capacityProviders.ofCluster(cluster), false) };
    },
  };
}
