import { describe, expect, it } from "vitest";
import { historyRow, historyTable, shortTaskDefinition } from "../../../../local/scenario/deploy";

/** BenchmarkResultsTable items as recordedRuns flattens them. */
const passed = {
  service: "web",
  startedAt: "2026-12-01T09:36:21.123Z",
  status: "SUCCEEDED",
  verdict: "PASSED",
  taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/microscale-web:2",
  requestsPerSecond: "398.91",
  latencyP50Ms: "15",
  latencyP99Ms: "166",
  errorRate: "0.000125",
};
const deploymentFailed = {
  service: "web",
  startedAt: "2026-12-01T09:40:00.000Z",
  status: "FAILED",
  error: "DeploymentFailed",
  taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/microscale-web:3",
};

describe("shortTaskDefinition", () => {
  it("shows a task definition ARN as family:revision, and no revision as -", () => {
    expect(shortTaskDefinition(passed.taskDefinition)).toBe("microscale-web:2");
    expect(shortTaskDefinition("microscale-web:2")).toBe("microscale-web:2");
    expect(shortTaskDefinition(undefined)).toBe("-");
  });
});

describe("history table", () => {
  it("shows date, short task definition, requests/s, p50/p99, error rate and verdict", () => {
    expect(historyRow(passed)).toEqual({
      date: "2026-12-01 09:36:21Z",
      taskDefinition: "microscale-web:2",
      requestsPerSecond: "398.9",
      p50: "15.0",
      p99: "166.0",
      errorRate: "0.01 %",
      verdict: "PASSED",
    });
  });

  it("names the error of a run that failed before any benchmark", () => {
    expect(historyRow(deploymentFailed)).toMatchObject({
      requestsPerSecond: "-",
      errorRate: "-",
      verdict: "DeploymentFailed",
    });
  });

  it("lines the columns up under their titles", () => {
    const lines = historyTable([deploymentFailed, passed]).split("\n");
    expect(lines).toHaveLength(3);
    const verdictColumn = lines[0]?.indexOf("verdict");
    expect(lines[1]?.indexOf("DeploymentFailed")).toBe(verdictColumn);
    expect(lines[2]?.indexOf("PASSED")).toBe(verdictColumn);
  });
});
