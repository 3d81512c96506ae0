import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demandDown, demandUp } from "../../../local/scenario/right-sizing";
import { controllerNames, type ScenarioContext } from "../../../local/scenario/run-context";
import type { LocalSystem } from "../../../local/scenario/system";
import type { collectingProgress } from "./helpers";
import { twoHosts } from "./right-sizing-setup";

describe("when the consolidator never acts, the scenario says so", () => {
  let system: LocalSystem;
  let context: ScenarioContext;
  let progress: ReturnType<typeof collectingProgress>;

  beforeAll(async () => {
    // A candidate must wait a day: no host goes within the scenario.
    ({ system, context, progress } = await twoHosts({ ConsolidateAfterSeconds: "86400" }));
  }, 60_000);
  afterAll(async () => {
    context.recorder.stop();
    await system.stop();
  });

  it("records 'hosts never came back down' as a failed check of the host consolidator", async () => {
    // Prepare: a short deadline; the hosts stay whatever it is.
    context.options.rightSizing = { highDemand: 9, lowDemand: 1, consolidateDeadlineMs: 6_000 };

    // Act
    await demandUp(context);
    await demandDown(context);

    // Assess
    const checks = context.checks.get(controllerNames.consolidator) ?? [];
    const cameDown = checks.find((c) => c.what === "hosts came back down after demand down");
    expect(cameDown?.ok, progress.lines.join("\n")).toBe(false);
    expect(cameDown?.detail).toMatch(/^hosts never came back down: \d+ ACTIVE/);
    expect(context.recorder.consolidations).toEqual([]);
  }, 90_000);
});
