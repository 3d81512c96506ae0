import { AwsError } from "../../edge/errors";
import type { EcsArns } from "../arns";
import { ecsErrors } from "../errors";
import type { CapacityProviderStrategyItem, ClusterRecord, ServiceRecord, Tag } from "./records";

/** An Auto Scaling group capacity provider, in the words of CreateCapacityProvider. */
export interface CapacityProviderRecord {
  arn: string;
  name: string;
  status: "ACTIVE";
  /** The group's name or ARN, as given. */
  autoScalingGroupArn: string;
  managedScaling: {
    status: "ENABLED" | "DISABLED";
    targetCapacity: number;
    minimumScalingStepSize: number;
    maximumScalingStepSize: number;
    instanceWarmupPeriod: number;
  };
  managedTerminationProtection: "ENABLED" | "DISABLED";
  managedDraining: "ENABLED" | "DISABLED";
  tags: Tag[];
}

export type CapacityProviderInput = Omit<CapacityProviderRecord, "arn" | "status">;

/** A cluster's capacity providers (names) and default strategy, as PutClusterCapacityProviders set them. */
export interface ClusterCapacityProviders {
  capacityProviders: string[];
  defaultStrategy: CapacityProviderStrategyItem[];
}

/**
 * Capacity providers and which clusters use them (PutClusterCapacityProviders): a
 * service with a capacity provider strategy, or none in a cluster with a default one,
 * runs on the provider's Auto Scaling group, and its tasks that fit no instance wait
 * (PROVISIONING) instead of failing placement.
 */
export class CapacityProviders {
  private readonly providers = new Map<string, CapacityProviderRecord>();
  private readonly associations = new Map<ClusterRecord, ClusterCapacityProviders>();

  constructor(private readonly arns: EcsArns) {}

  create(input: CapacityProviderInput): CapacityProviderRecord {
    if (this.providers.has(input.name)) {
      throw ecsErrors.client(`The specified capacity provider already exists: ${input.name}.`);
    }
    const { targetCapacity, minimumScalingStepSize, maximumScalingStepSize } = input.managedScaling;
    if (targetCapacity < 1 || targetCapacity > 100) {
      throw ecsErrors.invalidParameter("targetCapacity must be between 1 and 100.");
    }
    if (minimumScalingStepSize > maximumScalingStepSize) {
      throw ecsErrors.invalidParameter(
        "minimumScalingStepSize must be less than or equal to maximumScalingStepSize.",
      );
    }
    if (
      input.managedTerminationProtection === "ENABLED" &&
      input.managedScaling.status !== "ENABLED"
    ) {
      throw ecsErrors.invalidParameter(
        "Managed termination protection requires managed scaling to be enabled.",
      );
    }
    const record: CapacityProviderRecord = {
      ...input,
      arn: this.arns.capacityProvider(input.name),
      status: "ACTIVE",
    };
    this.providers.set(record.name, record);
    return record;
  }

  find(ref: string): CapacityProviderRecord | undefined {
    if (!ref.startsWith("arn:")) return this.providers.get(ref);
    return [...this.providers.values()].find((provider) => provider.arn === ref);
  }

  all(): CapacityProviderRecord[] {
    return [...this.providers.values()];
  }

  /** PutClusterCapacityProviders: replaces the cluster's providers and default strategy. */
  putClusterCapacityProviders(
    cluster: ClusterRecord,
    capacityProviders: readonly string[],
    defaultStrategy: readonly CapacityProviderStrategyItem[],
  ): void {
    const names = capacityProviders.map((ref) => {
      const provider = this.find(ref);
      if (provider === undefined) {
        throw ecsErrors.invalidParameter(`The specified capacity provider ${ref} does not exist.`);
      }
      return provider.name;
    });
    for (const item of defaultStrategy) {
      if (!names.includes(this.find(item.capacityProvider)?.name ?? item.capacityProvider)) {
        throw ecsErrors.invalidParameter(
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster: ${item.capacityProvider}.`,
        );
      }
    }
    this.associations.set(cluster, {
      capacityProviders: names,
      defaultStrategy: defaultStrategy.map((item) => ({ ...item })),
    });
  }

  ofCluster(cluster: ClusterRecord): ClusterCapacityProviders {
    return this.associations.get(cluster) ?? { capacityProviders: [], defaultStrategy: [] };
  }

  /** Checks a service's strategy: every provider must be associated with its cluster. */
  checkStrategy(cluster: ClusterRecord, strategy: readonly CapacityProviderStrategyItem[]): void {
    const { capacityProviders } = this.ofCluster(cluster);
    for (const item of strategy) {
      const name = this.find(item.capacityProvider)?.name;
      if (name === undefined || !capacityProviders.includes(name)) {
        throw new AwsError(
          "InvalidParameterException",
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
        );
      }
    }
  }

  /**
   * The provider a service's tasks run on: its strategy's first, else the cluster's
   * default — none for a service created with a launch type, as on AWS.
   */
  providerOf(service: ServiceRecord): CapacityProviderRecord | undefined {
    if (service.launchType !== undefined) return undefined;
    const strategy =
      service.capacityProviderStrategy.length > 0
        ? service.capacityProviderStrategy
        : this.ofCluster(service.cluster).defaultStrategy;
    const first = strategy[0];
    return first === undefined ? undefined : this.find(first.capacityProvider);
  }
}
