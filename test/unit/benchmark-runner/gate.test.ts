import { describe, expect, it } from "vitest";
import {
  errorRateOf,
  evaluateGate,
  type GatedFigures,
  throughputDrop,
} from "../../../functions/benchmark-runner/gate";

/** A clean run: 1,000 requests/s, p99 20 ms, 10,000 requests, none failed. */
const clean: GatedFigures = {
  requestsPerSecond: 1000,
  latencyMs: { p99: 20 },
  requests: { total: 10_000, ok: 10_000 },
  errors: 0,
  timeouts: 0,
  non2xx: 0,
};
/** 10,000 requests sent: `errors` (timeouts among them) got no response, `non2xx` got one. */
const failing = (errors: number, timeouts: number, non2xx: number): GatedFigures => ({
  ...clean,
  requests: { total: 10_000 - errors, ok: 10_000 - errors - non2xx },
  errors,
  timeouts,
  non2xx,
});

describe("errorRateOf", () => {
  it("counts errors (timeouts among them) and non-2xx over every request sent", () => {
    expect(errorRateOf(failing(30, 20, 70))).toBe(0.01);
    expect(errorRateOf(clean)).toBe(0);
  });

  it("treats a run where no request got an answer as all failure", () => {
    expect(errorRateOf({ ...failing(0, 0, 0), requests: { total: 0, ok: 0 }, errors: 50 })).toBe(1);
    expect(errorRateOf({ ...clean, requests: { total: 0, ok: 0 } })).toBe(1);
  });
});

describe("throughputDrop", () => {
  it("is the fall as a fraction of the baseline, negative when faster", () => {
    expect(throughputDrop(800, 1000)).toBeCloseTo(0.2, 10);
    expect(throughputDrop(1100, 1000)).toBeCloseTo(-0.1, 10);
  });
});

describe("evaluateGate", () => {
  it("passes at exactly the error-rate limit and fails just above it", () => {
    // Act
    const atLimit = evaluateGate(failing(0, 0, 100), { maxErrorRate: 0.01 });
    const above = evaluateGate(failing(0, 0, 101), { maxErrorRate: 0.01 });

    // Assess
    expect(atLimit.verdict).toBe("PASSED");
    expect(atLimit.cause).toBeUndefined();
    expect(above.verdict).toBe("FAILED");
    expect(above.checks).toEqual([
      { threshold: "maxErrorRate", limit: 0.01, measured: 0.0101, passed: false },
    ]);
    expect(above.cause).toBe(
      "Performance gate failed: maxErrorRate 0.01 exceeded: error rate 0.0101 " +
        "(0 errors of which 0 timeouts, 101 non-2xx; 10000 requests).",
    );
  });

  it("fails a run with no successful response even when every error is allowed", () => {
    const verdict = evaluateGate(
      { ...failing(0, 0, 10_000), requests: { total: 10_000, ok: 0 } },
      { maxErrorRate: 1 },
    );
    expect(verdict.verdict).toBe("FAILED");
  });

  it("checks p99 only when maxP99Ms is given, failing strictly above it", () => {
    expect(evaluateGate(clean, { maxErrorRate: 0.01 }).checks).toHaveLength(1);
    expect(evaluateGate(clean, { maxErrorRate: 0.01, maxP99Ms: 20 }).verdict).toBe("PASSED");
    const slow = evaluateGate(clean, { maxErrorRate: 0.01, maxP99Ms: 19 });
    expect(slow.verdict).toBe("FAILED");
    expect(slow.cause).toContain("maxP99Ms 19 exceeded: p99 latency 20 ms.");
  });

  it("compares requests/s with the baseline and names it in the cause", () => {
    // Prepare
    const baseline = { requestsPerSecond: 1250, taskDefinition: "web:6", executionArn: "arn:x" };
    const thresholds = { maxErrorRate: 0.01, maxThroughputDrop: 0.2 };

    // Act: 1,000 is exactly 20 % below 1,250; 999 is just below that
    const atLimit = evaluateGate(clean, thresholds, baseline);
    const below = evaluateGate({ ...clean, requestsPerSecond: 999 }, thresholds, baseline);

    // Assess
    expect(atLimit.verdict).toBe("PASSED");
    expect(atLimit.baseline).toEqual(baseline);
    expect(below.verdict).toBe("FAILED");
    expect(below.checks[1]).toEqual({
      threshold: "maxThroughputDrop",
      limit: 0.2,
      measured: 0.2008,
      passed: false,
    });
    expect(below.cause).toContain(
      "maxThroughputDrop 0.2 exceeded: 999 requests/s is 20.08 % below the last SUCCEEDED run's 1250 (web:6).",
    );
  });

  it("has nothing to compare with on a service's first run, and says so", () => {
    const verdict = evaluateGate(clean, { maxErrorRate: 0.01, maxThroughputDrop: 0.1 });
    expect(verdict.verdict).toBe("PASSED");
    expect(verdict.baseline).toBeNull();
    expect(verdict.checks.map((check) => check.threshold)).toEqual(["maxErrorRate"]);
  });

  it("names every missed threshold", () => {
    const verdict = evaluateGate(
      { ...failing(300, 300, 0), requestsPerSecond: 500, latencyMs: { p99: 900 } },
      { maxErrorRate: 0.01, maxP99Ms: 100, maxThroughputDrop: 0.1 },
      { requestsPerSecond: 1000 },
    );
    expect(verdict.checks.filter((check) => !check.passed).map((check) => check.threshold)).toEqual(
      ["maxErrorRate", "maxP99Ms", "maxThroughputDrop"],
    );
    expect(verdict.cause).toMatch(/maxErrorRate.*maxP99Ms.*maxThroughputDrop/);
  });
});
