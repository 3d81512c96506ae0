import { fileURLToPath } from "node:url";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BusEvent, LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { bootCloud, clientsFor } from "./helpers";

const slowStart = fileURLToPath(new URL("../../fixtures/slow-start.cjs", import.meta.url));

let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
let events: BusEvent[];

beforeEach(async () => {
  cloud = await bootCloud({ runTasks: "processes", stopTimeoutMs: 300, reconcileIntervalMs: 50 });
  ecs = clientsFor(cloud).ecs;
  events = [];
  cloud.events.subscribe((event) => events.push(event));
  await ecs.send(new CreateClusterCommand({ clusterName: "proc" }));
  cloud.ecs.registerHost({ cluster: "proc" });
  cloud.ecs.registerHost({ cluster: "proc" });
});

afterEach(async () => {
  await cloud.stop();
});

async function register(
  family: string,
  image: string,
  extra: { stopTimeout?: number } = {},
  environment: Record<string, string> = {},
) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        {
          name: "main",
          image,
          memory: 64,
          portMappings: [{ containerPort: 8080, hostPort: 0 }],
          environment: Object.entries({ GREETING: "hello", ...environment }).map(
            ([name, value]) => ({ name, value }),
          ),
          ...extra,
        },
      ],
    }),
  );
}

async function createService(
  name: string,
  family: string,
  desiredCount = 1,
  circuitBreaker = false,
) {
  await ecs.send(
    new CreateServiceCommand({
      cluster: "proc",
      serviceName: name,
      taskDefinition: family,
      desiredCount,
      deploymentConfiguration: circuitBreaker
        ? {
            deploymentCircuitBreaker: { enable: true, rollback: true },
            minimumHealthyPercent: 100,
            maximumPercent: 200,
          }
        : undefined,
    }),
  );
}

function stoppedTaskEvent(): BusEvent | undefined {
  return events.find(
    (e) =>
      e["detail-type"] === "ECS Task State Change" &&
      (e.detail as { lastStatus: string }).lastStatus === "STOPPED",
  );
}

/** Tasks of the family that stopped because their essential container exited unasked, among the first `upTo` events. */
function crashedStarts(family: string, upTo = events.length): number {
  return events.slice(0, upTo).filter((e) => {
    const detail = e.detail as {
      lastStatus?: string;
      stopCode?: string;
      taskDefinitionArn?: string;
    };
    return (
      e["detail-type"] === "ECS Task State Change" &&
      detail.lastStatus === "STOPPED" &&
      detail.stopCode === "EssentialContainerExited" &&
      (detail.taskDefinitionArn ?? "").includes(`task-definition/${family}:`)
    );
  }).length;
}

/** The event that ended the deployment's rollout (COMPLETED or FAILED), if one has. */
function rolloutEnd(deploymentId: string | undefined): BusEvent | undefined {
  return events.find((e) => {
    const detail = e.detail as { deploymentId?: string; eventName?: string };
    return (
      e["detail-type"] === "ECS Deployment State Change" &&
      detail.deploymentId === deploymentId &&
      detail.eventName !== "SERVICE_DEPLOYMENT_IN_PROGRESS"
    );
  });
}

async function describeService(name: string) {
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: "proc", services: [name] }),
  );
  return described.services?.[0];
}

async function describeTask(arn: string) {
  const described = await ecs.send(new DescribeTasksCommand({ cluster: "proc", tasks: [arn] }));
  return described.tasks?.[0];
}

async function runningTask(service: string) {
  const arns =
    (await ecs.send(new ListTasksCommand({ cluster: "proc", serviceName: service }))).taskArns ??
    [];
  for (const arn of arns) {
    const task = await describeTask(arn);
    if (task?.lastStatus === "RUNNING") return task;
  }
  return undefined;
}

async function answer(port: number): Promise<string | undefined> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/`)).text();
  } catch {
    return undefined;
  }
}

describe("tasks as child processes", () => {
  it("runs the container program with its environment, PORT and the ECS variables", async () => {
    await register(
      "graceful",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/microscale-graceful:v1",
    );
    await createService("web", "graceful");
    const task = await waitFor("a running task", () => runningTask("web"));
    const port = task.containers?.[0]?.networkBindings?.[0]?.hostPort ?? 0;
    const body = await waitFor("the task answering", () => answer(port));
    expect(JSON.parse(body)).toEqual({ task: task.taskArn, greeting: "hello" });
    expect(cloud.ecs.runningEndpoints("proc", "web")).toEqual([
      { taskArn: task.taskArn, containerName: "main", host: "127.0.0.1", port },
    ]);
  });

  it("stops with SIGTERM: a program that exits on it stops at once with exit code 0", async () => {
    await register("graceful", "microscale-graceful");
    await createService("web", "graceful");
    const task = await waitFor("a running task", () => runningTask("web"));
    await waitFor("listening", () =>
      cloud.ecs.taskLogs(task.taskArn ?? "").includes("main: listening"),
    );
    await ecs.send(
      new StopTaskCommand({ cluster: "proc", task: task.taskArn, reason: "test says stop" }),
    );
    const stopped = await waitFor("STOPPED", async () => {
      const current = await describeTask(task.taskArn ?? "");
      return current?.lastStatus === "STOPPED" ? current : undefined;
    });
    expect(stopped).toMatchObject({
      stoppedReason: "test says stop",
      stopCode: "UserInitiated",
      desiredStatus: "STOPPED",
    });
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
    expect(cloud.ecs.taskLogs(task.taskArn ?? "")).toContain("main: SIGTERM received, exiting");
  });

  it("sends SIGKILL after the stop timeout when SIGTERM is ignored (exit code 137)", async () => {
    await register("stubborn", "microscale-stubborn", { stopTimeout: 1 });
    await createService("stuck", "stubborn");
    const task = await waitFor("a running task", () => runningTask("stuck"));
    await waitFor("listening", () =>
      cloud.ecs.taskLogs(task.taskArn ?? "").includes("main: listening"),
    );
    const started = Date.now();
    await ecs.send(new StopTaskCommand({ cluster: "proc", task: task.taskArn }));
    const stopped = await waitFor("STOPPED", async () => {
      const current = await describeTask(task.taskArn ?? "");
      return current?.lastStatus === "STOPPED" ? current : undefined;
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(cloud.ecs.taskLogs(task.taskArn ?? "")).toContain("main: SIGTERM ignored");
  });

  it("records a crash's exit code, and the service starts a replacement", async () => {
    await register("crasher", "microscale-crasher");
    await createService("crashy", "crasher");
    const stop = await waitFor("a STOPPED task event", stoppedTaskEvent);
    expect(stop.detail).toMatchObject({
      stoppedReason: "Essential container in task exited",
      stopCode: "EssentialContainerExited",
      containers: [expect.objectContaining({ exitCode: 3, lastStatus: "STOPPED" })],
    });
    await waitFor("a second task started", () => {
      const started = new Set(
        events
          .filter((e) => e["detail-type"] === "ECS Task State Change")
          .map((e) => (e.detail as { taskArn: string }).taskArn),
      );
      return started.size >= 2;
    });
  });

  it.each([
    ["", {}],
    // Node's start-up is the container runtime's, not the program's: however long it takes
    // (a loaded machine), a crash right after the program starts is a failed task.
    [" after a slow Node start-up", { NODE_OPTIONS: `--require ${slowStart}` }],
  ])(
    "fails a deployment whose tasks keep crashing%s and rolls back with the circuit breaker",
    async (_, environment) => {
      await register("graceful", "microscale-graceful");
      await register("crasher", "microscale-crasher", {}, environment);
      await createService("guarded", "graceful", 1, true);
      await waitFor("first deployment completed", async () => {
        const service = await describeService("guarded");
        return service?.deployments?.[0]?.rolloutState === "COMPLETED";
      });
      await ecs.send(
        new UpdateServiceCommand({
          cluster: "proc",
          service: "guarded",
          taskDefinition: "crasher",
        }),
      );
      const deploymentId = (await describeService("guarded"))?.deployments?.[0]?.id;
      // The breaker's threshold is 3 failed tasks (desired 1): each crashed start is a node
      // process, slow on a loaded machine, so each gets its own deadline, and a rollout that
      // ends any other way ends the wait at once.
      for (let crashes = 1; crashes <= 3; crashes++) {
        await waitFor(
          `crashed start ${crashes} of 3`,
          () => crashedStarts("crasher") >= crashes || rolloutEnd(deploymentId) !== undefined,
        );
      }
      const end = await waitFor("the crasher rollout ended", () => rolloutEnd(deploymentId));
      expect(end).toMatchObject({
        "detail-type": "ECS Deployment State Change",
        detail: {
          eventName: "SERVICE_DEPLOYMENT_FAILED",
          eventType: "ERROR",
          reason: "ECS deployment circuit breaker: tasks failed to start.",
        },
      });
      // AWS's threshold for a desired count of 1 is its minimum, 3 (the bus keeps publish order).
      expect(crashedStarts("crasher", events.indexOf(end))).toBe(3);
      expect(
        events.some(
          (e) => (e.detail as { eventName?: string }).eventName === "SERVICE_TASK_START_IMPAIRED",
        ),
      ).toBe(true);
      const service = await waitFor("rolled back", async () => {
        const current = await describeService("guarded");
        return current?.deployments?.length === 1 &&
          current.deployments[0]?.rolloutState === "COMPLETED"
          ? current
          : undefined;
      });
      expect(service.taskDefinition).toContain("task-definition/graceful:1");
    },
    60_000,
  );

  it("fails a task whose image matches no containers/ folder", async () => {
    await register("ghost", "microscale-nothing-here");
    await createService("ghost", "ghost");
    const stop = await waitFor("a STOPPED task event", stoppedTaskEvent);
    expect(stop.detail).toMatchObject({
      stopCode: "TaskFailedToStart",
      stoppedReason: expect.stringContaining("CannotPullContainerError"),
    });
  });

  it("runs the project's own containers/ workloads, bundled by containers/build.ts", async () => {
    // Prepare: a second cloud on the default containersDir.
    const project = await bootCloud({ runTasks: "processes", containersDir: undefined });
    try {
      project.ecs.ensureCluster("project");
      project.ecs.registerHost({ cluster: "project" });
      await project.ecs.handle("RegisterTaskDefinition", {
        family: "backend",
        containerDefinitions: [
          {
            name: "backend",
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/microscale-backend:latest",
            memory: 128,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      });
      // Act
      await project.ecs.handle("CreateService", {
        cluster: "project",
        serviceName: "backend",
        taskDefinition: "backend",
        desiredCount: 1,
      });
      // Assess
      const [endpoint] = await waitFor("a backend endpoint", () => {
        const endpoints = project.ecs.runningEndpoints("project", "backend");
        return endpoints.length > 0 ? endpoints : undefined;
      });
      const response = await waitFor("the backend answering", async () => {
        try {
          return await fetch(`http://127.0.0.1:${endpoint?.port}/health`);
        } catch {
          return undefined;
        }
      });
      expect(response.status).toBe(200);
    } finally {
      await project.stop();
    }
  });

  it("stop() ends every child process and releases the ports", async () => {
    await register("graceful", "microscale-graceful");
    await register("stubborn", "microscale-stubborn", { stopTimeout: 1 });
    await createService("web", "graceful");
    await createService("stuck", "stubborn");
    const ports: number[] = [];
    for (const name of ["web", "stuck"]) {
      const task = await waitFor(`${name} running`, () => runningTask(name));
      const port = task.containers?.[0]?.networkBindings?.[0]?.hostPort ?? 0;
      await waitFor(`${name} answering`, () => answer(port));
      ports.push(port);
    }
    await cloud.stop();
    for (const port of ports) expect(await answer(port)).toBeUndefined();
    await expect(fetch(cloud.endpoint)).rejects.toThrow();
  });
});
