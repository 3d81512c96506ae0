import type { LocalClock } from "../clock";
import type { EcsControlPlane } from "../ecs/control-plane";
import type { GroupInstance, HostLauncher } from "./records";

/** The ECS side of a group's hosts: what the agent and managed draining do. */
export interface EcsHosts {
  /** The instance's agent registers it (its EC2 instance id in the identity document). */
  register(instance: GroupInstance, size: { cpu: number; memory: number }): void;
  /** UpdateContainerInstancesState DRAINING: its service tasks are replaced elsewhere. */
  drain(ec2InstanceId: string): Promise<void>;
  /** Tasks on the container instance not yet STOPPED (0 when it is not registered). */
  tasksOn(ec2InstanceId: string): number;
  /** The instance is gone: its container instance is deregistered, what ran there stops. */
  deregister(ec2InstanceId: string): Promise<void>;
}

/** The hosts' ECS side on today's control plane, through its in-process API. */
export function controlPlaneHosts(ecs: EcsControlPlane, cluster: string): EcsHosts {
  const containerInstance = (ec2InstanceId: string) =>
    (
      ecs.containerInstancesOf(cluster) as {
        containerInstanceArn?: string;
        ec2InstanceId?: string;
        runningTasksCount?: number;
        pendingTasksCount?: number;
      }[]
    ).find((candidate) => candidate.ec2InstanceId === ec2InstanceId);
  return {
    register(instance, size) {
      ecs.registerHost({
        cluster,
        cpu: size.cpu,
        memory: size.memory,
        instanceType: instance.instanceType,
        availabilityZone: instance.availabilityZone,
        ec2InstanceId: instance.instanceId,
      });
    },
    async drain(ec2InstanceId) {
      const arn = containerInstance(ec2InstanceId)?.containerInstanceArn;
      if (arn === undefined) return;
      await ecs.handle("UpdateContainerInstancesState", {
        cluster,
        containerInstances: [arn],
        status: "DRAINING",
      });
    },
    tasksOn(ec2InstanceId) {
      const found = containerInstance(ec2InstanceId);
      return (found?.runningTasksCount ?? 0) + (found?.pendingTasksCount ?? 0);
    },
    async deregister(ec2InstanceId) {
      const arn = containerInstance(ec2InstanceId)?.containerInstanceArn;
      if (arn === undefined) return;
      await ecs.handle("DeregisterContainerInstance", {
        cluster,
        containerInstance: arn,
        force: true,
      });
    },
  };
}

export interface EcsHostLauncherOptions {
  hosts: EcsHosts;
  /** What each host registers (CPU units, MiB), as its instance type gives the agent. */
  size: { cpu: number; memory: number };
  clock: LocalClock;
  /** Managed draining gives up waiting for the tasks to leave after this long. */
  drainTimeoutMs: number;
  /** How often a draining host is looked at. */
  pollMs?: number;
}

/**
 * Launches a group's instances as ECS container instances. With a termination hook
 * it drains as ECS managed draining does: the host goes DRAINING, the service
 * scheduler replaces its tasks elsewhere, and only when none is left (or the drain
 * timed out) is it deregistered and the instance terminated.
 */
export class EcsHostLauncher implements HostLauncher {
  constructor(private readonly options: EcsHostLauncherOptions) {}

  async launch(instance: GroupInstance): Promise<void> {
    this.options.hosts.register(instance, this.options.size);
  }

  async terminate(instance: GroupInstance, { drain }: { drain: boolean }): Promise<void> {
    const { hosts, clock, drainTimeoutMs, pollMs = 100 } = this.options;
    if (drain) {
      await hosts.drain(instance.instanceId);
      const deadline = clock.now() + drainTimeoutMs;
      while (hosts.tasksOn(instance.instanceId) > 0 && clock.now() < deadline) {
        await new Promise<void>((resolve) => clock.setTimer(resolve, pollMs));
      }
    }
    await hosts.deregister(instance.instanceId);
  }
}
