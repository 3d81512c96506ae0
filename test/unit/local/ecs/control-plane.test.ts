import { afterEach, describe, expect, it } from "vitest";
import { EcsControlPlane } from "../../../../local/ecs/control-plane";
import { SimulatedTaskRunner } from "../../../../local/ecs/runners/simulated-runner";
import { InProcessEventBus } from "../../../../local/eventbridge/bus";
import { waitFor } from "../../../support/wait-for";

let ecs: EcsControlPlane | undefined;

afterEach(async () => {
  await ecs?.stop();
});

describe("EcsControlPlane options", () => {
  it("takes the default for an option passed as undefined (10 failed starts, not 1)", async () => {
    // Prepare: options as local/cloud.ts passes them, unset ones undefined.
    const runner = new SimulatedTaskRunner();
    ecs = new EcsControlPlane({
      region: "us-east-1",
      accountId: "000000000000",
      runner,
      bus: new InProcessEventBus(),
      stopTimeoutMs: 1_000,
      reconcileIntervalMs: undefined,
      failedTasksThreshold: undefined,
      // The rollout stays IN_PROGRESS, so the crash counts against it.
      taskStabilizationMs: 60_000,
    });
    ecs.start();
    ecs.ensureCluster("opts");
    ecs.registerHost({ cluster: "opts" });
    await ecs.handle("RegisterTaskDefinition", {
      family: "app",
      containerDefinitions: [{ name: "app", image: "microscale-graceful", memory: 64 }],
    });
    await ecs.handle("CreateService", {
      cluster: "opts",
      serviceName: "app",
      taskDefinition: "app",
      desiredCount: 1,
    });
    const [first] = await waitFor("a running task", () => {
      const running = ecs?.tasksOf("opts", "app").filter((t) => t.lastStatus === "RUNNING");
      return running !== undefined && running.length > 0 ? running : undefined;
    });

    // Act: the task crashes once.
    runner.exit(first?.taskArn ?? "", 1);

    // Assess: its replacement starts, and the rollout (no circuit breaker) goes on.
    await waitFor("a replacement", () =>
      ecs?.tasksOf("opts", "app").some((t) => t.taskArn !== first?.taskArn),
    );
    expect(ecs.describeService("opts", "app")?.deployments?.[0]).toMatchObject({
      failedTasks: 1,
      rolloutState: "IN_PROGRESS",
    });
  });
});
