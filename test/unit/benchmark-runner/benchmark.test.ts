import { describe, expect, it } from "vitest";
import {
  BenchmarkBudgetError,
  parseBenchmarkRequest,
  planBenchmark,
  runBenchmark,
  SAFETY_MARGIN_MS,
} from "../../../functions/benchmark-runner/benchmark";
import type {
  LoadGenerator,
  LoadRun,
  LoadRunOptions,
} from "../../../functions/benchmark-runner/load";
import { ValidationError } from "../../../functions/lib/errors";
import { sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";

const sample = sampleEvent("benchmark-runner", "run");

describe("parseBenchmarkRequest", () => {
  it("accepts the sample event and fills defaults when only url is given", () => {
    // Prepare / Act
    const parsed = parseBenchmarkRequest(sample);
    const minimal = parseBenchmarkRequest({ url: "https://example.com/health" });

    // Assess
    expect(parsed).toEqual({
      url: "http://127.0.0.1:4567/",
      durationSeconds: 10,
      connections: 10,
      pipelining: 1,
      warmupSeconds: 2,
      maxErrorRate: 0.01,
    });
    expect(minimal).toMatchObject({
      durationSeconds: 10,
      connections: 10,
      pipelining: 1,
      warmupSeconds: 2,
    });
  });

  it.each([
    [{}, "url", "must be a string"],
    [{ url: "not a url" }, "url", "must be an absolute URL"],
    [{ url: "ftp://example.com/" }, "url", "must use http or https, not ftp:"],
    [{ url: "http://x/", durationSeconds: 0 }, "durationSeconds", "must be positive"],
    [{ url: "http://x/", durationSeconds: -5 }, "durationSeconds", "must be positive"],
    [{ url: "http://x/", durationSeconds: "10" }, "durationSeconds", "must be a number"],
    [{ url: "http://x/", connections: 10_000 }, "connections", "must be at most 500"],
    [{ url: "http://x/", connections: 2.5 }, "connections", "must be an integer"],
    [{ url: "http://x/", pipelining: 0 }, "pipelining", "must be positive"],
    [{ url: "http://x/", pipelining: 1.5 }, "pipelining", "must be an integer"],
    [{ url: "http://x/", pipelining: 33 }, "pipelining", "must be at most 32"],
    [{ url: "http://x/", warmupSeconds: -1 }, "warmupSeconds", "must not be negative"],
    [{ url: "http://x/", ratePerSecond: 0 }, "ratePerSecond", "must be positive"],
    [{ url: "http://x/", maxErrorRate: 1.5 }, "maxErrorRate", "must be at most 1"],
    [{ url: "http://x/", maxP99Ms: 0 }, "maxP99Ms", "must be positive"],
    [{ url: "http://x/", maxThroughputDrop: "0.2" }, "maxThroughputDrop", "must be a number"],
    [
      { url: "http://x/", baseline: { requestsPerSecond: 0 } },
      "baseline.requestsPerSecond",
      "must be positive",
    ],
    [
      { url: "http://x/", durationSeconds: Number.POSITIVE_INFINITY },
      "durationSeconds",
      "must be a number",
    ],
  ])("rejects %j with a ValidationError naming %s: %s", (event, field, problem) => {
    // Act / Assess
    expect(() => parseBenchmarkRequest(event)).toThrow(ValidationError);
    try {
      parseBenchmarkRequest(event);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message).toBe(`${field}: ${problem}`);
    }
  });
});

describe("planBenchmark", () => {
  const request = parseBenchmarkRequest({
    url: "http://x/",
    durationSeconds: 30,
    connections: 5,
    warmupSeconds: 2,
  });

  it("keeps the requested duration when it fits", () => {
    expect(planBenchmark(request, 60_000)).toMatchObject({ durationSeconds: 30, clamped: false });
  });

  it("clamps the measured run to remaining time minus warm-up and margin", () => {
    // Prepare: 20 s left − 5 s margin − 2 s warm-up = 13 s to measure
    const plan = planBenchmark(request, 20_000);

    // Assess
    expect(plan).toMatchObject({ durationSeconds: 13, clamped: true });
    expect(plan.durationSeconds + plan.warmupSeconds).toBeLessThanOrEqual(
      (20_000 - SAFETY_MARGIN_MS) / 1000,
    );
  });

  it("refuses when less than a second of measurement would fit", () => {
    expect(() => planBenchmark(request, SAFETY_MARGIN_MS + 2_500)).toThrow(BenchmarkBudgetError);
  });
});

/** What a load run reports: `total` answers, all 2xx, over `durationSeconds`. */
function rawResult(total: number, durationSeconds: number): LoadRun {
  return {
    durationSeconds,
    total,
    ok: total,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    bytes: total * 100,
  };
}

describe("runBenchmark", () => {
  /** A load generator that records its runs and answers from `results` in turn. */
  function scripted(...results: LoadRun[]) {
    const runs: LoadRunOptions[] = [];
    const load: LoadGenerator = async (options) => {
      runs.push(options);
      const result = results.shift();
      if (result === undefined) throw new Error("more load runs than scripted");
      return result;
    };
    return { load, runs };
  }
  const plan = (warmupSeconds: number) =>
    planBenchmark(
      parseBenchmarkRequest({
        url: "http://x/",
        durationSeconds: 2,
        connections: 3,
        pipelining: 4,
        warmupSeconds,
      }),
      60_000,
    );

  it("runs the warm-up on its own first and reports the measured run alone", async () => {
    // Prepare: the warm-up's figures are far from the measured run's, so any mix shows
    const { load, runs } = scripted(rawResult(5_000, 0.5), rawResult(40, 2));
    const observability = recordingObservability();

    // Act
    const result = await runBenchmark(plan(0.5), { load, ...observability });

    // Assess
    expect(
      runs.map((run) => [run.url, run.connections, run.pipelining, run.durationSeconds]),
    ).toEqual([
      ["http://x/", 3, 4, 0.5],
      ["http://x/", 3, 4, 2],
    ]);
    expect(result).toMatchObject({
      requests: { total: 40, ok: 40 },
      requestsPerSecond: 20,
      bytes: 4_000,
      durationSeconds: 2,
      loadGenerator: { pipelining: 4 },
    });
    expect(observability.metrics.value("BenchmarkRequestsPerSecond")).toBe(20);
  });

  it("without a warm-up, makes the measured run only", async () => {
    const { load, runs } = scripted(rawResult(40, 2));
    const observability = recordingObservability();

    const result = await runBenchmark(plan(0), { load, ...observability });

    expect(runs.map((run) => run.durationSeconds)).toEqual([2]);
    expect(result.requests.total).toBe(40);
  });
});
