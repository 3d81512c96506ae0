import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type autocannon from "autocannon";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BenchmarkBudgetError,
  type LoadGenerator,
  parseBenchmarkRequest,
  planBenchmark,
  runBenchmark,
  SAFETY_MARGIN_MS,
} from "../../../functions/benchmark-runner/benchmark";
import { handler } from "../../../functions/benchmark-runner/index";
import { ValidationError } from "../../../functions/lib/errors";
import { lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";

vi.hoisted(() => {
  // Before functions/lib/observability creates the Logger and Metrics.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const sample = sampleEvent("benchmark-runner", "run");

/**
 * A real HTTP target on an ephemeral loopback port: every 5th request is a 500. It counts
 * requests per connection, in the order connections were opened: each load run opens its
 * own, so the counts tell the warm-up's requests from the measured run's.
 */
let server: Server;
let url: string;
let requestsSeen = 0;
let requestsPerConnection: number[] = [];
const connectionIndex = new WeakMap<Socket, number>();

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

beforeAll(async () => {
  server = createServer((request, response) => {
    requestsSeen += 1;
    const index = connectionIndex.get(request.socket);
    if (index !== undefined) requestsPerConnection[index] = (requestsPerConnection[index] ?? 0) + 1;
    const body = JSON.stringify({ path: request.url });
    response.writeHead(requestsSeen % 5 === 0 ? 500 : 200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
  server.on("connection", (socket) => {
    connectionIndex.set(socket, requestsPerConnection.length);
    requestsPerConnection.push(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const plenty = lambdaContext({ remainingMs: 60_000 });

describe("parseBenchmarkRequest", () => {
  it("accepts the sample event and fills defaults when only url is given", () => {
    // Prepare / Act
    const parsed = parseBenchmarkRequest(sample);
    const minimal = parseBenchmarkRequest({ url: "https://example.com/health" });

    // Assess
    expect(parsed).toEqual({
      url: "http://127.0.0.1:8080/",
      durationSeconds: 10,
      connections: 10,
      warmupSeconds: 2,
      maxErrorRate: 0.01,
    });
    expect(minimal).toMatchObject({ durationSeconds: 10, connections: 10, warmupSeconds: 2 });
  });

  it.each([
    [{}, "url"],
    [{ url: "not a url" }, "url"],
    [{ url: "ftp://example.com/" }, "url"],
    [{ url: "http://x/", durationSeconds: 0 }, "durationSeconds"],
    [{ url: "http://x/", durationSeconds: -5 }, "durationSeconds"],
    [{ url: "http://x/", durationSeconds: "10" }, "durationSeconds"],
    [{ url: "http://x/", connections: 10_000 }, "connections"],
    [{ url: "http://x/", connections: 2.5 }, "connections"],
    [{ url: "http://x/", warmupSeconds: -1 }, "warmupSeconds"],
    [{ url: "http://x/", maxErrorRate: 1.5 }, "maxErrorRate"],
    [{ url: "http://x/", maxP99Ms: 0 }, "maxP99Ms"],
    [{ url: "http://x/", maxThroughputDrop: "0.2" }, "maxThroughputDrop"],
    [{ url: "http://x/", baseline: { requestsPerSecond: 0 } }, "baseline.requestsPerSecond"],
  ])("rejects %j with a ValidationError naming %s", (event, field) => {
    // Act / Assess
    expect(() => parseBenchmarkRequest(event)).toThrow(ValidationError);
    try {
      parseBenchmarkRequest(event);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
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

/** What autocannon reports, reduced to the fields the runner reads. */
function rawResult(total: number, duration: number): autocannon.Result {
  const reported = {
    duration,
    requests: { total },
    latency: { p50: 1, p90: 2, p99: 3, max: 4 },
    "2xx": total,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    throughput: { total: total * 100 },
  };
  return reported as unknown as autocannon.Result;
}

describe("runBenchmark", () => {
  /** A load generator that records its runs and answers from `results` in turn. */
  function scripted(...results: autocannon.Result[]) {
    const runs: autocannon.Options[] = [];
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
    expect(runs.map((run) => [run.url, run.connections, run.duration])).toEqual([
      ["http://x/", 3, 0.5],
      ["http://x/", 3, 2],
    ]);
    expect(result).toMatchObject({
      requests: { total: 40, ok: 40 },
      requestsPerSecond: 20,
      bytes: 4_000,
      durationSeconds: 2,
    });
    expect(observability.metrics.value("BenchmarkRequestsPerSecond")).toBe(20);
  });

  it("without a warm-up, makes the measured run only", async () => {
    const { load, runs } = scripted(rawResult(40, 2));
    const observability = recordingObservability();

    const result = await runBenchmark(plan(0), { load, ...observability });

    expect(runs.map((run) => run.duration)).toEqual([2]);
    expect(result.requests.total).toBe(40);
  });
});

describe("handler against a local HTTP server", () => {
  it("measures real requests, excludes the warm-up and reports the documented shape", async () => {
    // Prepare
    requestsSeen = 0;
    requestsPerConnection = [];

    // Act
    const result = await handler(
      { url, durationSeconds: 1, connections: 4, warmupSeconds: 0.5 },
      plenty,
    );

    // Assess: the shape is exactly the documented BenchmarkResult
    expect(Object.keys(result).sort()).toEqual(
      [
        "bytes",
        "durationSeconds",
        "errorRate",
        "errors",
        "gate",
        "latencyMs",
        "non2xx",
        "requestsPerSecond",
        "requests",
        "timeouts",
      ].sort(),
    );
    expect(Object.keys(result.latencyMs).sort()).toEqual(["max", "p50", "p90", "p99"]);
    expect(result.requests.total).toBeGreaterThan(0);
    // the warm-up's requests reached the server but are not in the figures
    expect(requestsSeen).toBeGreaterThan(result.requests.total);
    // each run opened its 4 connections, the warm-up's first; the measured run's saw the
    // reported requests, plus at most one per connection still in flight when it stopped
    expect(requestsPerConnection).toHaveLength(8);
    expect(sum(requestsPerConnection.slice(0, 4))).toBeGreaterThan(0);
    const measured = sum(requestsPerConnection.slice(4));
    expect(measured).toBeGreaterThanOrEqual(result.requests.total);
    expect(measured).toBeLessThanOrEqual(result.requests.total + 4);
    expect(result.requests.ok + result.non2xx).toBe(result.requests.total);
    expect(result.non2xx / result.requests.total).toBeCloseTo(0.2, 1);
    expect(result.requestsPerSecond).toBeCloseTo(result.requests.total / result.durationSeconds, 0);
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.latencyMs.p50);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.durationSeconds).toBeGreaterThan(0.5);
    expect(result.errors).toBe(0);
    // one in five answers is a 500: far above the default maxErrorRate of 0.01
    expect(result.errorRate).toBeCloseTo(0.2, 1);
    expect(result.gate.verdict).toBe("FAILED");
    expect(result.gate.cause).toContain("maxErrorRate 0.01 exceeded");
  });

  it("throws ValidationError before sending any request", async () => {
    // Prepare
    requestsSeen = 0;

    // Act / Assess
    await expect(handler({ url, durationSeconds: 0 }, plenty)).rejects.toThrow(ValidationError);
    await expect(handler({ url: url.replace("http", "file") }, plenty)).rejects.toThrow(
      ValidationError,
    );
    expect(requestsSeen).toBe(0);
  });

  it("counts connection errors against a closed port instead of failing", async () => {
    // Prepare: a port that was just free
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    // Act
    const result = await handler(
      {
        url: `http://127.0.0.1:${closedPort}/`,
        durationSeconds: 0.5,
        connections: 1,
        warmupSeconds: 0,
      },
      plenty,
    );

    // Assess
    expect(result.requests.ok).toBe(0);
    expect(result.errors).toBeGreaterThan(0);
  });
});
