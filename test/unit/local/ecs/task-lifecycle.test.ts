import { afterEach, describe, expect, it } from "vitest";
import { EcsControlPlane } from "../../../../local/ecs/control-plane";
import { SimulatedTaskRunner } from "../../../../local/ecs/runners/simulated-runner";
import { type BusEvent, InProcessEventBus } from "../../../../local/eventbridge/bus";
import { waitFor } from "../../../support/wait-for";

/**
 * A task's lastStatus from RUNNING to STOPPED, as the ECS task lifecycle orders it:
 * DEACTIVATING while its target groups drain it (desiredStatus STOPPED), STOPPING while
 * its containers are stopped, then STOPPED.
 */

const TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/1";
let ecs: EcsControlPlane | undefined;

afterEach(async () => {
  await ecs?.stop();
});

async function boot(withLoadBalancer: boolean) {
  const bus = new InProcessEventBus();
  const statuses = new Map<string, string[]>();
  bus.subscribe((event: BusEvent) => {
    if (event["detail-type"] !== "ECS Task State Change") return;
    const { taskArn, lastStatus, desiredStatus } = event.detail as {
      taskArn: string;
      lastStatus: string;
      desiredStatus: string;
    };
    const seen = statuses.get(taskArn) ?? [];
    seen.push(`${lastStatus}/${desiredStatus}`);
    statuses.set(taskArn, seen);
  });
  let drained: () => void = () => {};
  const draining = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const control = new EcsControlPlane({
    region: "us-east-1",
    accountId: "000000000000",
    runner: new SimulatedTaskRunner(),
    bus,
    stopTimeoutMs: 1_000,
  });
  ecs = control;
  control.attachTargetGroups({ health: () => "healthy", deregister: () => draining });
  control.start();
  control.ensureCluster("life");
  control.registerHost({ cluster: "life" });
  await control.handle("RegisterTaskDefinition", {
    family: "web",
    containerDefinitions: [
      { name: "web", image: "web", memory: 64, portMappings: [{ containerPort: 8080 }] },
    ],
  });
  await control.handle("CreateService", {
    cluster: "life",
    serviceName: "web",
    taskDefinition: "web",
    desiredCount: 1,
    ...(withLoadBalancer
      ? {
          loadBalancers: [
            { targetGroupArn: TARGET_GROUP, containerName: "web", containerPort: 8080 },
          ],
        }
      : {}),
  });
  const task = await waitFor("a RUNNING task", () =>
    control.tasksOf("life", "web").find((t) => t.lastStatus === "RUNNING"),
  );
  const taskArn = task.taskArn ?? "";
  const described = () => control.tasksOf("life").find((t) => t.taskArn === taskArn);
  return { control, taskArn, described, drained, seen: () => statuses.get(taskArn) ?? [] };
}

describe("a service task's way to STOPPED", () => {
  it("behind a load balancer: DEACTIVATING until drained, then STOPPING, then STOPPED", async () => {
    // Prepare
    const { control, described, drained, seen } = await boot(true);

    // Act: the service scales in
    await control.handle("UpdateService", { cluster: "life", service: "web", desiredCount: 0 });

    // Assess: desired STOPPED, DEACTIVATING while the target group drains it
    await waitFor("DEACTIVATING", () => described()?.lastStatus === "DEACTIVATING");
    expect(described()).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" });
    expect(control.describeService("life", "web")?.runningCount).toBe(0);
    drained();
    await waitFor("STOPPED", () => described()?.lastStatus === "STOPPED");
    await waitFor("the STOPPED event", () => seen().at(-1) === "STOPPED/STOPPED");
    expect(seen().slice(-3)).toEqual([
      "DEACTIVATING/STOPPED",
      "STOPPING/STOPPED",
      "STOPPED/STOPPED",
    ]);
  });

  it("behind no load balancer: straight to STOPPING, then STOPPED", async () => {
    const { control, described, seen } = await boot(false);

    await control.handle("UpdateService", { cluster: "life", service: "web", desiredCount: 0 });

    await waitFor("STOPPED", () => described()?.lastStatus === "STOPPED");
    await waitFor("the STOPPED event", () => seen().at(-1) === "STOPPED/STOPPED");
    expect(seen()).toEqual([
      "PENDING/RUNNING",
      "RUNNING/RUNNING",
      "STOPPING/STOPPED",
      "STOPPED/STOPPED",
    ]);
  });
});
