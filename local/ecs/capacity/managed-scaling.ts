import type { LocalClock } from "../../clock";
import type { CapacityProviderRecord, CapacityProviders } from "../model/capacity-providers";
import type { Clusters } from "../model/clusters";
import { subjectValues } from "../model/container-instances";
import { placementRequest } from "../model/placement-pass";
import type { ClusterRecord, ServiceRecord } from "../model/records";
import {
  capacityProviderReservation,
  type GroupHost,
  nextDesiredCapacity,
  type Reservation,
  type WaitingTask,
} from "./reservation";

/** What managed scaling needs of an EC2 Auto Scaling group. */
export interface ScalableGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instanceType: string;
  availabilityZones: readonly string[];
  instances: readonly {
    instanceId: string;
    lifecycleState: string;
    protectedFromScaleIn: boolean;
  }[];
}

/** EC2 Auto Scaling as managed scaling calls it (the local model, in-process). */
export interface ScalableGroups {
  group(name: string): ScalableGroup | undefined;
  setDesiredCapacity(name: string, desired: number): void;
  setInstanceProtection(name: string, instanceIds: readonly string[], protect: boolean): void;
}

/** CloudWatch as an AWS service publishes to it (the AWS/ namespaces users may not write). */
export type PublishMetric = (
  namespace: string,
  metricName: string,
  dimensions: { Name: string; Value: string }[],
  value: number,
  time: number,
) => void;

export interface ManagedScalingOptions {
  clusters: Clusters;
  capacityProviders: CapacityProviders;
  groups: ScalableGroups;
  publish: PublishMetric;
  clock: LocalClock;
  /** Simulated ms between passes (AWS publishes the metric every minute). */
  intervalMs: number;
  /** How long the reservation must stay below target before a scale-in (AWS: 15 minutes). */
  scaleInAfterMs: number;
}

/** The last pass's figures for one capacity provider, for reports. */
export interface ScalingFigures extends Reservation {
  cluster: string;
  capacityProvider: string;
  desiredCapacity: number;
}

// The agent's and Docker's ports on every new host, as the container instance registers them.
const reservedPorts = [22, 2375, 2376, 51678, 51679];

/**
 * ECS managed scaling for every capacity provider with it ENABLED: each pass computes
 * CapacityProviderReservation (reservation.ts), publishes it to CloudWatch
 * `AWS/ECS/ManagedScaling` with the ClusterName and CapacityProviderName dimensions, and
 * moves the group's desired capacity toward the target. With managed termination
 * protection ENABLED it also protects from scale in every instance that runs a task
 * and releases the empty ones — so only empty instances are ever scaled in.
 */
export class ManagedScaling {
  private timer: unknown;
  private readonly lowSince = new Map<string, number>();
  private readonly hostSizes = new Map<string, { cpu: number; memory: number }>();
  private readonly figures = new Map<string, ScalingFigures>();

  constructor(private readonly options: ManagedScalingOptions) {}

  /** What one more instance of the group registers with (CPU units, MiB). */
  hostSize(groupName: string, size: { cpu: number; memory: number }): void {
    this.hostSizes.set(groupName, size);
  }

  start(): void {
    const tick = () => {
      this.pass();
      this.timer = this.options.clock.setTimer(tick, this.options.intervalMs);
    };
    this.timer = this.options.clock.setTimer(tick, this.options.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** The figures of the last pass, per cluster and capacity provider. */
  latest(): ScalingFigures[] {
    return [...this.figures.values()];
  }

  pass(): void {
    for (const cluster of this.options.clusters.all()) {
      const { capacityProviders } = this.options.capacityProviders.ofCluster(cluster);
      for (const name of capacityProviders) {
        const provider = this.options.capacityProviders.find(name);
        if (provider?.managedScaling.status === "ENABLED") this.scale(cluster, provider);
      }
    }
  }

  private scale(cluster: ClusterRecord, provider: CapacityProviderRecord): void {
    const { groups, clock } = this.options;
    const groupName = groupNameOf(provider.autoScalingGroupArn);
    const group = groups.group(groupName);
    const size = this.hostSizes.get(groupName);
    if (group === undefined || size === undefined) return;
    const inService = new Set(
      group.instances.filter((i) => i.lifecycleState === "InService").map((i) => i.instanceId),
    );
    const pending = group.instances.filter((i) => i.lifecycleState === "Pending").length;
    const hosts: GroupHost[] = [];
    for (const instance of cluster.instances.values()) {
      if (instance.status !== "ACTIVE" || !inService.has(instance.ec2InstanceId)) continue;
      const tasksPerService = new Map<string, number>();
      for (const task of instance.tasks) {
        tasksPerService.set(task.group, (tasksPerService.get(task.group) ?? 0) + 1);
      }
      hosts.push({
        instanceId: instance.ec2InstanceId,
        remainingCpu: instance.cpu - instance.usedCpu,
        remainingMemory: instance.memory - instance.usedMemory,
        portsInUse: instance.usedPorts,
        subjectValues: subjectValues(instance),
        tasksPerService,
        // Every local task is a REPLICA task: any task makes the instance busy.
        busy: instance.tasks.size > 0,
      });
    }
    const waiting = this.waitingTasks(cluster, provider);
    const zone = group.availabilityZones[0] ?? "";
    const newHost = {
      ...size,
      reservedPorts,
      subjectValues: (subject: string) =>
        subject === "attribute:ecs.instance-type"
          ? group.instanceType
          : subject === "attribute:ecs.availability-zone"
            ? zone
            : subject === "attribute:ecs.os-type"
              ? "linux"
              : undefined,
    };
    const reservation = capacityProviderReservation({ hosts, pending, waiting, newHost });
    const now = clock.now();
    this.options.publish(
      "AWS/ECS/ManagedScaling",
      "CapacityProviderReservation",
      [
        { Name: "ClusterName", Value: cluster.name },
        { Name: "CapacityProviderName", Value: provider.name },
      ],
      reservation.reservation,
      now,
    );
    const desired = nextDesiredCapacity(reservation, provider.managedScaling, {
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredCapacity: group.desiredCapacity,
      pending,
    });
    const key = `${cluster.name}/${provider.name}`;
    if (desired > group.desiredCapacity) {
      groups.setDesiredCapacity(groupName, desired);
      this.lowSince.delete(key);
    } else if (desired < group.desiredCapacity) {
      const since = this.lowSince.get(key) ?? now;
      this.lowSince.set(key, since);
      if (now - since >= this.options.scaleInAfterMs) {
        groups.setDesiredCapacity(groupName, desired);
        this.lowSince.delete(key);
      }
    } else {
      this.lowSince.delete(key);
    }
    if (provider.managedTerminationProtection === "ENABLED") this.protect(group, hosts);
    this.figures.set(key, {
      ...reservation,
      cluster: cluster.name,
      capacityProvider: provider.name,
      desiredCapacity: groups.group(groupName)?.desiredCapacity ?? desired,
    });
  }

  /** Tasks of the provider's services that fit no instance, as each service's request. */
  private waitingTasks(cluster: ClusterRecord, provider: CapacityProviderRecord): WaitingTask[] {
    const waiting: WaitingTask[] = [];
    for (const service of cluster.services.values()) {
      if (service.status !== "ACTIVE" || service.provisioning === 0) continue;
      if (this.options.capacityProviders.providerOf(service)?.name !== provider.name) continue;
      const task = waitingTask(service);
      if (task === undefined) continue;
      for (let i = 0; i < service.provisioning; i++) waiting.push(task);
    }
    return waiting;
  }

  private protect(group: ScalableGroup, hosts: readonly GroupHost[]): void {
    const busy = new Map(hosts.map((host) => [host.instanceId, host.busy]));
    const change = (protect: boolean) =>
      group.instances
        .filter(
          (instance) =>
            busy.has(instance.instanceId) &&
            busy.get(instance.instanceId) === protect &&
            instance.protectedFromScaleIn !== protect,
        )
        .map((instance) => instance.instanceId);
    for (const protect of [true, false]) {
      const ids = change(protect);
      for (let start = 0; start < ids.length; start += 50) {
        this.options.groups.setInstanceProtection(
          group.name,
          ids.slice(start, start + 50),
          protect,
        );
      }
    }
  }
}

function waitingTask(service: ServiceRecord): WaitingTask | undefined {
  const definition = service.deployments[0]?.taskDefinition;
  if (definition === undefined) return undefined;
  return { service: `service:${service.name}`, ...placementRequest(service, definition) };
}

/** A capacity provider names its group by name or ARN (`…:autoScalingGroupName/<name>`). */
export function groupNameOf(nameOrArn: string): string {
  const marker = "autoScalingGroupName/";
  const at = nameOrArn.indexOf(marker);
  return at < 0 ? nameOrArn : nameOrArn.slice(at + marker.length);
}
