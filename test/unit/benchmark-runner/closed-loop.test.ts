import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runClosedLoop } from "../../../functions/benchmark-runner/closed-loop";

/**
 * The closed loop against a real loopback server that answers after `delayMs` and, when
 * asked, breaks every `breakEvery`-th request's connection instead of answering.
 */
let server: Server;
let url: string;
let delayMs = 0;
let breakEvery = 0;
let received = 0;
let inFlight = 0;
let mostInFlight = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    received += 1;
    if (breakEvery > 0 && received % breakEvery === 0) {
      request.socket.destroy();
      return;
    }
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      response.writeHead(200, { "content-length": 2 });
      response.end("ok");
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Waits out the answers a previous run left in flight (its sockets are gone, its timers not), then starts counting afresh. */
const reset = async (next: { delayMs: number; breakEvery?: number }) => {
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  delayMs = next.delayMs;
  breakEvery = next.breakEvery ?? 0;
  received = 0;
  mostInFlight = 0;
};

describe("runClosedLoop", () => {
  it("keeps one request in flight per connection and times each from when it was sent", async () => {
    // Prepare: every answer takes 20 ms
    await reset({ delayMs: 20 });

    // Act
    const run = await runClosedLoop({
      url,
      connections: 3,
      pipelining: 1,
      durationSeconds: 0.5,
      timeoutSeconds: 5,
    });

    // Assess: never more than 3 at once, each sent as soon as the last came back
    expect(mostInFlight).toBe(3);
    expect(run.ok).toBeGreaterThan(3);
    expect(run.total).toBe(run.ok);
    expect(received).toBeLessThanOrEqual(run.total + 3);
    expect(run.latencyMs.p50).toBeGreaterThanOrEqual(19);
    expect(run.latencyMs.max).toBeGreaterThanOrEqual(run.latencyMs.p99);
    expect(run.bytes).toBeGreaterThan(run.total * 2);
  });

  it("keeps `pipelining` requests in flight on each connection", async () => {
    // Prepare: every answer takes 20 ms
    await reset({ delayMs: 20 });

    // Act
    const run = await runClosedLoop({
      url,
      connections: 2,
      pipelining: 3,
      durationSeconds: 0.5,
      timeoutSeconds: 5,
    });

    // Assess: node:http takes pipelined requests as they come, so the server holds all six
    expect(mostInFlight).toBe(6);
    expect(run.ok).toBeGreaterThan(6);
    expect(run.total).toBe(run.ok);
  });

  it("counts a broken connection as an error and carries on on a new one", async () => {
    // Prepare: every 4th request's connection is closed unanswered
    await reset({ delayMs: 0, breakEvery: 4 });

    // Act
    const run = await runClosedLoop({
      url,
      connections: 2,
      pipelining: 1,
      durationSeconds: 0.3,
      timeoutSeconds: 5,
    });

    // Assess: about one error for three answers
    expect(run.errors).toBeGreaterThan(0);
    expect(run.timeouts).toBe(0);
    expect(run.ok).toBeGreaterThanOrEqual(run.errors * 2);
  });

  it("times out a request the server never answers", async () => {
    // Prepare: answers come after 2 s, the timeout is 0.2 s
    await reset({ delayMs: 2_000 });

    // Act
    const run = await runClosedLoop({
      url,
      connections: 1,
      pipelining: 1,
      durationSeconds: 0.5,
      timeoutSeconds: 0.2,
    });

    // Assess
    expect(run.timeouts).toBeGreaterThanOrEqual(1);
    expect(run.errors).toBe(run.timeouts);
    expect(run.total).toBe(0);
  });
});
