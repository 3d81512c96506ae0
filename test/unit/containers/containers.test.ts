import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONTAINERS } from "../../../containers/build";
import { waitFor } from "../../support/wait-for";
import { bundleAll, start, startServer, stopAll, type Workload } from "./processes";

/** SIGTERM must end a workload well inside ECS's default 30 s stop timeout. */
const STOP_BOUND_MS = 3_000;

let bundles: Map<string, string>;
let cleanup: () => Promise<void>;
const running: Workload[] = [];

const bundle = (name: string) => {
  const path = bundles.get(name);
  if (path === undefined) throw new Error(`no bundle for ${name}`);
  return path;
};

async function run(name: string, env: Record<string, string>, server = true) {
  const workload = server ? await startServer(bundle(name), env) : start(bundle(name), env);
  running.push(workload);
  return workload;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });

/** GET over a keep-alive connection; resolves with the status and the parsed JSON body. */
function get(port: number, path = "/"): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port, path, agent: keepAlive }, (reply) => {
      const chunks: Buffer[] = [];
      reply.on("data", (chunk: Buffer) => chunks.push(chunk));
      reply.on("end", () =>
        resolve({
          status: reply.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        }),
      );
    });
    call.on("error", reject);
    call.end();
  });
}

/** `total` GETs, `concurrency` at a time. */
async function getMany(port: number, total: number, concurrency: number) {
  const replies: Awaited<ReturnType<typeof get>>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        replies.push(await get(port));
      }
    }),
  );
  return replies;
}

beforeAll(async () => {
  ({ bundles, cleanup } = await bundleAll(CONTAINERS));
});

afterEach(() => {
  stopAll(running.splice(0));
});

afterAll(async () => {
  keepAlive.destroy();
  await cleanup();
});

describe("SIGTERM", () => {
  it.each([
    ["web", { BACKEND_URL: "http://127.0.0.1:9/" }, true],
    ["backend", {}, true],
    ["worker", { PRIORITY: "high", WORK_INTERVAL_MS: "5" }, false],
    ["agent", { ECS_CLUSTER: "microscale", REPORT_INTERVAL_MS: "50" }, false],
  ] as const)("%s exits 0 promptly", async (name, env, server) => {
    // Prepare: a running workload that has logged at least once
    const workload = await run(name, env, server);
    await waitFor(`${name} to log`, () => workload.logs.length > 0);

    // Act
    workload.process.kill("SIGTERM");
    const exit = await workload.exited;

    // Assess
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterMs).toBeLessThan(STOP_BOUND_MS);
  });

  it("lets an in-flight request finish before web exits", async () => {
    // Prepare: a backend that holds the call until the test has sent SIGTERM
    let arrived = false;
    let release = () => {};
    const slowBackend = createServer((_request, response) => {
      arrived = true;
      release = () => response.end(JSON.stringify({ service: "backend" }));
    });
    await new Promise<void>((resolve) => slowBackend.listen(0, "127.0.0.1", resolve));
    const backendPort = (slowBackend.address() as AddressInfo).port;
    const web = await run("web", { BACKEND_URL: `http://127.0.0.1:${backendPort}/` });
    const inFlight = get(web.port as number);
    await waitFor("the request to reach the backend", () => arrived);

    // Act
    web.process.kill("SIGTERM");
    await waitFor("web to stop", () => web.logs.some((entry) => entry.message === "web stopping"));
    release();

    // Assess
    expect((await inFlight).status).toBe(200);
    const exit = await web.exited;
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeLessThan(STOP_BOUND_MS);
    slowBackend.closeAllConnections();
    await new Promise((resolve) => slowBackend.close(resolve));
  });
});

describe("web in front of a flaky backend", () => {
  it("answers 200 to every request while the backend fails 30% of calls", async () => {
    // Prepare: 0.3^11 ≈ 2e-6 chance that one request exhausts its retries
    const backend = await run("backend", { FAILURE_RATE: "0.3", LATENCY_MS: "0" });
    const web = await run("web", {
      BACKEND_URL: `http://127.0.0.1:${backend.port}/`,
      BACKEND_RETRIES: "10",
      BACKEND_BACKOFF_MS: "1",
    });

    // Act
    const replies = await getMany(web.port as number, 200, 8);

    // Assess: no failure reached the client, and retries were what masked them
    expect(replies.filter((reply) => reply.status !== 200)).toEqual([]);
    const retried = replies.filter((reply) => (reply.body.attempts as number) > 1).length;
    expect(retried).toBeGreaterThan(20);
  });

  it("answers 502 after its bounded retries when the backend is down", async () => {
    // Prepare: a port with nothing listening
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const web = await run("web", {
      BACKEND_URL: `http://127.0.0.1:${deadPort}/`,
      BACKEND_RETRIES: "2",
      BACKEND_BACKOFF_MS: "1",
    });

    // Act
    const reply = await get(web.port as number);

    // Assess
    expect(reply.status).toBe(502);
    expect(reply.body).toMatchObject({ attempts: 3 });
  });

  it("makes exactly BACKEND_RETRIES + 1 backend calls before answering 502", async () => {
    // Prepare: a backend that answers 500 to every call and counts them
    let backendCalls = 0;
    const failing = createServer((_request, response) => {
      backendCalls += 1;
      const body = JSON.stringify({ error: "down" });
      response.writeHead(500, { "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const web = await run("web", {
      BACKEND_URL: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/`,
      BACKEND_RETRIES: "3",
      BACKEND_BACKOFF_MS: "1",
    });

    // Act
    const reply = await get(web.port as number);

    // Assess: the first call and three retries, each seen by the backend
    expect(reply.status).toBe(502);
    expect(backendCalls).toBe(4);
    expect(reply.body).toMatchObject({ attempts: 4 });
    failing.closeAllConnections();
    await new Promise((resolve) => failing.close(resolve));
  });

  it("gives up on a slow backend attempt after BACKEND_TIMEOUT_MS", async () => {
    // Prepare
    const backend = await run("backend", { FAILURE_RATE: "0", LATENCY_MS: "2000" });
    const web = await run("web", {
      BACKEND_URL: `http://127.0.0.1:${backend.port}/`,
      BACKEND_TIMEOUT_MS: "50",
      BACKEND_RETRIES: "1",
    });

    // Act
    const startedAt = Date.now();
    const reply = await get(web.port as number);

    // Assess
    expect(reply.status).toBe(502);
    expect(String((reply.body.backend as Record<string, unknown>).cause)).toMatch(/timed out/);
    expect(Date.now() - startedAt).toBeLessThan(1_500);
  });

  it("serves /health without calling the backend", async () => {
    const web = await run("web", { BACKEND_URL: "http://127.0.0.1:9/" });
    expect(await get(web.port as number, "/health")).toEqual({
      status: 200,
      body: { status: "ok" },
    });
  });

  it("refuses to start without BACKEND_URL", async () => {
    const web = await run("web", {}, false);
    expect((await web.exited).code).toBe(1);
    expect(web.logs.some((entry) => String(entry.error).includes("BACKEND_URL"))).toBe(true);
  });
});

describe("backend", () => {
  it("fails FAILURE_RATE of requests, evenly spaced, and /health never", async () => {
    // Prepare
    const backend = await run("backend", { FAILURE_RATE: "0.3", LATENCY_MS: "0" });
    const port = backend.port as number;

    // Act
    const replies = await getMany(port, 1_000, 8);
    const health = await Promise.all(Array.from({ length: 50 }, () => get(port, "/health")));

    // Assess: the failures are spread evenly, so 1,000 requests see exactly 300
    const failed = replies.filter((reply) => reply.status === 500).length;
    expect(failed).toBe(300);
    expect(health.every((reply) => reply.status === 200)).toBe(true);
  });
});

describe("agent", () => {
  it("reports the host the local cloud gives it", async () => {
    const agent = await run(
      "agent",
      {
        ECS_CLUSTER: "microscale",
        ECS_TASK_ARN: "arn:aws:ecs:us-east-1:123456789012:task/microscale/abc",
        ECS_CONTAINER_INSTANCE_ARN:
          "arn:aws:ecs:us-east-1:123456789012:container-instance/microscale/host-1",
      },
      false,
    );
    await waitFor("a report", () => agent.logs.some((entry) => entry.message === "agent host"));
    expect(agent.logs.find((entry) => entry.message === "agent host")).toMatchObject({
      cluster: "microscale",
      containerInstanceArn:
        "arn:aws:ecs:us-east-1:123456789012:container-instance/microscale/host-1",
      sources: ["environment"],
    });
  });
});
