import {
  SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import type { LocalSystem } from "./system";

/**
 * Hosts are the instances of the template's Auto Scaling group, as on AWS: the scenario
 * chooses how many by raising the group's desired capacity (they boot and register
 * with their EC2 instance ids), managed scaling adds the ones waiting tasks need, and
 * hosts leave when the group shrinks — managed draining sets each DRAINING, its tasks
 * move, then it is deregistered and terminated.
 */

/** The size of every simulated host (CPU units and MiB). */
export interface HostSize {
  cpu: number;
  memory: number;
}

function hostGroup(system: LocalSystem) {
  const group = system.cloud.autoscaling.group(system.names.hostGroup);
  if (group === undefined) throw new Error(`no Auto Scaling group ${system.names.hostGroup}`);
  return group;
}

/**
 * `count` more hosts: the group's desired capacity goes up by as many, never past
 * MaxSize. Managed scaling may already have raised it for tasks waiting on a busy
 * machine; asking past MaxSize would be refused with a ValidationError, as on AWS.
 */
export function joinHosts(system: LocalSystem, count: number): void {
  const group = hostGroup(system);
  const desired = Math.min(group.maxSize, group.desiredCapacity + count);
  system.cloud.autoscaling.setDesiredCapacity(group.name, desired);
}

/**
 * The group's MaxSize, as an operator sets it with UpdateAutoScalingGroup: below the
 * group's size it scales in (never a protected host), and it keeps managed scaling from
 * launching hosts again for the tasks that wait until the controllers have shrunk the
 * services. `minSize`, when given, is set in the same call (MaxSize below MinSize is a
 * ValidationError).
 */
export async function limitHosts(
  system: LocalSystem,
  maxSize: number,
  minSize?: number,
): Promise<void> {
  await system.clients.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: system.names.hostGroup,
      MaxSize: maxSize,
      ...(minSize === undefined ? {} : { MinSize: minSize }),
    }),
  );
}

/**
 * The group's MinSize: the floor the host consolidator never terminates below (and the
 * group never scales in below). Never above the desired capacity here: a MinSize above
 * it would launch hosts.
 */
export async function floorHosts(system: LocalSystem, minSize: number): Promise<void> {
  await system.clients.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: system.names.hostGroup,
      MinSize: Math.min(minSize, hostGroup(system).desiredCapacity),
    }),
  );
}

/** Whether an instance is still the group's (not Terminated yet). */
export function inGroup(system: LocalSystem, ec2InstanceId: string): boolean {
  return hostGroup(system).instances.some((instance) => instance.instanceId === ec2InstanceId);
}

/** SetInstanceProtection: a protected host is never the one a scale-in takes. */
export async function protectHosts(
  system: LocalSystem,
  ec2InstanceIds: readonly string[],
  protect: boolean,
): Promise<void> {
  if (ec2InstanceIds.length === 0) return;
  await system.clients.autoscaling.send(
    new SetInstanceProtectionCommand({
      AutoScalingGroupName: system.names.hostGroup,
      InstanceIds: [...ec2InstanceIds],
      ProtectedFromScaleIn: protect,
    }),
  );
}

/** The group's MinSize now. */
export function hostFloor(system: LocalSystem): number {
  return hostGroup(system).minSize;
}

/** Tasks still on a host (any service, not yet STOPPED). */
export function tasksOnHost(system: LocalSystem, arn: string): number {
  const instance = system.cloud.ecs
    .containerInstancesOf(system.names.cluster)
    .find((candidate) => candidate.containerInstanceArn === arn);
  return (instance?.runningTasksCount ?? 0) + (instance?.pendingTasksCount ?? 0);
}

/** ACTIVE hosts, oldest first, with their EC2 instance ids. */
export function activeHosts(system: LocalSystem): { arn: string; ec2InstanceId: string }[] {
  return system.cloud.ecs
    .containerInstancesOf(system.names.cluster)
    .filter((instance) => instance.status === "ACTIVE")
    .map((instance) => ({
      arn: instance.containerInstanceArn ?? "",
      ec2InstanceId: instance.ec2InstanceId ?? "",
    }));
}
