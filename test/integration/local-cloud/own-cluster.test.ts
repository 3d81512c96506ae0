import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ListClustersCommand,
  ListServicesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { localTemplate, quietFunctionLogs } from "../../../local/scenario/system";
import { type WiredCloud, wireTemplate } from "../../../local/wiring/wire";
import { sampleEvent } from "../../support/events";
import { waitFor } from "../../support/wait-for";
import { bootCloud, clientsFor } from "./helpers";

/**
 * The controllers-only mode (ExistingClusterName) on the local cloud: a cluster, its
 * hosts and a tagged per-host service made through the SDK, as a platform team's own
 * cluster would be, then template.yaml wired with only the controllers for it. Hosts
 * join and leave; the per-host service follows.
 */

const clusterName = "platform";
let cloud: LocalCloud;
let wired: WiredCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
let hostNumber = 0;

async function registerHost(): Promise<string> {
  hostNumber++;
  const registered = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: clusterName,
      instanceIdentityDocument: JSON.stringify({
        instanceId: `i-${String(hostNumber).padStart(17, "0")}`,
        instanceType: "t3.small",
        availabilityZone: "us-east-1a",
      }),
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 2048 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1900 },
      ],
    }),
  );
  return registered.containerInstance?.containerInstanceArn ?? "";
}

async function perHostCounts(): Promise<{ desired: number; running: number }> {
  const { services = [] } = await ecs.send(
    new DescribeServicesCommand({ cluster: clusterName, services: ["node-agent"] }),
  );
  return { desired: services[0]?.desiredCount ?? -1, running: services[0]?.runningCount ?? -1 };
}

const following = (hosts: number) => async () => {
  const counts = await perHostCounts();
  return counts.desired === hosts && counts.running === hosts && counts;
};

beforeAll(async () => {
  quietFunctionLogs();
  cloud = await bootCloud({ runTasks: "simulated" });
  ecs = clientsFor(cloud, 3).ecs;
  // Prepare: the platform team's cluster, two hosts and a per-host service at 0.
  await ecs.send(new CreateClusterCommand({ clusterName }));
  await registerHost();
  await registerHost();
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "node-agent",
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      containerDefinitions: [
        { name: "agent", image: "agent", cpu: 64, memory: 64, essential: true },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: clusterName,
      serviceName: "node-agent",
      taskDefinition: "node-agent",
      desiredCount: 0,
      placementConstraints: [{ type: "distinctInstance" }],
      deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
      tags: [{ key: "microscale:per-host", value: "true" }],
    }),
  );
  wired = await wireTemplate(cloud, {
    template: localTemplate({ ExistingClusterName: clusterName }),
    onError: (where, error) => console.error(`${where}:`, error),
  });
});

afterAll(async () => {
  await wired?.stop();
  await cloud?.stop();
});

describe("controllers only, on a cluster the template did not create", () => {
  it("wires the controllers and nothing of the demo stack", async () => {
    const { clusterArns = [] } = await ecs.send(new ListClustersCommand({}));
    expect(clusterArns.map((arn) => arn.split("/").pop())).toEqual([clusterName]);
    const { serviceArns = [] } = await ecs.send(new ListServicesCommand({ cluster: clusterName }));
    expect(serviceArns.map((arn) => arn.split("/").pop())).toEqual(["node-agent"]);
    expect(wired.loadBalancers.size).toBe(0);
    expect(wired.lambda.definitions.map((d) => d.logicalId).sort()).toEqual([
      "BenchmarkRunnerFunction",
      "DesiredCountSyncFunction",
      "HostConsolidatorFunction",
    ]);
  });

  it("consolidates no host of a cluster whose hosts are in no Auto Scaling group", async () => {
    // Act: no group named, no capacity provider: the consolidator finds no group to act through.
    const summary = (await wired.lambda.invoke(
      "HostConsolidatorFunction",
      sampleEvent("host-consolidator", "scheduled-tick"),
    )) as { consolidated: number; clusters: { hosts: { reason: string }[] }[] };

    // Assess
    expect(summary.consolidated).toBe(0);
    const reasons = summary.clusters.flatMap((c) => c.hosts.map((h) => h.reason));
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(["unmanaged"]));
  });

  it("hosts join and leave the cluster, and the per-host service follows", async () => {
    // The first reconcile (or a host's event) brings the service to the two hosts.
    await wired.lambda.invoke("DesiredCountSyncFunction", {
      version: "0",
      id: "reconcile",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: cloud.accountId,
      time: new Date().toISOString(),
      region: cloud.region,
      resources: [],
      detail: {},
    });
    expect(await waitFor("the service on 2 hosts", following(2))).toEqual({
      desired: 2,
      running: 2,
    });

    // Act: a third host joins; its registration event reaches the sync.
    const third = await registerHost();
    await waitFor("the service on 3 hosts", following(3));

    // Act: that host drains, as managed draining takes it out.
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: clusterName,
        containerInstances: [third],
        status: "DRAINING",
      }),
    );
    expect(await waitFor("the service back on 2 hosts", following(2))).toEqual({
      desired: 2,
      running: 2,
    });
  });
});
