import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeployInput,
  deployAndBenchmark,
  readDeployInput,
  recordedRuns,
} from "../../../local/scenario/deploy";
import { joinHosts } from "../../../local/scenario/hosts";
import { defaultScenarioOptions } from "../../../local/scenario/options";
import { silentProgress } from "../../../local/scenario/progress";
import { Recorder } from "../../../local/scenario/recorder";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, demandRandomizerOff } from "./helpers";

/**
 * The state machine against web and backend as real processes, with real HTTP through
 * the local load balancer. The randomizer is off so the workers leave room for the
 * rollout's surge.
 */
describe("deploy-and-benchmark on the local cloud", () => {
  let system: LocalSystem;
  let recorder: Recorder;
  let sample: DeployInput;
  const shortRun = { durationSeconds: 2, warmupSeconds: 1, connections: 4, path: "/" };

  beforeAll(async () => {
    ({ system } = await bootTestSystem({ runTasks: "processes", parameters: demandRandomizerOff }));
    recorder = new Recorder(system, 100);
    recorder.start();
    joinHosts(system, 3, defaultScenarioOptions.hostSize);
    sample = readDeployInput(system);
    const balancer = system.wired.loadBalancers.get("LoadBalancer");
    const steady = await recorder.until(
      (s) =>
        s.web.desired > 0 &&
        s.web.running === s.web.desired &&
        (balancer?.healthyCount ?? 0) === s.web.desired,
      20_000,
    );
    expect(steady.ok).toBe(true);
  });
  afterAll(async () => {
    recorder.stop();
    await system.stop();
  });

  it("rolls web to a new image, load-tests it through the load balancer and records the run", async () => {
    // Prepare
    const before = (await recorder.next()).web.taskDefinition;

    // Act
    const outcome = await deployAndBenchmark(
      system,
      { ...sample, benchmark: shortRun },
      silentProgress,
    );

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe("SUCCEEDED");
    expect(outcome.output?.previousTaskDefinition).toBe(before);
    expect(outcome.output?.taskDefinition).not.toBe(before);
    const result = outcome.output?.result;
    expect(result?.requests.ok).toBeGreaterThan(0);
    expect(result?.requests.ok).toBe(result?.requests.total);
    expect(result?.latencyMs.p50).toBeGreaterThan(0);
    const web = (await recorder.next()).web;
    expect(web).toMatchObject({ taskDefinition: outcome.output?.taskDefinition, running: 2 });
    const recorded = (await recordedRuns(system, sample.service)).find(
      (run) => run.executionArn === outcome.executionArn,
    );
    expect(recorded).toMatchObject({
      status: "SUCCEEDED",
      taskDefinition: outcome.output?.taskDefinition,
    });
  }, 40_000);

  it("a rollout whose tasks cannot start is rolled back, recorded as FAILED, and the execution fails with a cause", async () => {
    // Prepare: an image no containers/ folder runs — every task fails to start.
    const before = (await recorder.next()).web.taskDefinition;
    const broken = {
      ...sample,
      image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/microscale-missing:v1",
      benchmark: shortRun,
    };

    // Act
    const outcome = await deployAndBenchmark(system, broken, silentProgress);

    // Assess
    expect(outcome.status).toBe("FAILED");
    expect(["DeploymentFailed", "DeploymentReplaced"]).toContain(outcome.error);
    expect(outcome.cause).toMatch(new RegExp(`Rollback of ${sample.service} to .*: ROLLED_BACK`));
    expect(outcome.statesEntered).toEqual(expect.arrayContaining(["RollBack", "RecordFailure"]));
    expect(outcome.statesEntered).not.toContain("RunBenchmark");
    const back = await recorder.until(
      (s) =>
        s.web.taskDefinition === before &&
        s.web.running === s.web.desired &&
        s.web.deployments === 1,
      20_000,
    );
    expect(back.ok, JSON.stringify(back.snapshot.web)).toBe(true);
    const recorded = (await recordedRuns(system, sample.service)).find(
      (run) => run.executionArn === outcome.executionArn,
    );
    expect(recorded).toMatchObject({
      status: "FAILED",
      rollback: "ROLLED_BACK",
      previousTaskDefinition: before,
    });
    expect(recorded?.error).toBe(outcome.error);
  }, 50_000);
});
