import { randomUUID } from "node:crypto";
import type { LocalClock } from "../clock";
import {
  type ActivityRecord,
  desiredCapacityCauses,
  launchCause,
  scaleInCause,
  userTerminationCause,
} from "./activities";
import { autoScalingErrors } from "./errors";
import { InstanceLifecycle } from "./lifecycle";
import { type GroupRecord, type GroupSpec, type InstanceRecord, inCapacity } from "./records";
import { selectForScaleIn } from "./termination-policy";

export interface AutoScalingOptions {
  region: string;
  accountId: string;
  clock: LocalClock;
  /** From launch to InService (the host's agent registering); on the clock. */
  bootDelayMs: number;
  onError?: (error: unknown) => void;
}

/** What UpdateAutoScalingGroup may change here. */
export interface GroupUpdate {
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  defaultCooldownSeconds?: number;
  newInstancesProtectedFromScaleIn?: boolean;
}

/**
 * EC2 Auto Scaling's groups and their rules: desired capacity within MinSize..MaxSize,
 * the group launching or terminating instances until it has as many as desired
 * (never terminating one protected from scale in), cooldowns, and a scaling activity
 * for every launch and termination. Knows nothing of the wire (see responses.ts).
 */
export class AutoScaling {
  private readonly groups = new Map<string, GroupRecord>();
  /** Oldest first. */
  private readonly activities: ActivityRecord[] = [];
  private readonly lifecycle: InstanceLifecycle;

  constructor(private readonly options: AutoScalingOptions) {
    this.lifecycle = new InstanceLifecycle({
      clock: options.clock,
      bootDelayMs: options.bootDelayMs,
      record: (activity) => this.activities.push(activity),
      onError: options.onError ?? ((error) => console.error("auto scaling:", error)),
    });
  }

  createGroup(spec: GroupSpec): GroupRecord {
    if (this.groups.has(spec.name)) {
      throw autoScalingErrors.validation(
        `AutoScalingGroup by this name already exists - A group with the name ${spec.name} already exists`,
      );
    }
    const desired = spec.desiredCapacity ?? spec.minSize;
    checkSizes(spec.minSize, spec.maxSize, desired);
    if (spec.availabilityZones.length === 0) {
      throw autoScalingErrors.validation(
        "At least one Availability Zone or VPC Subnet is required.",
      );
    }
    const { region, accountId } = this.options;
    const group: GroupRecord = {
      name: spec.name,
      arn: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${spec.name}`,
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desiredCapacity: desired,
      defaultCooldownSeconds: spec.defaultCooldownSeconds ?? 300,
      launchTemplate: { ...spec.launchTemplate },
      instanceType: spec.instanceType,
      availabilityZones: [...spec.availabilityZones],
      vpcZoneIdentifier: spec.vpcZoneIdentifier,
      newInstancesProtectedFromScaleIn: spec.newInstancesProtectedFromScaleIn ?? false,
      tags: (spec.tags ?? []).map((tag) => ({ ...tag })),
      terminationLifecycleHook: spec.terminationLifecycleHook,
      createdTime: new Date(this.options.clock.now()),
      instances: [],
      launcher: spec.launcher,
      lastActivityEnd: undefined,
      activitiesInProgress: 0,
    };
    this.groups.set(group.name, group);
    this.converge(group, desiredCapacityCauses.created(this.options.clock.now(), desired));
    return group;
  }

  group(name: string): GroupRecord | undefined {
    return this.groups.get(name);
  }

  /** Every group, in creation order. */
  allGroups(): GroupRecord[] {
    return [...this.groups.values()];
  }

  /** The group an instance (not yet Terminated) belongs to, with the instance. */
  findInstance(instanceId: string): { group: GroupRecord; instance: InstanceRecord } | undefined {
    for (const group of this.groups.values()) {
      const instance = group.instances.find((candidate) => candidate.instanceId === instanceId);
      if (instance !== undefined) return { group, instance };
    }
    return undefined;
  }

  setDesiredCapacity(name: string, desired: number, honorCooldown = false): void {
    const group = this.existing(name);
    if (desired > group.maxSize) {
      throw autoScalingErrors.validation(
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw autoScalingErrors.validation(
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    }
    if (honorCooldown) this.checkCooldown(group);
    const from = group.desiredCapacity;
    group.desiredCapacity = desired;
    this.converge(
      group,
      desiredCapacityCauses.setDesiredCapacity(this.options.clock.now(), from, desired),
    );
  }

  updateGroup(name: string, update: GroupUpdate): void {
    const group = this.existing(name);
    const minSize = update.minSize ?? group.minSize;
    const maxSize = update.maxSize ?? group.maxSize;
    // A new bound without a new desired capacity pulls the desired capacity inside it.
    const desired =
      update.desiredCapacity ?? Math.min(maxSize, Math.max(minSize, group.desiredCapacity));
    checkSizes(minSize, maxSize, desired);
    const from = group.desiredCapacity;
    group.minSize = minSize;
    group.maxSize = maxSize;
    group.desiredCapacity = desired;
    if (update.defaultCooldownSeconds !== undefined) {
      group.defaultCooldownSeconds = update.defaultCooldownSeconds;
    }
    if (update.newInstancesProtectedFromScaleIn !== undefined) {
      group.newInstancesProtectedFromScaleIn = update.newInstancesProtectedFromScaleIn;
    }
    this.converge(
      group,
      desiredCapacityCauses.update(
        this.options.clock.now(),
        { min: minSize, max: maxSize, desired },
        from,
      ),
    );
  }

  /**
   * TerminateInstanceInAutoScalingGroup: the instance goes (through the termination
   * lifecycle hook, if the group has one); without a decrement a replacement launches.
   */
  terminateInstance(instanceId: string, shouldDecrementDesiredCapacity: boolean): ActivityRecord {
    const found = this.findInstance(instanceId);
    if (found === undefined) {
      throw autoScalingErrors.validation(
        `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
      );
    }
    const { group, instance } = found;
    if (!inCapacity(instance)) {
      throw autoScalingErrors.scalingActivityInProgress(
        `Instance ${instanceId} is already being terminated (${instance.lifecycleState}).`,
      );
    }
    const now = this.options.clock.now();
    let capacity: { from: number; to: number } | undefined;
    if (shouldDecrementDesiredCapacity) {
      if (group.desiredCapacity <= group.minSize) {
        throw autoScalingErrors.validation(
          `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      }
      capacity = { from: group.desiredCapacity, to: group.desiredCapacity - 1 };
      group.desiredCapacity--;
    }
    const cause = userTerminationCause(now, instanceId, capacity);
    const activity = this.lifecycle.terminate(
      group,
      instance,
      `Terminating EC2 instance: ${instanceId}`,
      cause,
    );
    this.converge(group, cause);
    return activity;
  }

  setInstanceProtection(name: string, instanceIds: readonly string[], protect: boolean): void {
    const group = this.existing(name);
    if (instanceIds.length > 50) {
      throw autoScalingErrors.limitExceeded(
        "The number of instances in a SetInstanceProtection request must not exceed 50.",
      );
    }
    const instances = instanceIds.map((id) => {
      const instance = group.instances.find((candidate) => candidate.instanceId === id);
      if (instance === undefined) {
        throw autoScalingErrors.validation(
          `The instance ${id} is not part of Auto Scaling group ${name}.`,
        );
      }
      return instance;
    });
    for (const instance of instances) instance.protectedFromScaleIn = protect;
    // Protection removed from instances a scale-in could not take: it takes them now.
    if (!protect) this.converge(group, "");
  }

  /** Newest first, as DescribeScalingActivities lists them. */
  describeActivities(groupName?: string): ActivityRecord[] {
    return this.activities
      .filter((activity) => groupName === undefined || activity.groupName === groupName)
      .reverse();
  }

  /** Resolves once no boot or termination is under way (for tests on a manual clock). */
  settled(): Promise<void> {
    return this.lifecycle.settled();
  }

  stop(): void {
    this.lifecycle.stop();
  }

  private existing(name: string): GroupRecord {
    const group = this.groups.get(name);
    if (group === undefined) throw autoScalingErrors.groupNotFound();
    return group;
  }

  private checkCooldown(group: GroupRecord): void {
    if (group.activitiesInProgress > 0) {
      throw autoScalingErrors.scalingActivityInProgress(
        "Scaling activity is in progress and blocks this action",
      );
    }
    const now = this.options.clock.now();
    if (
      group.lastActivityEnd !== undefined &&
      now < group.lastActivityEnd + group.defaultCooldownSeconds * 1000
    ) {
      throw autoScalingErrors.scalingActivityInProgress(
        `The group is in its cooldown period (${group.defaultCooldownSeconds} s after the last scaling activity); HonorCooldown blocks this action`,
      );
    }
  }

  /** Launches or terminates until the instances in capacity match the desired capacity. */
  private converge(group: GroupRecord, reason: string): void {
    const active = group.instances.filter(inCapacity);
    const now = this.options.clock.now();
    const desired = group.desiredCapacity;
    if (active.length < desired) {
      for (let count = active.length; count < desired; count++) {
        this.lifecycle.launch(group, launchCause(reason, now, active.length, desired).trim());
      }
      return;
    }
    for (const instance of selectForScaleIn(active, active.length - desired)) {
      this.lifecycle.terminate(
        group,
        instance,
        `Terminating EC2 instance: ${instance.instanceId}`,
        scaleInCause(reason, now, active.length, desired, instance.instanceId).trim(),
      );
    }
  }
}

function checkSizes(minSize: number, maxSize: number, desired: number): void {
  if (minSize < 0 || maxSize < 0) {
    throw autoScalingErrors.validation("MinSize and MaxSize must be non-negative.");
  }
  if (maxSize < minSize) {
    throw autoScalingErrors.validation(
      `Max bound, ${maxSize}, must be greater than or equal to min bound, ${minSize}`,
    );
  }
  if (desired < minSize || desired > maxSize) {
    throw autoScalingErrors.validation(
      `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`,
    );
  }
}
