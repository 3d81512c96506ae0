import type { ScenarioReport, TimelinePoint } from "./html";

/**
 * A plausible scenario's figures, for the report's own tests and for previewing the
 * page without running the scenario: hosts 3 → 6 → 2, demand walking, P1 + P2 = capacity.
 */
export function sampleReport(): ScenarioReport {
  const timeline: TimelinePoint[] = [];
  const demandWalk = [4, 4, 6, 9, 7, 5, 2, 3, 6, 8, 5, 4];
  for (let step = 0; step < 48; step++) {
    // Uneven, as a recorder under load samples: a linear time axis must keep the gaps.
    const t = step * 2 + (step > 20 ? 3 : 0);
    const hosts = step < 6 ? 3 : step < 30 ? 6 : 2;
    const capacity = 9;
    const demand = demandWalk[Math.floor(step / 4)] ?? 4;
    const lagging = step > 0 ? (demandWalk[Math.floor((step - 1) / 4)] ?? demand) : demand;
    timeline.push({
      t,
      demand,
      capacity,
      highPriorityDesired: demand,
      highPriorityRunning: lagging,
      lowPriorityDesired: capacity - demand,
      lowPriorityRunning: capacity - lagging,
      hosts,
      hostsDesired: hosts,
      reservation: step === 5 || step === 40 ? 150 : 100,
      drainingHosts: step >= 30 && step < 34 ? 4 : 0,
      perHostDesired: hosts,
      perHostRunning: step % 6 === 0 && step > 0 ? Math.max(0, hosts - 1) : hosts,
    });
  }
  return {
    title: "Microscale — local cloud scenario (sample data)",
    generatedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    durationSeconds: 94,
    timeScale: 30,
    seed: "42",
    // Some phases seconds apart and one at the very end, as a real run has them: their
    // labels must not overlap, nor run off the chart.
    phases: [
      { t: 0, label: "hosts join" },
      { t: 12, label: "demand walks" },
      { t: 56, label: "demand up" },
      { t: 58, label: "demand down" },
      { t: 60, label: "hosts drain and leave" },
      { t: 72, label: "deploy and benchmark" },
      { t: 95, label: "surge hosts consolidated" },
    ],
    consolidations: [
      { t: 66, ec2InstanceId: "i-0c4a1f2e9b7d35a10", reason: "empty", tasks: 3 },
      { t: 67, ec2InstanceId: "i-0e92b6d1c3a4f7b22", reason: "underutilized", tasks: 4 },
      { t: 96, ec2InstanceId: "i-0a1b2c3d4e5f67890", reason: "empty", tasks: 0 },
    ],
    timeline,
    benchmark: {
      requestsPerSecond: 4210,
      latencyMs: { p50: 2, p90: 4, p99: 9, max: 31 },
      requests: { total: 42100, ok: 42100 },
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      durationSeconds: 10,
    },
    deployment: {
      status: "SUCCEEDED",
      executionArn: "arn:aws:states:us-east-1:000000000000:execution:DeployAndBenchmark:sample",
    },
    rollout: {
      intervalMs: 50,
      availability: 1,
      longestGapMs: 0,
      samples: Array.from({ length: 300 }, (_, i) => ({
        t: i * 50,
        status: 200,
        latencyMs: 2 + (i % 7),
      })),
    },
    refusal: {
      status: "FAILED",
      error: "PerformanceGateFailed",
      cause:
        "Performance gate failed: maxErrorRate 0.01 exceeded: error rate 0.0231 (0 errors of which 0 timeouts, 48 non-2xx; 2074 requests).",
      taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/microscale-web:3",
    },
    controllers: [
      { name: "per-host sync", converged: true, detail: "6 of 6, then 2 of 2 hosts" },
      { name: "priority scaler", converged: true, detail: "P1 + P2 = 9 at every step" },
    ],
  };
}
