import {
  CreateCapacityProviderCommand,
  PutClusterCapacityProvidersCommand,
} from "@aws-sdk/client-ecs";
import { controlPlaneHosts, EcsHostLauncher } from "../../../local/autoscaling/ecs-hosts";
import type { LocalCloud, LocalCloudOptions } from "../../../local/cloud";
import type { LocalClients } from "../../support/local-clients";

/** A cloud whose hosts boot, and whose managed scaling acts, within a fraction of a second. */
export const quickCapacity: LocalCloudOptions = {
  runTasks: "simulated",
  reconcileIntervalMs: 20,
  hostBootSeconds: 0.05,
  managedScalingIntervalSeconds: 0.05,
  scaleInAfterSeconds: 0.2,
};

/** Every test host: 1024 CPU units and 1024 MiB. */
export const hostSize = { cpu: 1024, memory: 1024 };

export interface GroupOptions {
  cluster: string;
  name: string;
  minSize?: number;
  maxSize: number;
  desired?: number;
  zones?: string[];
  /** ECS managed draining's termination hook on the group; default on. */
  managedDraining?: boolean;
}

/** An Auto Scaling group whose instances register with `cluster`, as the wiring creates one. */
export function hostGroup(cloud: LocalCloud, options: GroupOptions): void {
  cloud.autoscaling.createGroup({
    name: options.name,
    minSize: options.minSize ?? 1,
    maxSize: options.maxSize,
    desiredCapacity: options.desired,
    launchTemplate: {
      launchTemplateId: "lt-0123456789",
      launchTemplateName: "hosts",
      version: "1",
    },
    instanceType: "t3.small",
    availabilityZones: options.zones ?? ["us-east-1a", "us-east-1b"],
    terminationLifecycleHook:
      options.managedDraining === false ? undefined : "ecs-managed-draining-termination-hook",
    launcher: new EcsHostLauncher({
      hosts: controlPlaneHosts(cloud.ecs, options.cluster),
      size: hostSize,
      clock: cloud.clock,
      drainTimeoutMs: 20_000,
      pollMs: 10,
    }),
  });
  cloud.managedScaling.hostSize(options.name, hostSize);
}

/** A capacity provider with managed scaling on the group, the cluster's default strategy. */
export async function capacityProvider(
  clients: LocalClients,
  options: {
    cluster: string;
    name: string;
    group: string;
    targetCapacity?: number;
    maximumScalingStepSize?: number;
    managedTerminationProtection?: "ENABLED" | "DISABLED";
  },
): Promise<void> {
  await clients.ecs.send(
    new CreateCapacityProviderCommand({
      name: options.name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: options.group,
        managedScaling: {
          status: "ENABLED",
          targetCapacity: options.targetCapacity ?? 100,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: options.maximumScalingStepSize ?? 2,
        },
        managedTerminationProtection: options.managedTerminationProtection ?? "DISABLED",
        managedDraining: "ENABLED",
      },
    }),
  );
  await clients.ecs.send(
    new PutClusterCapacityProvidersCommand({
      cluster: options.cluster,
      capacityProviders: [options.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: options.name, weight: 1 }],
    }),
  );
}
