/**
 * The exported handler, as Lambda calls it, against a real HTTP server: the load generator,
 * Powertools and the shared wrapper included.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NothingAnsweredError } from "../../../functions/benchmark-runner/benchmark";
import { handler } from "../../../functions/benchmark-runner/index";
import { ValidationError } from "../../../functions/lib/errors";
import { lambdaContext } from "../../support/events";
import { refusingPort } from "./closed-port";

vi.hoisted(() => {
  // Before functions/lib/observability creates the Logger and Metrics.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

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
        "loadGenerator",
        "mode",
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
    expect(result.mode).toBe("closed-loop");
    expect(result).not.toHaveProperty("requestedRatePerSecond");
    // one in five answers is a 500: far above the default maxErrorRate of 0.01
    expect(result.errorRate).toBeCloseTo(0.2, 1);
    expect(result.gate.verdict).toBe("FAILED");
    expect(result.gate.cause).toContain("maxErrorRate 0.01 exceeded");
  });

  it("runs open loop at ratePerSecond and says so in the result", async () => {
    // Act
    const result = await handler(
      { url, durationSeconds: 1, connections: 4, warmupSeconds: 0, ratePerSecond: 100 },
      plenty,
    );

    // Assess: 100 requests fell due — answered, unsent, or (one per connection at most)
    // still in flight at the end
    expect(result).toMatchObject({ mode: "open-loop", requestedRatePerSecond: 100 });
    const accounted = result.requests.total + result.errors + (result.unsent ?? 0);
    expect(accounted).toBeGreaterThanOrEqual(100 - 4);
    expect(accounted).toBeLessThanOrEqual(100);
    expect(result.loadGenerator.cpuPercent).toBeGreaterThan(0);
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

  it("fails with NothingAnsweredError when no request got a response (a closed port)", async () => {
    // Prepare: a port that was just free
    const closedPort = await refusingPort();

    // Act
    const run = handler(
      {
        url: `http://127.0.0.1:${closedPort}/`,
        durationSeconds: 0.5,
        connections: 1,
        warmupSeconds: 0,
      },
      plenty,
    );

    // Assess: figures of a run nobody answered would pass for a measurement.
    await expect(run).rejects.toThrow(NothingAnsweredError);
    await expect(run).rejects.toThrow(/no request to http:\/\/127\.0\.0\.1:\d+\/ was answered/);
  });
});
