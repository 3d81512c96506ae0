import { describe, expect, it } from "vitest";
import { AutoScaling } from "../../../../local/autoscaling/model";
import type { GroupInstance, GroupSpec, HostLauncher } from "../../../../local/autoscaling/records";
import { LocalClock } from "../../../../local/clock";
import { ManualTimers } from "../../../support/manual-timers";

const bootDelayMs = 30_000;

/** Records what the group asks of its hosts; terminations wait until `release`d. */
class RecordingLauncher implements HostLauncher {
  readonly launched: string[] = [];
  readonly terminated: { instanceId: string; drain: boolean }[] = [];
  private readonly held = new Map<string, () => void>();
  holdTerminations = false;
  holdLaunches = false;

  launch(instance: GroupInstance): Promise<void> {
    this.launched.push(instance.instanceId);
    if (!this.holdLaunches) return Promise.resolve();
    return new Promise((resolve) => this.held.set(instance.instanceId, resolve));
  }

  terminate(instance: GroupInstance, { drain }: { drain: boolean }): Promise<void> {
    this.terminated.push({ instanceId: instance.instanceId, drain });
    if (!this.holdTerminations) return Promise.resolve();
    return new Promise((resolve) => this.held.set(instance.instanceId, resolve));
  }

  release(instanceId: string): void {
    this.held.get(instanceId)?.();
  }
}

function setUp(spec: Partial<GroupSpec> = {}) {
  const timers = new ManualTimers();
  const launcher = new RecordingLauncher();
  const model = new AutoScaling({
    region: "us-east-1",
    accountId: "000000000000",
    clock: new LocalClock({ timers }),
    bootDelayMs,
    onError: (error) => {
      throw error;
    },
  });
  model.createGroup({
    name: "hosts",
    minSize: 1,
    maxSize: 4,
    desiredCapacity: 2,
    launchTemplate: { launchTemplateId: "lt-0abc", launchTemplateName: "hosts", version: "1" },
    instanceType: "t3.small",
    availabilityZones: ["us-east-1a", "us-east-1b"],
    launcher,
    ...spec,
  });
  const group = () => {
    const found = model.group("hosts");
    if (found === undefined) throw new Error("group missing");
    return found;
  };
  const states = () => group().instances.map((instance) => instance.lifecycleState);
  const boot = async () => {
    timers.advance(bootDelayMs);
    await model.settled();
  };
  return { timers, launcher, model, group, states, boot };
}

describe("an Auto Scaling group's instances", () => {
  it("are Pending until the boot delay has passed, then InService once their host registered", async () => {
    // Prepare
    const { timers, launcher, model, group, states } = setUp();
    expect(states()).toEqual(["Pending", "Pending"]);
    // Act: just short of the boot delay, then past it
    timers.advance(bootDelayMs - 1);
    await model.settled();
    const before = states();
    timers.advance(1);
    await model.settled();
    // Assess
    expect(before).toEqual(["Pending", "Pending"]);
    expect(states()).toEqual(["InService", "InService"]);
    expect(launcher.launched).toEqual(group().instances.map((instance) => instance.instanceId));
    expect(group().instances.map((instance) => instance.availabilityZone)).toEqual([
      "us-east-1a",
      "us-east-1b",
    ]);
  });

  it("follow SetDesiredCapacity up and down within MinSize..MaxSize", async () => {
    const { model, group, states, boot, launcher } = setUp();
    await boot();
    model.setDesiredCapacity("hosts", 4);
    expect(states()).toEqual(["InService", "InService", "Pending", "Pending"]);
    await boot();
    model.setDesiredCapacity("hosts", 1);
    await model.settled();
    expect(states()).toEqual(["InService"]);
    expect(launcher.terminated).toHaveLength(3);
    expect(group().desiredCapacity).toBe(1);
    expect(() => model.setDesiredCapacity("hosts", 5)).toThrow(
      "New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup.",
    );
    expect(() => model.setDesiredCapacity("hosts", 0)).toThrow(
      "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.",
    );
    expect(() => model.setDesiredCapacity("nope", 1)).toThrow("AutoScalingGroup name not found");
  });

  it("scale in from the fuller zone, oldest first, and never an instance protected from scale in", async () => {
    const { model, group, boot } = setUp({ desiredCapacity: 3 });
    await boot();
    const [first, second, third] = group().instances.map((instance) => instance.instanceId);
    // Zones: a, b, a. The oldest in the fuller zone (a) is `first`: protect it.
    model.setInstanceProtection("hosts", [first ?? ""], true);
    model.setDesiredCapacity("hosts", 2);
    await model.settled();
    expect(group().instances.map((instance) => instance.instanceId)).toEqual([first, second]);
    expect(third).toBeDefined();
    // Every one left is protected: the group stays above desired until that changes.
    model.setInstanceProtection("hosts", [second ?? ""], true);
    model.setDesiredCapacity("hosts", 1);
    await model.settled();
    expect(group().instances).toHaveLength(2);
    model.setInstanceProtection("hosts", [second ?? ""], false);
    await model.settled();
    expect(group().instances.map((instance) => instance.instanceId)).toEqual([first]);
    expect(() => model.setInstanceProtection("hosts", ["i-0000"], true)).toThrow(
      "The instance i-0000 is not part of Auto Scaling group hosts.",
    );
  });

  it("wait in Terminating:Wait while a termination lifecycle hook drains them", async () => {
    const { model, group, states, boot, launcher } = setUp({
      terminationLifecycleHook: "ecs-managed-draining-termination-hook",
    });
    await boot();
    launcher.holdTerminations = true;
    const target = group().instances[0]?.instanceId ?? "";
    const activity = model.terminateInstance(target, true);
    await Promise.resolve();
    expect(states()).toEqual(["Terminating:Wait", "InService"]);
    expect(activity).toMatchObject({
      description: `Terminating EC2 instance: ${target}`,
      statusCode: "MidLifecycleAction",
    });
    expect(activity.cause).toMatch(
      new RegExp(
        `instance ${target} was taken out of service in response to a user request, shrinking the capacity from 2 to 1\\.$`,
      ),
    );
    launcher.release(target);
    await model.settled();
    expect(states()).toEqual(["InService"]);
    expect(launcher.terminated).toEqual([{ instanceId: target, drain: true }]);
    expect(activity.statusCode).toBe("Successful");
    expect(model.describeActivities("hosts")[0]).toBe(activity);
  });

  it("go without a wait when the group has no termination hook, and are replaced without a decrement", async () => {
    const { model, group, states, boot, launcher } = setUp();
    await boot();
    const target = group().instances[0]?.instanceId ?? "";
    model.terminateInstance(target, false);
    expect(states()).toEqual(["Terminating", "InService", "Pending"]);
    await boot();
    expect(states()).toEqual(["InService", "InService"]);
    expect(launcher.terminated).toEqual([{ instanceId: target, drain: false }]);
    expect(group().desiredCapacity).toBe(2);
  });

  it("refuse a termination that would take the group below MinSize", async () => {
    const { model, group, boot } = setUp({ desiredCapacity: 1 });
    await boot();
    const only = group().instances[0]?.instanceId ?? "";
    expect(() => model.terminateInstance(only, true)).toThrow(
      "Currently, desiredSize equals minSize (1).",
    );
    expect(() => model.terminateInstance("i-unknown", true)).toThrow(
      "No managed instance found for instance ID: i-unknown",
    );
  });

  it("that leave before their boot delay never reach their host launcher", async () => {
    const { model, group, boot, launcher } = setUp({ desiredCapacity: 1 });
    const pending = group().instances[0]?.instanceId ?? "";
    model.setDesiredCapacity("hosts", 2);
    model.terminateInstance(pending, true);
    await boot();
    expect(launcher.launched).not.toContain(pending);
    expect(launcher.terminated).toEqual([]);
    expect(group().instances).toHaveLength(1);
  });

  it("that leave while their host registers are told to go once it has", async () => {
    const { timers, model, group, launcher } = setUp({ desiredCapacity: 1, minSize: 0 });
    launcher.holdLaunches = true;
    const booting = group().instances[0]?.instanceId ?? "";
    timers.advance(bootDelayMs);
    expect(launcher.launched).toEqual([booting]);
    model.terminateInstance(booting, true);
    await Promise.resolve();
    expect(launcher.terminated).toEqual([]);
    launcher.release(booting);
    await model.settled();
    expect(launcher.terminated).toEqual([{ instanceId: booting, drain: false }]);
    expect(group().instances).toEqual([]);
  });
});

describe("UpdateAutoScalingGroup and HonorCooldown", () => {
  it("pulls desired capacity inside new bounds and rejects inverted ones", async () => {
    const { model, group, boot } = setUp({ desiredCapacity: 3 });
    await boot();
    model.updateGroup("hosts", { maxSize: 2 });
    expect(group()).toMatchObject({ maxSize: 2, desiredCapacity: 2 });
    model.updateGroup("hosts", { minSize: 2, maxSize: 3, desiredCapacity: 3 });
    expect(group()).toMatchObject({ minSize: 2, maxSize: 3, desiredCapacity: 3 });
    expect(() => model.updateGroup("hosts", { minSize: 4 })).toThrow(
      "Max bound, 3, must be greater than or equal to min bound, 4",
    );
    expect(() => model.updateGroup("hosts", { desiredCapacity: 1 })).toThrow(
      "Desired capacity:1 must be between the specified min size:2 and max size:3",
    );
  });

  it("blocks SetDesiredCapacity during an activity and the cooldown after it, only when asked", async () => {
    const { timers, model, group, boot } = setUp({ defaultCooldownSeconds: 300 });
    expect(() => model.setDesiredCapacity("hosts", 3, true)).toThrow(
      "Scaling activity is in progress",
    );
    await boot();
    timers.advance(299_000);
    expect(() => model.setDesiredCapacity("hosts", 3, true)).toThrow("cooldown");
    model.setDesiredCapacity("hosts", 3);
    expect(group().desiredCapacity).toBe(3);
    await boot();
    timers.advance(300_000);
    model.setDesiredCapacity("hosts", 2, true);
    expect(group().desiredCapacity).toBe(2);
  });
});
