import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOpenLoop } from "../../../functions/benchmark-runner/open-loop";
import { refusingPort } from "./closed-port";

/**
 * The open-loop generator against a real loopback server whose answers the test
 * controls: how many requests fall due is fixed by rate × duration, and a stall shows
 * in the latency of every request that was due during it.
 */
let server: Server;
let url: string;
let answered = 0;
/** The connections requests arrived on, since the last reset. */
let sockets = new Set<Socket>();
/** Answer number `stallAt` waits this long; 0: none waits. */
let stall = { at: 0, ms: 0 };
let delayMs = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    answered += 1;
    sockets.add(request.socket);
    const wait = answered === stall.at ? stall.ms : delayMs;
    const answer = () => {
      response.writeHead(200, { "content-length": 2 });
      response.end("ok");
    };
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const reset = (next: { stall?: typeof stall; delayMs?: number } = {}) => {
  answered = 0;
  sockets = new Set();
  stall = next.stall ?? { at: 0, ms: 0 };
  delayMs = next.delayMs ?? 0;
};

describe("runOpenLoop", () => {
  it("sends rate × duration requests, whatever the timers do", async () => {
    // Prepare
    reset();
    const options = {
      url,
      ratePerSecond: 200,
      durationSeconds: 1,
      connections: 4,
      pipelining: 1,
      timeoutSeconds: 5,
    };

    // Act
    const run = await runOpenLoop(options);

    // Assess: every due request was answered, sent late or counted unsent, except the
    // few still in flight when the run ended (at most one per connection)
    const due = 200;
    const accounted = run.total + run.errors + run.unsent;
    expect(accounted).toBeLessThanOrEqual(due);
    expect(accounted).toBeGreaterThanOrEqual(due - options.connections);
    expect(run.ok).toBe(run.total);
  });

  it("counts a stall against every request that was due during it (coordinated omission)", async () => {
    // Prepare: one connection, 200 requests/s, the 20th answer takes 300 ms — about 60
    // requests fall due behind it, 30 % of the run
    reset({ stall: { at: 20, ms: 300 } });

    // Act
    const run = await runOpenLoop({
      url,
      ratePerSecond: 200,
      durationSeconds: 1,
      connections: 1,
      pipelining: 1,
      timeoutSeconds: 5,
    });

    // Assess: measured from when each request was sent, only one sample would be slow
    // and p90 would be a millisecond or two
    expect(run.latencyMs.max).toBeGreaterThanOrEqual(290);
    expect(run.latencyMs.p90).toBeGreaterThanOrEqual(100);
  });

  it("reports the requests it could not send when the server cannot keep up", async () => {
    // Prepare: every answer takes 50 ms on one connection: at most 20 a second
    reset({ delayMs: 50 });

    // Act
    const run = await runOpenLoop({
      url,
      ratePerSecond: 100,
      durationSeconds: 1,
      connections: 1,
      pipelining: 1,
      timeoutSeconds: 5,
    });

    // Assess
    expect(run.total).toBeLessThanOrEqual(20);
    expect(run.unsent).toBeGreaterThanOrEqual(100 - 20 - 1);
  });

  it("keeps up with a rate one connection can only serve pipelined", async () => {
    // Prepare: 50 ms answers on one connection: 20 a second one at a time, 80 four at a time
    reset({ delayMs: 50 });

    // Act
    const run = await runOpenLoop({
      url,
      ratePerSecond: 60,
      durationSeconds: 1,
      connections: 1,
      pipelining: 4,
      timeoutSeconds: 5,
    });

    // Assess: well past the 20 one at a time would allow (a few still in flight at the end)
    expect(run.total).toBeGreaterThan(40);
    expect(run.unsent).toBeLessThan(10);
  });

  it("sends to an idle connection before pipelining onto a busy one", async () => {
    // Prepare: 5 ms answers, 4 requests 25 ms apart: one connection could carry them all
    reset({ delayMs: 5 });

    // Act
    await runOpenLoop({
      url,
      ratePerSecond: 40,
      durationSeconds: 0.1,
      connections: 4,
      pipelining: 4,
      timeoutSeconds: 5,
    });

    // Assess: one request on each of the four connections
    expect(sockets.size).toBe(4);
  });

  it("counts refused connections as errors", async () => {
    // Prepare: a port that was just free
    const closedPort = await refusingPort();

    // Act
    const run = await runOpenLoop({
      url: `http://127.0.0.1:${closedPort}/`,
      ratePerSecond: 50,
      durationSeconds: 0.5,
      connections: 2,
      pipelining: 1,
      timeoutSeconds: 5,
    });

    // Assess
    expect(run.total).toBe(0);
    expect(run.errors).toBeGreaterThan(0);
  });
});
