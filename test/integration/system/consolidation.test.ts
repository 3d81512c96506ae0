import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityRecord } from "../../../local/autoscaling/activities";
import { type ProbeSummary, startProbe } from "../../../local/scenario/probe";
import { Recorder } from "../../../local/scenario/recorder";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, demandRandomizerOff, hostGroup, writeDemand } from "./helpers";

/**
 * Hosts scale in: three hosts added with SetDesiredCapacity hold only per-host and
 * expendable (low-priority) tasks, so the host consolidator terminates them through the
 * group — one at a time (DISRUPTION_BUDGET 1), managed draining moving their tasks —
 * while the web service keeps its desired count and its load balancer answers 2xx.
 */

/** Scenario seconds, as the template parameters take them. */
const consolidateAfter = 120;
// Longer than the new hosts' tasks take to start, so the probe sees every drain.
const minHostAge = 240;
const minHosts = 2;
/** A round of the schedule, and a drain: the tasks' stop timeouts, well rounded up. */
const schedulePeriod = 60;
const drain = 60;

describe("the host consolidator brings added hosts back down", () => {
  let system: LocalSystem;
  let recorder: Recorder;
  let triggerErrors: string[];

  beforeAll(async () => {
    // Real processes: the load balancer answers only from tasks that pass its health check.
    ({ system, triggerErrors } = await bootTestSystem({
      runTasks: "processes",
      parameters: {
        ...demandRandomizerOff,
        MinHosts: String(minHosts),
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
  /** The consolidator's latest decision on every host, for a failure message. */
  const lastRound = () => {
    const record = system.wired.lambda.invocations
      .filter((r) => r.logicalId === "HostConsolidatorFunction")
      .at(-1);
    const result = record?.result as
      | { clusters?: { hold?: string[]; hosts?: { reason: string; detail?: string }[] }[] }
      | undefined;
    return JSON.stringify({
      outcome: record?.outcome,
      error: record?.error,
      clusters: result?.clusters?.map((c) => ({ hold: c.hold, hosts: c.hosts })),
    });
  };

  it("3 extra hosts → MinSize within three rounds, web at its desired count and 2xx throughout", async () => {
    // Prepare: the group's MinSize of hosts with web, backend and P1 on them, steady.
    await writeDemand(system, 2);
    const steady = await recorder.until(
      (s) =>
        s.hosts.active === minHosts &&
        s.web.running === s.web.desired &&
        s.web.desired > 0 &&
        s.web.deployments === 1 &&
        s.high.running === 2 &&
        s.perHost.running === minHosts &&
        s.capacity.desired === minHosts &&
        (balancer()?.healthyCount ?? 0) === s.web.desired,
      30_000,
    );
    expect(steady.ok, JSON.stringify(steady.snapshot)).toBe(true);

    // Act: three more hosts, as an operator (or a burst) would add them; the per-host
    // and low-priority tasks start on them (the probe starts once they have: a dozen
    // processes starting at once on a small machine are not what this test is about).
    await system.clients.autoscaling.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: system.names.hostGroup,
        DesiredCapacity: minHosts + 3,
      }),
    );
    const joined = await recorder.until(
      (s) =>
        s.hosts.active === minHosts + 3 &&
        s.perHost.running === minHosts + 3 &&
        s.low.running === s.low.desired &&
        s.low.running > 0,
      30_000,
    );
    expect(joined.ok, JSON.stringify(joined.snapshot)).toBe(true);
    const joinedAt = system.cloud.clock.now();
    const probe = startProbe(system.names.loadBalancerUrl);
    let probed: ProbeSummary | undefined;
    try {
      const rounds = 3 * (consolidateAfter + drain + schedulePeriod);
      const back = await recorder.until(
        (s) =>
          s.hosts.active + s.hosts.draining === minHosts && group().instances.length === minHosts,
        system.cloud.clock.realMs(Math.max(minHostAge, 0) + rounds),
      );
      expect(
        back.ok,
        `not back to ${minHosts} hosts: ${JSON.stringify(back.snapshot)}\n${lastRound()}`,
      ).toBe(true);
      probed = await probe.stop();

      // Assess: down to MinSize, never below it, and no replacement launched.
      expect(group().desiredCapacity).toBe(minHosts);
      const during = recorder.timeline.filter((s) => s.t >= joined.snapshot.t);
      expect(during.filter((s) => s.capacity.desired < minHosts)).toEqual([]);
      const activities = system.cloud.autoscaling.describeActivities(system.names.hostGroup);
      const since = (a: ActivityRecord) => a.startTime.getTime() >= joinedAt;
      expect(activities.filter((a) => since(a) && a.description.startsWith("Launching"))).toEqual(
        [],
      );
      // One host draining at a time (the budget): no two terminations overlap.
      const terminations = activities
        .filter((a) => since(a) && a.description.startsWith("Terminating"))
        .sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      expect(terminations).toHaveLength(3);
      for (const [i, later] of terminations.entries()) {
        const earlier = terminations[i - 1];
        if (earlier === undefined) continue;
        expect(
          later.startTime.getTime(),
          `${later.description} began before ${earlier.description} ended`,
        ).toBeGreaterThanOrEqual(earlier.endTime?.getTime() ?? Number.POSITIVE_INFINITY);
      }
      expect(terminations.every((a) => a.cause.includes("user request"))).toBe(true);
      // The web service never below its desired count, and answering 2xx throughout.
      expect(during.filter((s) => s.web.running < s.web.desired)).toEqual([]);
      expect(probed.sent).toBeGreaterThan(0);
      expect(probed.failures).toEqual([]);
      // The per-host service follows the hosts down; P1 kept its tasks.
      const followed = await recorder.until(
        (s) => s.perHost.desired === minHosts && s.perHost.running === minHosts,
        10_000,
      );
      expect(followed.ok, JSON.stringify(followed.snapshot.perHost)).toBe(true);
      expect(followed.snapshot.high.running).toBe(2);
      expect(triggerErrors).toEqual([]);
    } finally {
      if (probed === undefined) await probe.stop();
    }
  }, 120_000);
});
