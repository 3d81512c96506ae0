import { randomBytes } from "node:crypto";
import type { LocalClock } from "../clock";
import { type ActivityRecord, finishActivity, newActivity } from "./activities";
import { type GroupRecord, type InstanceRecord, inCapacity } from "./records";

export interface LifecycleOptions {
  clock: LocalClock;
  /** From launch to the instance's agent registering (Pending → InService). */
  bootDelayMs: number;
  /** Every new activity, to keep for DescribeScalingActivities. */
  record(activity: ActivityRecord): void;
  onError(error: unknown): void;
}

function instanceId(): string {
  return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

/**
 * An instance's way through the group as AWS reports it: Pending → InService once it
 * has booted (after the boot delay, when the host launcher has registered it), and
 * Terminating → (Terminating:Wait while a termination lifecycle hook drains it) →
 * Terminated. Each launch and termination is a scaling activity.
 */
export class InstanceLifecycle {
  private readonly bootTimers = new Map<InstanceRecord, unknown>();
  private readonly booting = new Map<InstanceRecord, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: LifecycleOptions) {}

  launch(group: GroupRecord, cause: string): InstanceRecord {
    const { clock } = this.options;
    const instance: InstanceRecord = {
      instanceId: instanceId(),
      groupName: group.name,
      availabilityZone: leastUsedZone(group),
      instanceType: group.instanceType,
      lifecycleState: "Pending",
      healthStatus: "Healthy",
      protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
      launchTemplate: { ...group.launchTemplate },
      launchedAt: clock.now(),
      booted: false,
    };
    group.instances.push(instance);
    const activity = this.begin(
      group,
      `Launching a new EC2 instance: ${instance.instanceId}`,
      cause,
      instance,
    );
    const timer = clock.setTimer(() => {
      this.bootTimers.delete(instance);
      const booting = this.boot(group, instance, activity);
      this.booting.set(instance, booting);
      this.track(booting.finally(() => this.booting.delete(instance)));
    }, this.options.bootDelayMs);
    this.bootTimers.set(instance, timer);
    return instance;
  }

  /** Takes an instance out of service; the activity ends when it is Terminated. */
  terminate(
    group: GroupRecord,
    instance: InstanceRecord,
    description: string,
    cause: string,
  ): ActivityRecord {
    const timer = this.bootTimers.get(instance);
    if (timer !== undefined) {
      this.options.clock.clearTimer(timer);
      this.bootTimers.delete(instance);
    }
    instance.lifecycleState = "Terminating";
    const activity = this.begin(group, description, cause, instance);
    this.track(this.leave(group, instance, activity));
    return activity;
  }

  /** Resolves once no boot or termination is under way (timers not yet due excepted). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    for (const timer of this.bootTimers.values()) this.options.clock.clearTimer(timer);
    this.bootTimers.clear();
  }

  private begin(
    group: GroupRecord,
    description: string,
    cause: string,
    instance: InstanceRecord,
  ): ActivityRecord {
    const activity = newActivity(
      group,
      description,
      cause,
      this.options.clock.now(),
      instance.availabilityZone,
    );
    group.activitiesInProgress++;
    this.options.record(activity);
    return activity;
  }

  private end(group: GroupRecord, activity: ActivityRecord, failure?: string): void {
    const now = this.options.clock.now();
    finishActivity(
      activity,
      now,
      failure === undefined
        ? { statusCode: "Successful" }
        : { statusCode: "Failed", statusMessage: failure },
    );
    group.activitiesInProgress--;
    group.lastActivityEnd = now;
  }

  private async boot(
    group: GroupRecord,
    instance: InstanceRecord,
    activity: ActivityRecord,
  ): Promise<void> {
    try {
      await group.launcher.launch(instance);
    } catch (error) {
      this.options.onError(error);
      this.end(group, activity, error instanceof Error ? error.message : String(error));
      // Scaled in while it booted: the termination under way ends it.
      if (instance.lifecycleState !== "Pending") return;
      // AWS retries a failed launch later; here the group's next capacity change does.
      instance.lifecycleState = "Terminated";
      remove(group, instance);
      return;
    }
    instance.booted = true;
    // Scaled in while it booted: the termination under way takes it from here.
    if (instance.lifecycleState === "Pending") instance.lifecycleState = "InService";
    this.end(group, activity);
  }

  private async leave(
    group: GroupRecord,
    instance: InstanceRecord,
    activity: ActivityRecord,
  ): Promise<void> {
    const drain = group.terminationLifecycleHook !== undefined;
    if (drain) {
      instance.lifecycleState = "Terminating:Wait";
      activity.statusCode = "MidLifecycleAction";
      activity.progress = 50;
    }
    // An agent still registering has to be told to leave once it has.
    await this.booting.get(instance);
    if (instance.booted) {
      try {
        await group.launcher.terminate(instance, { drain });
      } catch (error) {
        // A hook that fails or times out lets the termination continue, as ECS's does.
        this.options.onError(error);
      }
    }
    instance.lifecycleState = "Terminated";
    remove(group, instance);
    this.end(group, activity);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.options.onError(error));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

/** New instances go to the zone with the fewest, so the group stays balanced. */
function leastUsedZone(group: GroupRecord): string {
  const counts = new Map(group.availabilityZones.map((zone) => [zone, 0]));
  for (const instance of group.instances) {
    if (inCapacity(instance) && counts.has(instance.availabilityZone)) {
      counts.set(instance.availabilityZone, (counts.get(instance.availabilityZone) ?? 0) + 1);
    }
  }
  let best = group.availabilityZones[0] ?? "";
  for (const [zone, count] of counts) if (count < (counts.get(best) ?? 0)) best = zone;
  return best;
}

function remove(group: GroupRecord, instance: InstanceRecord): void {
  const index = group.instances.indexOf(instance);
  if (index >= 0) group.instances.splice(index, 1);
}
