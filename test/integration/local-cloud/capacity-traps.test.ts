import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { definition as perHostSync } from "../../../functions/desired-count-sync/index";
import { lambdaHandler } from "../../../functions/lib/handler";
import type { LocalCloud } from "../../../local/cloud";
import { lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";
import { waitFor } from "../../support/wait-for";
import { capacityProvider, hostGroup, quickCapacity } from "./capacity-fixture";
import { bootCloud, clientsFor } from "./helpers";

/**
 * The two traps of DESIGN.md ("Known traps"), as ECS managed scaling makes them happen
 * on AWS: (1) per-host replica tasks keep every host busy, so the group never scales
 * in by itself; (2) a per-host task that cannot fit on a full host waits, managed
 * scaling adds a host for it, a count of every ACTIVE host asks for one more task, and
 * the loop runs up to MaxSize — unless the per-host count leaves out hosts it cannot fit on.
 */

const cluster = "traps";
const groupName = "traps-hosts";
const provider = "traps-provider";
const maxSize = 4;
let cloud: LocalCloud;
let clients: ReturnType<typeof clientsFor>;
let unfollow: () => void = () => {};

const group = () => {
  const found = cloud.autoscaling.group(groupName);
  if (found === undefined) throw new Error("no group");
  return found;
};
const inService = () => group().instances.filter((i) => i.lifecycleState === "InService").length;
const activeHosts = () =>
  cloud.ecs.containerInstancesOf(cluster).filter((i) => i.status === "ACTIVE").length;
const service = async (name: string) => {
  const { services = [] } = await clients.ecs.send(
    new DescribeServicesCommand({ cluster, services: [name] }),
  );
  return services[0];
};
/** A pass that sees nothing waiting and every launched host InService: scaling is done. */
const settled = () =>
  waitFor("managed scaling to settle", () => {
    cloud.managedScaling.pass();
    const figures = cloud.managedScaling.latest()[0];
    return (
      figures !== undefined &&
      figures.hostsNeeded === 0 &&
      figures.n === group().desiredCapacity &&
      figures
    );
  });

async function definitions() {
  for (const [family, cpu] of [
    ["agent", 64],
    ["fill", 1024],
    ["small", 128],
  ] as const) {
    await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: family, image: `${family}:latest`, cpu, memory: 64 }],
      }),
    );
  }
}

beforeEach(async () => {
  cloud = await bootCloud(quickCapacity);
  clients = clientsFor(cloud);
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await definitions();
  hostGroup(cloud, { cluster, name: groupName, maxSize, zones: ["us-east-1a"] });
  await capacityProvider(clients, {
    cluster,
    name: provider,
    group: groupName,
    maximumScalingStepSize: 1,
  });
  await waitFor("the first host", () => activeHosts() === 1);
});

afterEach(async () => {
  unfollow();
  await cloud.stop();
});

async function perHostService() {
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: "agent",
      taskDefinition: "agent",
      desiredCount: 0,
      placementConstraints: [{ type: "distinctInstance" }],
      deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
      tags: [{ key: "microscale:per-host", value: "true" }],
    }),
  );
}

/** Sets the per-host count on every container instance change, one at a time, as `count` says. */
function followHosts(count: () => Promise<void>): void {
  let queue = Promise.resolve();
  unfollow = cloud.events.subscribe((event) => {
    if (event["detail-type"] !== "ECS Container Instance State Change") return;
    queue = queue.then(count).catch((error: unknown) => {
      throw new Error(`the per-host count failed: ${String(error)}`);
    });
  });
}

describe("trap 1: per-host replica tasks keep every host busy", () => {
  it("a cluster whose every host runs a per-host task never scales in by itself", async () => {
    // Prepare: three hosts, one small task, and the per-host task on each.
    await clients.autoscaling.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: groupName,
        DesiredCapacity: 3,
      }),
    );
    await waitFor("three hosts", () => activeHosts() === 3);
    await perHostService();
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "small",
        taskDefinition: "small",
        desiredCount: 1,
      }),
    );
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster, service: "agent", desiredCount: 3 }),
    );
    await waitFor("three per-host tasks", async () => (await service("agent"))?.runningCount === 3);
    // Act: managed scaling, well past its scale-in wait.
    const figures = await settled();
    // Assess: two hosts hold nothing but the per-host task, yet every host counts as needed.
    expect(figures).toMatchObject({ m: 3, n: 3, reservation: 100 });
    expect(group().desiredCapacity).toBe(3);
    // Without the per-host task the same two hosts are empty, and they go.
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster, service: "agent", desiredCount: 0 }),
    );
    await waitFor("the empty hosts scaled in", () => group().desiredCapacity === 1, 20_000);
  });
});

describe("trap 2: a per-host task that cannot fit on a full host", () => {
  /** A full host: its only task takes all of its CPU, so the per-host task cannot join it. */
  async function fullHost() {
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "fill",
        taskDefinition: "fill",
        desiredCount: 1,
      }),
    );
    await waitFor("the host full", async () => (await service("fill"))?.runningCount === 1);
    await perHostService();
  }

  it("counting every ACTIVE host makes managed scaling add hosts up to MaxSize", async () => {
    // Prepare: the naive per-host count, one task per ACTIVE host.
    await fullHost();
    followHosts(async () => {
      await clients.ecs.send(
        new UpdateServiceCommand({ cluster, service: "agent", desiredCount: activeHosts() }),
      );
    });
    // Act
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster, service: "agent", desiredCount: 1 }),
    );
    // Assess: the loop runs to MaxSize, one per-host task still waiting for the full host.
    await waitFor("hosts up to MaxSize", () => inService() === maxSize, 20_000);
    expect(group().desiredCapacity).toBe(maxSize);
    const agent = await waitFor("a per-host task on every host but the full one", async () => {
      const described = await service("agent");
      return described?.desiredCount === maxSize && described.runningCount === maxSize - 1;
    });
    expect(agent).toBe(true);
  });

  it("the per-host sync, which counts only hosts the task fits on, adds no host for it", async () => {
    // Prepare: the real DesiredCountSyncFunction, run on every container instance change.
    const sync = lambdaHandler(perHostSync, {
      deps: { ecs: clients.ecs },
      env: () => ({ CLUSTER: cluster }),
      observability: recordingObservability,
    });
    // Its scheduled reconcile, for every container instance change and once now.
    const reconcile = () =>
      sync(sampleEvent("desired-count-sync", "scheduled-reconcile"), lambdaContext());
    await fullHost();
    followHosts(async () => {
      await reconcile();
    });
    // Act
    const summary = await reconcile();
    const figures = await settled();
    // Assess: the full host is reported unfit and not counted, so no task waits for it and
    // managed scaling adds no host.
    expect(JSON.stringify(summary)).toContain('"reason":"RESOURCE:CPU"');
    expect(figures.hostsNeeded).toBe(0);
    expect(group().desiredCapacity).toBe(1);
    expect(await service("agent")).toMatchObject({ desiredCount: 0 });
  });
});
