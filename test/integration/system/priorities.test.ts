import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinHosts } from "../../../local/scenario/hosts";
import { prioritiesConverged } from "../../../local/scenario/observe";
import { Recorder } from "../../../local/scenario/recorder";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, demandRandomizerOff, writeDemand } from "./helpers";

describe("a demand sequence: P1 follows demand, P2 takes the rest, never above capacity", () => {
  let system: LocalSystem;
  let recorder: Recorder;

  beforeAll(async () => {
    // ×60: the reconcile schedule (5 min) fires every 5 s, and a grow deferred behind a
    // shrink waits for it (see functions/priority-scaler/plan.ts).
    // MaxHosts 4: a fixed cluster, so managed scaling cannot add hosts for waiting tasks.
    ({ system } = await bootTestSystem({
      parameters: { ...demandRandomizerOff, MaxHosts: "4" },
      timeScale: 60,
    }));
    recorder = new Recorder(system, 100);
    recorder.start();
  });
  afterAll(async () => {
    recorder.stop();
    await system.stop();
  });

  it("meets every demand within capacity, in every sample on the way", async () => {
    // Prepare: 4 hosts of 3 worker slots; the first also holds web and backend.
    // Managed scaling may have launched a host for the waiting web tasks already (under load
    // the boot takes longer): the group is brought to 4 hosts, whatever it started from.
    const group = system.cloud.autoscaling.group(system.names.hostGroup);
    joinHosts(system, 4 - (group?.desiredCapacity ?? 0));
    // The hosts boot after a delay, longer under load: a demand written before all four
    // are ACTIVE and web and backend are placed converges on a smaller capacity than the
    // demands after it, so the test waits for the cluster it measures.
    const { cluster, services } = system.names;
    const steady = (service: string) => {
      const described = system.cloud.ecs.describeService(cluster, service);
      return (
        (described?.desiredCount ?? 0) > 0 &&
        described?.runningCount === described?.desiredCount &&
        described?.pendingCount === 0
      );
    };
    const settled = await recorder.until(
      (s) => s.hosts.active === 4 && steady(services.web) && steady(services.backend),
      20_000,
    );
    expect(settled.ok, JSON.stringify(settled.snapshot)).toBe(true);
    const demands = [4, 9, 0, 7, 2];
    const reached: { demand: number; capacity: number; high: number; low: number }[] = [];

    // Act: each value written as the randomizer would; the stream triggers the scaler.
    for (const demand of demands) {
      await writeDemand(system, demand);
      const { ok, snapshot } = await recorder.until(
        (s) => s.demand === demand && prioritiesConverged(s),
        12_000,
      );
      expect(ok, `demand ${demand}: ${JSON.stringify(snapshot)}`).toBe(true);
      reached.push({
        demand,
        capacity: snapshot.clusterCapacity,
        high: snapshot.high.running,
        low: snapshot.low.running,
      });
    }

    // Assess: P1 = min(demand, C), P2 = C − P1, and P1 + P2 never above capacity on the way.
    const capacity = reached[0]?.capacity ?? 0;
    // 4 hosts × 3 slots, less web (2 slots) and backend (1 or 2, as ECS placed the two).
    expect([8, 9]).toContain(capacity);
    expect(reached).toEqual(
      demands.map((demand) => ({
        demand,
        capacity,
        high: Math.min(demand, capacity),
        low: capacity - Math.min(demand, capacity),
      })),
    );
    expect(recorder.overCapacity).toEqual([]);
    const timeline = recorder.timeline.filter((s) => s.demand !== undefined);
    expect(timeline.every((s) => s.high.desired + s.low.desired <= capacity)).toBe(true);
    expect(timeline.every((s) => s.high.running + s.low.running <= capacity)).toBe(true);
  }, 60_000);
});
