import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostsJoin, hostsLeave } from "../../../local/scenario/phases";
import {
  controllerNames,
  type ScenarioContext,
  startScenario,
} from "../../../local/scenario/run-context";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, collectingProgress } from "./helpers";

describe("hosts join and leave: the per-host service follows", () => {
  let system: LocalSystem;
  let context: ScenarioContext;
  const progress = collectingProgress();

  beforeAll(async () => {
    ({ system } = await bootTestSystem());
    context = startScenario(system, progress, { convergeDeadlineMs: 15_000 });
  });
  afterAll(async () => {
    context.recorder.stop();
    await system.stop();
  });

  it("3 → 6 → 2 hosts: per-host desired and running equal the ACTIVE hosts at every step", async () => {
    // Act
    await hostsJoin(context);
    await hostsLeave(context);

    // Assess
    const checks = context.checks.get(controllerNames.perHost) ?? [];
    expect(checks.map((c) => c.what)).toEqual([
      "3 hosts",
      "6 hosts",
      "2 ACTIVE hosts (4 draining)",
      "2 hosts",
    ]);
    expect(
      checks.filter((c) => !c.ok),
      progress.lines.join("\n"),
    ).toEqual([]);
    const last = context.recorder.latest;
    expect(last?.hosts).toEqual({ active: 2, draining: 0 });
    expect(last?.perHost).toMatchObject({ desired: 2, running: 2, pending: 0 });
    // The per-host service had one task per host at the peak, never more tasks than hosts.
    const timeline = context.recorder.timeline;
    expect(Math.max(...timeline.map((s) => s.perHost.desired))).toBe(6);
    expect(timeline.every((s) => s.perHost.running <= s.hosts.active + s.hosts.draining)).toBe(
      true,
    );
  });
});
