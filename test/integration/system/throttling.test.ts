import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioOutcome } from "../../../local/scenario/outcome";
import { runScenario } from "../../../local/scenario/scenario";
import type { LocalSystem } from "../../../local/scenario/system";
import { localClients } from "../../support/local-clients";
import { bootTestSystem, collectingProgress } from "./helpers";

describe("with 30% of ECS requests throttled", () => {
  let system: LocalSystem;
  let triggerErrors: string[];
  const progress = collectingProgress();

  beforeAll(async () => {
    // ×60: the reconcile schedules (5 min) fire every 5 s, the safety net for a lost event.
    ({ system, triggerErrors } = await bootTestSystem({ timeScale: 60 }));
    system.cloud.faults.set("ecs:*", { throttleRate: 0.3 });
  });
  afterAll(async () => {
    system.cloud.faults.clear();
    await system.stop();
  });

  it("every controller still converges: hosts 3 → 6 → 2, demand walking, P1 + P2 within capacity", async () => {
    // Act: the npm start scenario without the deploy, every ECS call through the faults.
    const outcome: ScenarioOutcome = await runScenario(system, progress, {
      walk: { steps: 3, deadlineSeconds: 8 },
      // Simulated tasks never turn healthy behind the load balancer, so web's rollout never
      // completes and the host consolidator holds: right-sizing.test.ts runs processes.
      rightSizing: undefined,
      convergeDeadlineMs: 20_000,
    });

    // Assess
    expect(outcome.failures, progress.lines.join("\n")).toEqual([]);
    expect(outcome.controllers.map((c) => [c.name.split(" (")[0], c.converged])).toEqual([
      ["per-host sync", true],
      ["demand randomizer", true],
      ["priority scaler", true],
    ]);
    expect(outcome.overCapacitySamples).toBe(0);
    // The throttling was real: a client without retries meets it (the functions' SDK
    // retries, AWS_MAX_ATTEMPTS=5 from the template, absorb it; a reconcile covers the rest).
    const bare = localClients(system.cloud.endpoint, { maxAttempts: 1 });
    const answers = await Promise.allSettled(
      Array.from({ length: 40 }, () => bare.ecs.send(new ListClustersCommand({}))),
    );
    bare.destroy();
    const throttled = answers.filter(
      (answer) => answer.status === "rejected" && answer.reason?.name === "ThrottlingException",
    );
    expect(throttled.length).toBeGreaterThan(2);
    console.info(
      `under 30% ECS throttling: function errors ${JSON.stringify(outcome.invocationErrors)}, trigger errors ${triggerErrors.length}`,
    );
  }, 60_000);
});
