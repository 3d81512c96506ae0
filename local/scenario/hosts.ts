import {
  DeregisterContainerInstanceCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import type { LocalSystem } from "./system";

/**
 * Hosts come and go as EC2 instances do: a host "boots" when its agent registers
 * (in-process, as the instance's agent would call RegisterContainerInstance), and
 * leaves the way an Auto Scaling group with managed draining takes it out — through
 * the real ECS API: UpdateContainerInstancesState DRAINING, then
 * DeregisterContainerInstance once its tasks have moved (or the drain deadline passed).
 */

/** The size of every simulated host (CPU units and MiB). */
export interface HostSize {
  cpu: number;
  memory: number;
}

const zones = ["a", "b", "c"];
let hostNumber = 0;

export function joinHosts(system: LocalSystem, count: number, size: HostSize): string[] {
  const arns: string[] = [];
  for (let i = 0; i < count; i++) {
    hostNumber++;
    const instance = system.cloud.ecs.registerHost({
      cluster: system.names.cluster,
      cpu: size.cpu,
      memory: size.memory,
      instanceType: "t3.small",
      availabilityZone: `${system.cloud.region}${zones[hostNumber % zones.length]}`,
    });
    arns.push(instance.containerInstanceArn);
  }
  return arns;
}

export async function drainHosts(system: LocalSystem, arns: readonly string[]): Promise<void> {
  for (let start = 0; start < arns.length; start += 10) {
    const { failures = [] } = await system.clients.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: system.names.cluster,
        containerInstances: arns.slice(start, start + 10),
        status: "DRAINING",
      }),
    );
    if (failures.length > 0) {
      throw new Error(
        `UpdateContainerInstancesState: ${failures.map((f) => `${f.arn} ${f.reason}`).join(", ")}`,
      );
    }
  }
}

/** Tasks still on a host (any service, not yet STOPPED). */
export function tasksOnHost(system: LocalSystem, arn: string): number {
  const instance = system.cloud.ecs
    .containerInstancesOf(system.names.cluster)
    .find((candidate) => candidate.containerInstanceArn === arn);
  return (instance?.runningTasksCount ?? 0) + (instance?.pendingTasksCount ?? 0);
}

/** Deregisters the hosts; `force` stops what still runs there (a drain that timed out). */
export async function deregisterHosts(system: LocalSystem, arns: readonly string[]): Promise<void> {
  for (const arn of arns) {
    await system.clients.ecs.send(
      new DeregisterContainerInstanceCommand({
        cluster: system.names.cluster,
        containerInstance: arn,
        force: true,
      }),
    );
  }
}

/** ACTIVE hosts, oldest first. */
export function activeHosts(system: LocalSystem): string[] {
  return system.cloud.ecs
    .containerInstancesOf(system.names.cluster)
    .filter((instance) => instance.status === "ACTIVE")
    .map((instance) => instance.containerInstanceArn);
}

/**
 * The capacity provider's managed scaling, for a rollout: when a service's PRIMARY
 * deployment has tasks ECS cannot place (the priority scaler has given every free slot
 * to the workers), launch one more host, up to `MaxHosts`. On AWS, managed scaling
 * does this from the CapacityProviderReservation metric; here the scenario watches the
 * deployment. Returns the function that stops watching.
 */
export function scaleOutForUnplacedTasks(
  system: LocalSystem,
  services: readonly string[],
  size: HostSize,
  onLaunch: (service: string, hosts: number) => void,
): () => void {
  const shortSince = new Map<string, number>();
  let lastLaunch = 0;
  const timer = setInterval(() => {
    for (const service of services) {
      const shape = system.cloud.ecs.describeService(system.names.cluster, service);
      const primary = shape?.deployments?.find((deployment) => deployment.status === "PRIMARY");
      const placed = (primary?.runningCount ?? 0) + (primary?.pendingCount ?? 0);
      // Tasks that fail to start are the deployment's problem, not a lack of hosts.
      if (
        primary === undefined ||
        primary.rolloutState !== "IN_PROGRESS" ||
        (primary.failedTasks ?? 0) > 0 ||
        placed >= (primary.desiredCount ?? 0)
      ) {
        shortSince.delete(service);
        continue;
      }
      const now = Date.now();
      const since = shortSince.get(service) ?? now;
      shortSince.set(service, since);
      const hosts = activeHosts(system).length;
      // Give ECS a moment to place what fits, and the new host a moment to take tasks.
      if (now - since < 500 || now - lastLaunch < 2_000 || hosts >= system.names.maxHosts) continue;
      lastLaunch = now;
      joinHosts(system, 1, size);
      onLaunch(service, hosts + 1);
    }
  }, 100);
  return () => clearInterval(timer);
}
