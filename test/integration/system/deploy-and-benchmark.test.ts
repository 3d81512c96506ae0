import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeployInput,
  deployAndBenchmark,
  readDeployInput,
  recordedRuns,
  registerRevisionWithEnvironment,
} from "../../../local/scenario/deploy";
import { joinHosts } from "../../../local/scenario/hosts";
import { startProbe } from "../../../local/scenario/probe";
import { silentProgress } from "../../../local/scenario/progress";
import { Recorder } from "../../../local/scenario/recorder";
import { decisiveSeconds } from "../../../local/scenario/rollouts";
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
  /**
   * requests/s of the last release that passed, on this machine as loaded now: a gate
   * judges requests, not seconds, so the runs below that must be decided by their error
   * rate are sized from it (a loaded machine answered 10 requests/s, where an idle one
   * answers hundreds).
   */
  let measuredRps: number | undefined;

  beforeAll(async () => {
    ({ system } = await bootTestSystem({ runTasks: "processes", parameters: demandRandomizerOff }));
    recorder = new Recorder(system, 100);
    recorder.start();
    joinHosts(system, 3);
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
    measuredRps = result?.requestsPerSecond;
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

  it("keeps web answering through a rollout: an outside probe every 50 ms sees only 2xx", async () => {
    // Prepare: probe the load balancer from the start of the rollout to its end
    const probe = startProbe(system.names.loadBalancerUrl, 50);

    // Act
    const outcome = await deployAndBenchmark(
      system,
      { ...sample, benchmark: shortRun },
      silentProgress,
    );
    const seen = await probe.stop();

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe("SUCCEEDED");
    measuredRps = outcome.output?.result.requestsPerSecond ?? measuredRps;
    expect(seen.sent).toBeGreaterThan(20);
    expect(seen.failures, JSON.stringify(seen.failures.slice(0, 5))).toEqual([]);
  }, 60_000);

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

  /** Waits until web runs `taskDefinition` alone, every task running. */
  const settledOn = (taskDefinition: string | undefined) =>
    recorder.until(
      (s) =>
        s.web.taskDefinition === taskDefinition &&
        s.web.running === s.web.desired &&
        s.web.deployments === 1,
      20_000,
    );

  it("refuses a release with about 2 % errors: FAILED with PerformanceGateFailed, rolled back, recorded", async () => {
    // Prepare: web without retries passes the backend's 2 % failures on as 502s. The
    // load lasts for 300 requests at the rate just measured (2 to 15 s): 20 requests, all
    // a loaded machine sent in 2 s, hold no failure at 2 % and passed the 1 % gate.
    const before = (await recorder.next()).web.taskDefinition;
    const flaky = await registerRevisionWithEnvironment(system, sample.service, {
      BACKEND_RETRIES: "0",
    });
    const durationSeconds = decisiveSeconds(measuredRps, {
      requests: 300,
      minSeconds: 2,
      maxSeconds: 15,
    });

    // Act
    const outcome = await deployAndBenchmark(
      system,
      {
        service: sample.service,
        desiredCount: sample.desiredCount,
        taskDefinition: flaky,
        benchmark: { ...shortRun, durationSeconds },
      },
      silentProgress,
    );

    // Assess
    expect(outcome.status, JSON.stringify(outcome.output?.result)).toBe("FAILED");
    expect(outcome.error).toBe("PerformanceGateFailed");
    expect(outcome.cause).toMatch(
      /^Performance gate failed: maxErrorRate 0\.01 exceeded: error rate 0\.0\d+/,
    );
    expect(outcome.cause).toMatch(new RegExp(`Rollback of ${sample.service} to .*: ROLLED_BACK`));
    const back = await settledOn(before);
    expect(back.ok, JSON.stringify(back.snapshot.web)).toBe(true);
    const recorded = (await recordedRuns(system, sample.service)).find(
      (run) => run.executionArn === outcome.executionArn,
    );
    expect(recorded).toMatchObject({
      status: "FAILED",
      verdict: "FAILED",
      error: "PerformanceGateFailed",
      taskDefinition: flaky,
      previousTaskDefinition: before,
      rollback: "ROLLED_BACK",
    });
    expect(Number(recorded?.errorRate)).toBeGreaterThan(0.01);
    expect(JSON.parse(recorded?.gate ?? "{}").checks[0]).toMatchObject({
      threshold: "maxErrorRate",
      limit: 0.01,
      passed: false,
    });
  }, 60_000);

  it("refuses a release whose throughput fell more than maxThroughputDrop below the last SUCCEEDED run", async () => {
    // Prepare: a previous good run recorded a million requests/s
    const before = (await recorder.next()).web.taskDefinition;
    await system.clients.dynamodb.send(
      new PutItemCommand({
        TableName: system.names.benchmarkResultsTable,
        Item: {
          service: { S: sample.service },
          startedAt: { S: new Date().toISOString() },
          serviceStatus: { S: `${sample.service}#SUCCEEDED` },
          status: { S: "SUCCEEDED" },
          executionArn: { S: "arn:aws:states:us-east-1:000000000000:execution:seeded:fast" },
          taskDefinition: { S: "seeded-fast-revision" },
          requestsPerSecond: { N: "1000000" },
        },
      }),
    );

    // Act
    const outcome = await deployAndBenchmark(
      system,
      { ...sample, benchmark: { ...shortRun, maxThroughputDrop: 0.5 } },
      silentProgress,
    );

    // Assess
    expect(outcome.error).toBe("PerformanceGateFailed");
    expect(outcome.cause).toMatch(
      /maxThroughputDrop 0\.5 exceeded: [\d.]+ requests\/s is [\d.]+ % below the last SUCCEEDED run's 1000000 \(seeded-fast-revision\)/,
    );
    expect((await settledOn(before)).ok).toBe(true);
  }, 60_000);

  it("refuses a release whose p99 is above maxP99Ms", async () => {
    const before = (await recorder.next()).web.taskDefinition;
    const outcome = await deployAndBenchmark(
      system,
      { ...sample, benchmark: { ...shortRun, maxP99Ms: 0.001 } },
      silentProgress,
    );
    expect(outcome.error).toBe("PerformanceGateFailed");
    expect(outcome.cause).toMatch(/maxP99Ms 0\.001 exceeded: p99 latency [\d.]+ ms\./);
    expect((await settledOn(before)).ok).toBe(true);
  }, 60_000);

  it("holds an open-loop run's rate and reports it as one", async () => {
    // Prepare: web with its retries, whatever an earlier test left deployed (a release
    // that wrongly passed its gate stays, and an image deploy copies its environment);
    // a rate the machine can answer as loaded now: a quarter of the closed-loop
    // throughput just measured, 5 to 40 requests/s, with a connection per request due in
    // a second — they keep up while an answer takes less than 1 s.
    const retrying = await registerRevisionWithEnvironment(system, sample.service, {
      BACKEND_RETRIES: "3",
    });
    const rate = Math.max(5, Math.min(40, Math.floor((measuredRps ?? 20) / 4)));
    const openLoop = { ...shortRun, connections: rate, ratePerSecond: rate };
    const due = rate * shortRun.durationSeconds;

    // Act: the rate for 2 s through the load balancer
    const outcome = await deployAndBenchmark(
      system,
      {
        service: sample.service,
        desiredCount: sample.desiredCount,
        taskDefinition: retrying,
        benchmark: openLoop,
      },
      silentProgress,
    );

    // Assess: every request that fell due was sent; at most one per connection was
    // still in flight when the run ended
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe("SUCCEEDED");
    const result = outcome.output?.result;
    expect(result, JSON.stringify(result)).toMatchObject({
      mode: "open-loop",
      requestedRatePerSecond: rate,
      unsent: 0,
    });
    const answered = (result?.requests.total ?? 0) + (result?.errors ?? 0);
    expect(answered).toBeLessThanOrEqual(due);
    expect(answered).toBeGreaterThanOrEqual(due - openLoop.connections);
  }, 60_000);
});
