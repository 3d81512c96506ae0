import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BenchmarkBudgetError,
  parseBenchmarkRequest,
  planBenchmark,
  SAFETY_MARGIN_MS,
} from "../../../functions/benchmark-runner/benchmark";
import { handler } from "../../../functions/benchmark-runner/index";
import { ValidationError } from "../../../functions/lib/errors";
import { lambdaContext, sampleEvent } from "../../support/events";

const sample = sampleEvent("benchmark-runner", "run");

/** A real HTTP target on an ephemeral loopback port: every 5th request is a 500. */
let server: Server;
let url: string;
let requestsSeen = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requestsSeen += 1;
    const body = JSON.stringify({ path: request.url });
    response.writeHead(requestsSeen % 5 === 0 ? 500 : 200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
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

describe("handler against a local HTTP server", () => {
  it("measures real requests, excludes the warm-up and reports the documented shape", async () => {
    // Prepare
    requestsSeen = 0;

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
