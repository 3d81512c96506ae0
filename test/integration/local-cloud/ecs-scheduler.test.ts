import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type PlacementConstraint,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BusEvent, LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
let events: BusEvent[];

beforeEach(async () => {
  cloud = await bootCloud({ runTasks: "simulated", reconcileIntervalMs: 20 });
  ecs = clientsFor(cloud).ecs;
  events = [];
  cloud.events.subscribe((event) => events.push(event));
  await ecs.send(new CreateClusterCommand({ clusterName: "sched" }));
  for (const family of ["agent", "agent-v2"]) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          {
            name: "agent",
            image: "microscale-graceful:latest",
            cpu: 128,
            memory: 128,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
  }
});

afterEach(async () => {
  await cloud.stop();
});

function hosts(count: number, zone = "us-east-1a", instanceType = "t3.micro"): string[] {
  return Array.from({ length: count }, () => {
    const host = cloud.ecs.registerHost({
      cluster: "sched",
      availabilityZone: zone,
      instanceType,
      cpu: 1024,
      memory: 1024,
    });
    return host.containerInstanceArn;
  });
}

function createService(
  name: string,
  family: string,
  desiredCount: number,
  placementConstraints?: PlacementConstraint[],
) {
  return ecs.send(
    new CreateServiceCommand({
      cluster: "sched",
      serviceName: name,
      taskDefinition: family,
      desiredCount,
      placementConstraints,
    }),
  );
}

async function service(name: string) {
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: "sched", services: [name] }),
  );
  return described.services?.[0];
}

async function runningTasks(name: string) {
  const arns =
    (await ecs.send(new ListTasksCommand({ cluster: "sched", serviceName: name }))).taskArns ?? [];
  if (arns.length === 0) return [];
  const tasks =
    (await ecs.send(new DescribeTasksCommand({ cluster: "sched", tasks: arns }))).tasks ?? [];
  return tasks.filter((task) => task.lastStatus === "RUNNING");
}

const steady = (name: string, count: number) => async () => {
  const current = await service(name);
  return current?.runningCount === count &&
    current.deployments?.length === 1 &&
    current.pendingCount === 0
    ? current
    : undefined;
};

describe("service scheduler", () => {
  it("places one task per instance with distinctInstance and reports steady state", async () => {
    // Prepare
    hosts(3);
    // Act
    await createService("agent", "agent", 3, [{ type: "distinctInstance" }]);
    // Assess
    await waitFor("3 running agents", steady("agent", 3));
    const tasks = await runningTasks("agent");
    expect(new Set(tasks.map((task) => task.containerInstanceArn)).size).toBe(3);
    const bindings = tasks.map((task) => task.containers?.[0]?.networkBindings?.[0]);
    expect(
      bindings.every((binding) => binding?.containerPort === 8080 && (binding.hostPort ?? 0) > 0),
    ).toBe(true);
    await waitFor("steady-state event", () =>
      events.some(
        (e) =>
          e["detail-type"] === "ECS Service Action" &&
          (e.detail as { eventName: string }).eventName === "SERVICE_STEADY_STATE",
      ),
    );
    const deployment = (await service("agent"))?.deployments?.[0];
    expect(deployment).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      runningCount: 3,
    });
    // Placing a task changes the instance's remaining resources: AWS reports that too.
    const resourceChange = events.find(
      (e) =>
        e["detail-type"] === "ECS Container Instance State Change" &&
        (
          e.detail as { remainingResources: { name: string; integerValue?: number }[] }
        ).remainingResources.some((r) => r.name === "CPU" && r.integerValue === 1024 - 128),
    );
    expect(resourceChange?.detail).toMatchObject({
      status: "ACTIVE",
      agentConnected: true,
      version: expect.any(Number),
    });
  });

  it("leaves tasks unplaced when distinctInstance runs out of instances, and says why", async () => {
    hosts(2);
    await createService("agent", "agent", 3, [{ type: "distinctInstance" }]);
    const failure = await waitFor("placement failure event", () =>
      events.find(
        (e) => (e.detail as { eventName?: string }).eventName === "SERVICE_TASK_PLACEMENT_FAILURE",
      ),
    );
    expect(failure).toMatchObject({
      "detail-type": "ECS Service Action",
      source: "aws.ecs",
      resources: ["arn:aws:ecs:us-east-1:000000000000:service/sched/agent"],
      detail: { eventType: "ERROR", reason: "DistinctInstance placement constraint unsatisfied." },
    });
    await waitFor("2 running", async () => (await service("agent"))?.runningCount === 2);
    expect(
      (await service("agent"))?.events?.some((e) =>
        e.message?.includes("was unable to place a task"),
      ),
    ).toBe(true);

    // A host joining lets the third task land.
    hosts(1);
    await waitFor("3 running", steady("agent", 3));
  });

  it("places only on instances matching memberOf", async () => {
    hosts(2, "us-east-1a", "t3.micro");
    const large = hosts(2, "us-east-1b", "m5.large");
    await createService("big", "agent", 4, [
      { type: "memberOf", expression: "attribute:ecs.instance-type =~ m5.*" },
    ]);
    await waitFor("4 running", steady("big", 4));
    const tasks = await runningTasks("big");
    expect(tasks.every((task) => large.includes(task.containerInstanceArn ?? ""))).toBe(true);
  });

  it("replaces tasks on a DRAINING instance elsewhere and never places there", async () => {
    const [first = "", second = "", third = ""] = hosts(3);
    await createService("web", "agent", 2, [{ type: "distinctInstance" }]);
    await waitFor("2 running", steady("web", 2));
    const before = await runningTasks("web");
    const drained = before[0]?.containerInstanceArn ?? first;
    // Act
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "sched",
        containerInstances: [drained],
        status: "DRAINING",
      }),
    );
    // Assess
    await waitFor("replacement on the ACTIVE instances", async () => {
      const tasks = await runningTasks("web");
      const current = await service("web");
      return (
        tasks.length === 2 &&
        tasks.every((task) => task.containerInstanceArn !== drained) &&
        current?.runningCount === 2
      );
    });
    const stopped = await ecs.send(
      new ListTasksCommand({ cluster: "sched", serviceName: "web", desiredStatus: "STOPPED" }),
    );
    expect(stopped.taskArns).toHaveLength(1);
    expect([first, second, third]).toContain(drained);
    const instanceEvent = events.find(
      (e) =>
        e["detail-type"] === "ECS Container Instance State Change" &&
        (e.detail as { status: string }).status === "DRAINING",
    );
    expect(instanceEvent?.detail).toMatchObject({
      containerInstanceArn: drained,
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/sched",
    });
  });

  it("never places on a DRAINING instance, even when it has room and no ACTIVE one has", async () => {
    // Prepare: host A DRAINING with room to spare; host B ACTIVE, then filled to its last CPU unit.
    const [draining = "", active = ""] = hosts(2);
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "sched",
        containerInstances: [draining],
        status: "DRAINING",
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "filler",
        containerDefinitions: [
          { name: "filler", image: "microscale-graceful:latest", cpu: 1024, memory: 128 },
        ],
      }),
    );
    const taskEvents = (group: string) =>
      events
        .filter((e) => e["detail-type"] === "ECS Task State Change")
        .map((e) => e.detail as { group: string; containerInstanceArn: string })
        .filter((detail) => detail.group === `service:${group}`);
    await createService("filler", "filler", 1);
    const [filler] = await waitFor("the filler placed", () => {
      const placed = taskEvents("filler");
      return placed.length > 0 ? placed : undefined;
    });
    expect(filler?.containerInstanceArn).toBe(active);

    // Act: no distinctInstance, so only the DRAINING status keeps the task off host A.
    await createService("web", "agent", 1);

    // Assess
    const failure = await waitFor("web unplaced, or a web task", () =>
      taskEvents("web").length > 0
        ? "placed"
        : events.find(
            (e) =>
              (e.detail as { eventName?: string }).eventName === "SERVICE_TASK_PLACEMENT_FAILURE" &&
              e.resources.includes("arn:aws:ecs:us-east-1:000000000000:service/sched/web"),
          ),
    );
    expect(taskEvents("web")).toEqual([]);
    expect(failure).toMatchObject({ detail: { reason: "RESOURCE:CPU" } });
    const [joined = ""] = hosts(1);
    await waitFor("web running on the new host", steady("web", 1));
    expect((await runningTasks("web")).map((task) => task.containerInstanceArn)).toEqual([joined]);
    expect(
      [...taskEvents("web"), ...taskEvents("filler")].filter(
        (task) => task.containerInstanceArn === draining,
      ),
    ).toEqual([]);
  });

  it("rolls out a new task definition: PRIMARY and ACTIVE deployments, then COMPLETED", async () => {
    hosts(3);
    await createService("roll", "agent", 3);
    await waitFor("3 running", steady("roll", 3));
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: "sched", service: "roll", taskDefinition: "agent-v2" }),
    );
    const deployments = updated.service?.deployments ?? [];
    expect(deployments.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    expect(deployments[0]).toMatchObject({
      rolloutState: "IN_PROGRESS",
      taskDefinition: expect.stringContaining("agent-v2:1"),
    });

    const done = await waitFor("rollout completed", steady("roll", 3));
    expect(done.deployments?.[0]).toMatchObject({
      rolloutState: "COMPLETED",
      taskDefinition: expect.stringContaining("agent-v2:1"),
    });
    const tasks = await runningTasks("roll");
    expect(tasks.every((task) => task.taskDefinitionArn?.includes("agent-v2"))).toBe(true);
    const names = events
      .filter((e) => e["detail-type"] === "ECS Deployment State Change")
      .map((e) => (e.detail as { eventName: string }).eventName);
    expect(names).toEqual([
      "SERVICE_DEPLOYMENT_IN_PROGRESS",
      "SERVICE_DEPLOYMENT_COMPLETED",
      "SERVICE_DEPLOYMENT_IN_PROGRESS",
      "SERVICE_DEPLOYMENT_COMPLETED",
    ]);
  });

  it("scales in and out with desiredCount and emits task state changes", async () => {
    hosts(2);
    await createService("scale", "agent", 4);
    await waitFor("4 running", steady("scale", 4));
    await ecs.send(
      new UpdateServiceCommand({ cluster: "sched", service: "scale", desiredCount: 1 }),
    );
    await waitFor("1 running", steady("scale", 1));
    const stops = events.filter(
      (e) =>
        e["detail-type"] === "ECS Task State Change" &&
        (e.detail as { lastStatus: string }).lastStatus === "STOPPED",
    );
    expect(stops).toHaveLength(3);
    expect(stops[0]?.detail).toMatchObject({
      group: "service:scale",
      desiredStatus: "STOPPED",
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: expect.stringContaining("Scaling activity initiated by"),
    });
  });
});
