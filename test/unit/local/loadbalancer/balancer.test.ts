import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import { envelope, InProcessEventBus } from "../../../../local/eventbridge/bus";
import { LocalLoadBalancer, statusMatcher } from "../../../../local/loadbalancer/balancer";
import {
  applyTaskState,
  deregistrationDelaySeconds,
  followServiceTasks,
  healthCheckFromTargetGroup,
} from "../../../../local/loadbalancer/targets";
import { waitFor } from "../../../support/wait-for";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A target that answers with its name; `/health` answers `healthStatus`. */
async function backend(
  name: string,
  healthStatus = 200,
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const body = req.url === "/health" ? "ok" : name;
    res.writeHead(req.url === "/health" ? healthStatus : 200, { "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, server };
}

async function balancer(): Promise<LocalLoadBalancer> {
  const lb = new LocalLoadBalancer({
    name: "web",
    healthCheck: { path: "/health", intervalMs: 20, healthyThreshold: 2, unhealthyThreshold: 2 },
  });
  await lb.listen();
  cleanup.push(() => lb.close());
  return lb;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("LocalLoadBalancer", () => {
  it("answers 503 JSON with no healthy target", async () => {
    const lb = await balancer();
    const response = await get(`${lb.url}/`);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ message: "web: no healthy target" });
  });

  it("round-robins over targets once they pass the healthy threshold, skipping unhealthy ones", async () => {
    // Prepare
    const lb = await balancer();
    const a = await backend("a");
    const b = await backend("b");
    const sick = await backend("sick", 500);
    lb.register("task/a", "127.0.0.1", a.port);
    lb.register("task/b", "127.0.0.1", b.port);
    lb.register("task/sick", "127.0.0.1", sick.port);
    await waitFor("both targets healthy", () => lb.healthyCount === 2);
    await waitFor("a target unhealthy", () =>
      lb.describeTargetHealth().some((t) => t.state === "unhealthy"),
    );

    // Act
    const bodies = [];
    for (let i = 0; i < 6; i++) bodies.push((await get(`${lb.url}/`)).body);

    // Assess
    expect(bodies.filter((body) => body === "a")).toHaveLength(3);
    expect(bodies.filter((body) => body === "b")).toHaveLength(3);
    expect(lb.describeTargetHealth().find((t) => t.id === "task/sick")?.requests).toBe(0);
  });

  it("takes a deregistered target out of rotation at once", async () => {
    const lb = await balancer();
    const a = await backend("a");
    lb.register("task/a", "127.0.0.1", a.port);
    await waitFor("one healthy target", () => lb.healthyCount === 1);
    lb.deregister("task/a");
    expect((await get(`${lb.url}/`)).status).toBe(503);
  });

  it("matches status codes and ranges", () => {
    expect(statusMatcher("200")(200)).toBe(true);
    expect(statusMatcher("200-299")(204)).toBe(true);
    expect(statusMatcher("200,302")(302)).toBe(true);
    expect(statusMatcher("200")(500)).toBe(false);
  });
});

describe("following a service's tasks", () => {
  const detail = (lastStatus: string, desiredStatus: string, hostPort: number) => ({
    taskArn: "arn:aws:ecs:us-east-1:0:task/c/1",
    clusterArn: "arn:aws:ecs:us-east-1:0:cluster/c",
    group: "service:web",
    lastStatus,
    desiredStatus,
    containers: [
      { name: "web", networkBindings: [{ containerPort: 8080, hostPort, bindIP: "0.0.0.0" }] },
    ],
  });
  const target = { serviceName: "web", containerName: "web", containerPort: 8080 };

  it("registers RUNNING tasks from ECS Task State Change events and drops stopping ones", async () => {
    // Prepare
    const lb = await balancer();
    const a = await backend("a");
    const bus = new InProcessEventBus();
    const unsubscribe = followServiceTasks(bus, lb, target);
    const publish = (lastStatus: string, desiredStatus: string) =>
      bus.publish(
        envelope({
          detailType: "ECS Task State Change",
          source: "aws.ecs",
          account: "0",
          region: "us-east-1",
          resources: [],
          detail: detail(lastStatus, desiredStatus, a.port),
        }),
      );

    // Act / Assess
    publish("PENDING", "RUNNING");
    // The bus delivers each event in a microtask (queueMicrotask) and the listener acts
    // synchronously; a macrotask turn runs only after every queued microtask, so once it
    // has passed the PENDING event has been handled and "nothing registered" is a fact,
    // not a race against a timer.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lb.describeTargetHealth()).toEqual([]);
    publish("RUNNING", "RUNNING");
    await waitFor("one healthy target", () => lb.healthyCount === 1);
    expect((await get(`${lb.url}/`)).body).toBe("a");
    publish("RUNNING", "STOPPED");
    await waitFor("the target deregistered", () => lb.describeTargetHealth().length === 0);
    unsubscribe();
  });

  it("does not register a task with no binding for the container port", async () => {
    const lb = await balancer();
    applyTaskState(lb, { ...detail("RUNNING", "RUNNING", 1), containers: [] }, target);
    expect(lb.describeTargetHealth()).toEqual([]);
  });

  it("reads the health check from target group properties, scaled", () => {
    expect(
      healthCheckFromTargetGroup(
        {
          HealthCheckPath: "/health",
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 5,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 3,
        },
        new LocalClock({ timeScale: 10 }),
      ),
    ).toEqual({
      path: "/health",
      intervalMs: 1000,
      timeoutMs: 1000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    });
  });
});

describe("deregistration", () => {
  /** A target whose `/slow` answers only when the test releases it. */
  async function heldBackend(): Promise<{ port: number; release: () => void; held: () => number }> {
    const waiting: (() => void)[] = [];
    const server = createServer((req, res) => {
      const answer = () => {
        res.writeHead(200, { "content-length": 4 });
        res.end("done");
      };
      if (req.url === "/slow") waiting.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    });
    return {
      port: (server.address() as AddressInfo).port,
      release: () => {
        for (const answer of waiting.splice(0)) answer();
      },
      held: () => waiting.length,
    };
  }

  it("lets a deregistering target finish its in-flight request, sends it nothing new, then forgets it", async () => {
    // Prepare: one request in flight to the only target
    const lb = await balancer();
    const target = await heldBackend();
    lb.register("task/a", "127.0.0.1", target.port);
    await waitFor("one healthy target", () => lb.healthyCount === 1);
    const inFlight = get(`${lb.url}/slow`);
    await waitFor("the request reached the target", () => target.held() === 1);

    // Act
    let drained = false;
    const deregistered = lb.deregister("task/a").then(() => {
      drained = true;
    });

    // Assess: draining, out of rotation, still waiting for its request
    expect(lb.targetState("task/a")).toBe("draining");
    expect((await get(`${lb.url}/`)).status).toBe(503);
    expect(drained).toBe(false);
    target.release();
    expect(await inFlight).toEqual({ status: 200, body: "done" });
    await deregistered;
    expect(lb.describeTargetHealth()).toEqual([]);
  });

  it("ends the drain at the deregistration delay even with a request still in flight", async () => {
    const lb = await balancer();
    lb.configureDeregistrationDelay(20);
    const target = await heldBackend();
    lb.register("task/a", "127.0.0.1", target.port);
    await waitFor("one healthy target", () => lb.healthyCount === 1);
    const inFlight = get(`${lb.url}/slow`).catch(() => undefined);
    await waitFor("the request reached the target", () => target.held() === 1);

    await lb.deregister("task/a");

    expect(target.held()).toBe(1);
    expect(lb.targetState("task/a")).toBeUndefined();
    target.release();
    await inFlight;
  });

  it("keeps each drain of a target ID that was registered again at a new address", async () => {
    // Prepare: task/a drains at its first address with a request held there, is registered
    // again at a second address, and drains there too with a request held.
    const lb = await balancer();
    const first = await heldBackend();
    const second = await heldBackend();
    const holdOne = async (target: typeof first) => {
      await waitFor("one healthy target", () => lb.healthyCount === 1);
      const answered = get(`${lb.url}/slow`);
      await waitFor("the request reached the target", () => target.held() === 1);
      // Wrapped: an async function returning the promise itself would wait for the answer.
      return { answered };
    };
    lb.register("task/a", "127.0.0.1", first.port);
    const { answered: firstRequest } = await holdOne(first);
    const firstDrain = lb.deregister("task/a");
    lb.register("task/a", "127.0.0.1", second.port);
    const { answered: secondRequest } = await holdOne(second);
    const secondDrain = lb.deregister("task/a");

    // Act: the first address drains; task/a is deregistered once more.
    first.release();
    await firstRequest;
    await firstDrain;
    let again = false;
    const deregisteredAgain = lb.deregister("task/a").then(() => {
      again = true;
    });
    await new Promise((resolve) => setImmediate(resolve));

    // Assess: the second drain still waits for its request, and the call waits with it.
    expect(lb.targetState("task/a")).toBe("draining");
    expect(again).toBe(false);
    second.release();
    expect(await secondRequest).toEqual({ status: 200, body: "done" });
    await Promise.all([secondDrain, deregisteredAgain]);
    expect(lb.targetState("task/a")).toBeUndefined();
  });

  it("reads the deregistration delay from the target group's attributes", () => {
    expect(
      deregistrationDelaySeconds({
        TargetGroupAttributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
      }),
    ).toBe(10);
    expect(deregistrationDelaySeconds({})).toBeUndefined();
  });
});
