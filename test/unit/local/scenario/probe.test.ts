import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startProbe, summariseProbe } from "../../../../local/scenario/probe";

describe("summariseProbe", () => {
  it("reports the share of 2xx and the longest outage, from a failure to the next 2xx", () => {
    // Prepare: every 50 ms, with 503s at 100 and 150 ms and a refused request at 200 ms
    const statuses = [200, 200, 503, 503, 0, 200, 200];
    const samples = statuses.map((status, i) => ({ t: i * 50, status, latencyMs: 1 }));

    // Act
    const summary = summariseProbe(samples);

    // Assess
    expect(summary).toMatchObject({ sent: 7, ok: 4, longestGapMs: 150 });
    expect(summary.availability).toBeCloseTo(4 / 7, 10);
    expect(summary.failures.map((sample) => sample.t)).toEqual([100, 150, 200]);
  });

  it("counts failures up to the last probe, and no gap when every probe was 2xx", () => {
    const trailing = [200, 200, 503, 503].map((status, i) => ({
      t: i * 100,
      status,
      latencyMs: 1,
    }));
    expect(summariseProbe(trailing).longestGapMs).toBe(100);
    // a probe sent late (the process was busy) is not an outage
    const late = [0, 2_000, 2_050].map((t) => ({ t, status: 200, latencyMs: 1 }));
    expect(summariseProbe(late)).toMatchObject({ availability: 1, longestGapMs: 0 });
  });
});

describe("startProbe", () => {
  it("lets an idle socket go before the server closes it, so a reuse never meets a reset", async () => {
    // Prepare: a server that keeps idle connections 2 s; a probe every 750 ms that
    // drops its idle sockets after 500 ms
    const connections: number[] = [];
    const server = createServer((_request, response) => response.end("ok"));
    server.keepAliveTimeout = 2_000;
    server.on("connection", () => connections.push(Date.now()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;

    // Act: three probes, each after 750 ms of idleness
    const probe = startProbe(`http://127.0.0.1:${port}/`, 750, 5_000, 500);
    await new Promise((resolve) => setTimeout(resolve, 1_900));
    const summary = await probe.stop();
    server.close();

    // Assess: every probe answered, each on a fresh connection (a socket kept past
    // 500 ms would have been reused: one connection for all three)
    expect(summary.sent).toBeGreaterThanOrEqual(3);
    expect(summary.failures).toEqual([]);
    expect(connections.length).toBe(summary.sent);
  });

  it("names why a probe got no answer", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const probe = startProbe(`http://127.0.0.1:${port}/`, 1_000);
    const summary = await probe.stop();

    expect(summary.failures).toEqual([
      expect.objectContaining({ status: 0, error: "ECONNREFUSED" }),
    ]);
  });
});
