import {
  CreateCapacityProviderCommand,
  type CreateCapacityProviderCommandInput,
  ECSClient,
  PutClusterCapacityProvidersCommand,
  type PutClusterCapacityProvidersCommandInput,
} from "@aws-sdk/client-ecs";
import { controlPlaneHosts, EcsHostLauncher } from "../autoscaling/ecs-hosts";
import type { GroupTag } from "../autoscaling/records";
import { groupNameOf } from "../ecs/capacity/managed-scaling";
import { toServiceInput } from "../stepfunctions/sdk-integration";
import { isObject, type Json, type JsonObject } from "../template/read";
import type { Wiring } from "./context";

/**
 * The hosts' capacity, as CloudFormation creates it: each Auto Scaling group (its
 * instances register with the cluster its launch template's user data names), each
 * capacity provider on a group (managed draining puts its termination hook on the
 * group), then the cluster's capacity providers and default strategy — before the
 * services whose strategies name them.
 */

/** What every host registers with (CPU units, MiB): one size for the group's instance type. */
export interface HostSize {
  cpu: number;
  memory: number;
}

/** ECS managed draining's lifecycle hook on the group, named as ECS names it. */
const drainingHook = "ecs-managed-draining-termination-hook";

export async function wireCapacity(wiring: Wiring, hostSize: HostSize): Promise<void> {
  const providers = wiring
    .resources("AWS::ECS::CapacityProvider")
    .map(([id]) => ({ id, properties: wiring.properties(id) }));
  const associations = wiring
    .resources("AWS::ECS::ClusterCapacityProviderAssociations")
    .map(([id]) => wiring.properties(id));
  for (const [id] of wiring.resources("AWS::AutoScaling::AutoScalingGroup")) {
    const name = wiring.names.refs[id] as string;
    const properties = wiring.properties(id);
    const provider = providers.find(
      ({ properties: p }) =>
        groupNameOf(String(record(p.AutoScalingGroupProvider).AutoScalingGroupArn)) === name,
    );
    const cluster = clusterOf(wiring, associations, provider?.id);
    const template = record(properties.LaunchTemplate);
    const launchTemplateId = String(template.LaunchTemplateId);
    const launchTemplate = Object.entries(wiring.template.Resources).find(
      ([candidate]) => wiring.names.refs[candidate] === launchTemplateId,
    );
    const data = record(
      launchTemplate === undefined
        ? {}
        : record(wiring.properties(launchTemplate[0]).LaunchTemplateData),
    );
    const subnets = list(properties.VPCZoneIdentifier);
    const zones = (
      subnets.length === 0 ? ["a"] : subnets.map((_, i) => "abcdef"[i % 6] ?? "a")
    ).map((letter) => `${wiring.cloud.region}${letter}`);
    const drains =
      provider !== undefined &&
      record(provider.properties.AutoScalingGroupProvider).ManagedDraining !== "DISABLED";
    wiring.cloud.autoscaling.createGroup({
      name,
      minSize: Number(properties.MinSize),
      maxSize: Number(properties.MaxSize),
      desiredCapacity:
        properties.DesiredCapacity === undefined ? undefined : Number(properties.DesiredCapacity),
      launchTemplate: {
        launchTemplateId,
        launchTemplateName: launchTemplate?.[0] ?? launchTemplateId,
        version: String(template.Version ?? "1"),
      },
      instanceType: typeof data.InstanceType === "string" ? data.InstanceType : "t3.medium",
      availabilityZones: [...new Set(zones)],
      vpcZoneIdentifier: subnets.join(","),
      newInstancesProtectedFromScaleIn: properties.NewInstancesProtectedFromScaleIn === true,
      tags: list(properties.Tags).map((tag): GroupTag => {
        const fields = record(tag);
        return {
          key: String(fields.Key),
          value: String(fields.Value ?? ""),
          propagateAtLaunch: fields.PropagateAtLaunch === true,
        };
      }),
      terminationLifecycleHook: drains ? drainingHook : undefined,
      launcher: new EcsHostLauncher({
        hosts: controlPlaneHosts(wiring.cloud.ecs, cluster),
        size: hostSize,
        clock: wiring.clock,
        // ECS's managed draining waits up to the hook's heartbeat timeout (48 h); a local drain ends sooner.
        drainTimeoutMs: 600_000,
      }),
    });
    wiring.cloud.managedScaling.hostSize(name, hostSize);
  }
  const ecs = new ECSClient(wiring.sdk);
  try {
    for (const { id, properties } of providers) {
      const input = toServiceInput("ecs", properties) as Record<string, unknown>;
      input.name ??= wiring.names.refs[id];
      await ecs.send(
        new CreateCapacityProviderCommand(input as unknown as CreateCapacityProviderCommandInput),
      );
    }
    for (const properties of associations) {
      const input = toServiceInput("ecs", properties) as Record<string, unknown>;
      await ecs.send(
        new PutClusterCapacityProvidersCommand(
          input as unknown as PutClusterCapacityProvidersCommandInput,
        ),
      );
    }
  } finally {
    ecs.destroy();
  }
}

/** The cluster whose association lists the provider; else the template's one cluster. */
function clusterOf(
  wiring: Wiring,
  associations: JsonObject[],
  providerId: string | undefined,
): string {
  const providerName = providerId === undefined ? undefined : wiring.names.refs[providerId];
  const association = associations.find((a) =>
    list(a.CapacityProviders).includes(providerName ?? ""),
  );
  if (association !== undefined) return String(association.Cluster);
  const [cluster] = wiring.resources("AWS::ECS::Cluster");
  return cluster === undefined ? "default" : (wiring.names.refs[cluster[0]] as string);
}

function record(value: Json | undefined): JsonObject {
  return isObject(value) ? value : {};
}

function list(value: Json | undefined): Json[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string" && value !== "") return value.split(",");
  return [];
}
