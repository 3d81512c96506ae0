import { UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityRecord } from "../../../local/autoscaling/activities";
import { belowDesired, hostConsolidatorId } from "../../../local/scenario/observe";
import { type ProbeSummary, startProbe } from "../../../local/scenario/probe";
import { Recorder } from "../../../local/scenario/recorder";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, demandRandomizerOff, hostGroup, writeDemand } from "./helpers";

/**
 * Expendable slots at the destination: web, backend and P1 spread over three hosts,
 * and the low-priority service (expendable) fills every slot left. No host is empty and
 * none has room for another's tasks, until P2 gives up slots. Once MinSize drops to 2,
 * the consolidator makes room (the expendable-room attribute), the priority scaler
 * lowers P2 to it, and only then does the host go: back to MinSize with no host
 * launched, no non-expendable service below its desired count, and every probe 2xx.
 */

/** Scenario seconds, as the template parameters take them. */
const consolidateAfter = 120;
const minHostAge = 240;
/** The scaler's reconcile schedule (rate(5 minutes)), a consolidator round, a drain. */
const reconcile = 300;
const schedulePeriod = 60;
const drain = 60;

describe("the host consolidator makes room in expendable slots", () => {
  let system: LocalSystem;
  let recorder: Recorder;
  let triggerErrors: string[];

  beforeAll(async () => {
    ({ system, triggerErrors } = await bootTestSystem({
      runTasks: "processes",
      // The agent (64) and 4 slots of 256 per host.
      hostSize: { cpu: 1088, memory: 1088 },
      parameters: {
        ...demandRandomizerOff,
        MinHosts: "3",
        MaxHosts: "6",
        ConsolidateAfterSeconds: String(consolidateAfter),
        MinHostAgeSeconds: String(minHostAge),
        DisruptionBudget: "1",
      },
    }));
    recorder = new Recorder(system, 100);
    recorder.start();
  });
  afterAll(async () => {
    recorder.stop();
    await system.stop();
  });

  const group = () => hostGroup(system);
  const balancer = () => system.wired.loadBalancers.get("LoadBalancer");
  const consolidatorHosts = () =>
    system.wired.lambda.invocations
      .filter((r) => r.logicalId === hostConsolidatorId)
      .flatMap((r) => {
        const result = r.result as
          | { clusters?: { hosts?: { ec2InstanceId: string; reason: string }[] }[] }
          | undefined;
        return (result?.clusters ?? []).flatMap((c) => c.hosts ?? []);
      });
  /** Services of the tasks on each ACTIVE host. */
  const placement = () => {
    const services = new Map<string, string[]>();
    for (const task of system.cloud.ecs.tasksOf(system.names.cluster)) {
      if (task.lastStatus === "STOPPED" || task.containerInstanceArn === undefined) continue;
      const list = services.get(task.containerInstanceArn) ?? [];
      list.push((task.group ?? "").replace("service:", ""));
      services.set(task.containerInstanceArn, list);
    }
    return system.cloud.ecs
      .containerInstancesOf(system.names.cluster)
      .filter((i) => i.status === "ACTIVE")
      .map((i) => services.get(i.containerInstanceArn ?? "") ?? []);
  };

  it("3 hosts, every slot held by non-expendable or expendable tasks → MinSize 2, no launch, 2xx throughout", async () => {
    // Prepare: 3 hosts, web 2 × 256 and backend 2 × 128 on two of them, P1 3 × 256 spread
    // over all three (the default spread), and P2 in every slot left: C = 8, P2 = 5.
    await writeDemand(system, 3);
    const { names } = system;
    const nonExpendable = new Set([
      names.services.web,
      names.services.backend,
      names.services.highPriority,
    ]);
    const steady = await recorder.until(
      (s) =>
        s.hosts.active === 3 &&
        s.web.running === s.web.desired &&
        s.web.desired > 0 &&
        s.web.deployments === 1 &&
        s.backend.running === s.backend.desired &&
        s.high.running === 3 &&
        s.low.desired >= 4 &&
        s.low.running === s.low.desired &&
        s.perHost.running === 3 &&
        (balancer()?.healthyCount ?? 0) === s.web.desired,
      30_000,
    );
    expect(steady.ok, JSON.stringify(steady.snapshot)).toBe(true);
    // The case this test is about: no host empty, so no host goes without room made.
    const hosts = placement();
    expect(
      hosts.every((services) => services.some((s) => nonExpendable.has(s))),
      JSON.stringify(hosts),
    ).toBe(true);
    const lowBefore = steady.snapshot.low.desired;

    // Act: the operator lowers the floor to 2.
    const loweredAt = system.cloud.clock.now();
    await system.clients.autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: names.hostGroup, MinSize: 2 }),
    );
    const probe = startProbe(names.loadBalancerUrl);
    let probed: ProbeSummary | undefined;
    try {
      const from = recorder.timeline.length;
      const back = await recorder.until(
        (s) =>
          s.hosts.active + s.hosts.draining === 2 &&
          group().instances.length === 2 &&
          s.low.running === s.low.desired &&
          s.low.running > 0,
        system.cloud.clock.realMs(
          minHostAge + 2 * (consolidateAfter + reconcile + schedulePeriod + drain),
        ),
      );
      const reasons = [...new Set(consolidatorHosts().map((h) => h.reason))];
      expect(
        back.ok,
        `not back to 2 hosts: ${JSON.stringify(back.snapshot)}; reasons ${reasons.join(", ")}`,
      ).toBe(true);
      probed = await probe.stop();

      // Assess: back to MinSize with no launch, nothing non-expendable short, 2xx.
      expect(group().desiredCapacity).toBe(2);
      const activities = system.cloud.autoscaling.describeActivities(names.hostGroup);
      const since = (a: ActivityRecord) => a.startTime.getTime() >= loweredAt;
      expect(activities.filter((a) => since(a) && a.description.startsWith("Launching"))).toEqual(
        [],
      );
      expect(
        activities.filter((a) => since(a) && a.description.startsWith("Terminating")),
      ).toHaveLength(1);
      const during = recorder.timeline.slice(from);
      expect(during.flatMap((s) => belowDesired(s).map((b) => `t=${s.t}: ${b}`))).toEqual([]);
      expect(during.filter((s) => s.capacity.desired > 3)).toEqual([]);
      expect(probed.sent).toBeGreaterThan(0);
      expect(probed.failures).toEqual([]);
      expect(triggerErrors).toEqual([]);
      // The room was made first (the host kept as making-room); P2 gave up slots and
      // still fills what is left.
      expect(reasons).toContain("making-room");
      expect(back.snapshot.low.desired).toBeLessThan(lowBefore);
    } finally {
      if (probed === undefined) await probe.stop();
    }
  }, 150_000);
});
