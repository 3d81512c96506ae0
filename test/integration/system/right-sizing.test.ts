import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demandDown, demandUp } from "../../../local/scenario/right-sizing";
import { controllerNames, type ScenarioContext } from "../../../local/scenario/run-context";
import type { LocalSystem } from "../../../local/scenario/system";
import type { collectingProgress } from "./helpers";
import { twoHosts } from "./right-sizing-setup";

describe("right-sized both ways: demand up brings hosts, the consolidator takes them back", () => {
  let system: LocalSystem;
  let context: ScenarioContext;
  let progress: ReturnType<typeof collectingProgress>;

  beforeAll(async () => {
    ({ system, context, progress } = await twoHosts({}));
  }, 60_000);
  afterAll(async () => {
    context.recorder.stop();
    await system.stop();
  });

  it("hosts out for P1, then back down by consolidation steps, web, backend and P1 never short", async () => {
    // Act
    await demandUp(context);
    const peak = Math.max(...context.recorder.timeline.map((s) => s.hosts.active));
    await demandDown(context);

    // Assess
    const story = progress.lines.join("\n");
    expect(peak, story).toBeGreaterThan(2);
    const checks = [
      ...(context.checks.get(controllerNames.scaleOut) ?? []),
      ...(context.checks.get(controllerNames.consolidator) ?? []),
    ];
    expect(
      checks.map((c) => [c.what, c.ok]),
      story,
    ).toEqual([
      ["hosts out for P1", true],
      ["hosts came back down after demand down", true],
      ["no host launched after demand down", true],
      ["no non-expendable service below desired after demand down", true],
    ]);
    // Down to MinSize by consolidation steps: where web, backend and P1 fit only in P2's
    // slots, the consolidator made room first.
    const left = context.recorder.latest?.hosts;
    expect(left?.draining).toBe(0);
    expect(left?.active, story).toBe(2);
    expect(context.recorder.consolidations.length, story).toBeGreaterThanOrEqual(
      peak - (left?.active ?? peak),
    );
    expect(context.recorder.overCapacity).toEqual([]);
  }, 90_000);
});
