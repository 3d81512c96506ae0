import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { capacityProvider, hostGroup, quickCapacity } from "./capacity-fixture";
import { bootCloud, clientsFor } from "./helpers";

const cluster = "capacity";
const groupName = "capacity-hosts";
const provider = "capacity-provider";
let cloud: LocalCloud;
let clients: ReturnType<typeof clientsFor>;

/** A group of 1..maxSize hosts of 1024 CPU units, a capacity provider on it, the cluster's default. */
async function capacity(options: {
  maxSize: number;
  targetCapacity: number;
  desired?: number;
  managedTerminationProtection?: "ENABLED" | "DISABLED";
}) {
  hostGroup(cloud, { cluster, name: groupName, ...options });
  await capacityProvider(clients, {
    cluster,
    name: provider,
    group: groupName,
    targetCapacity: options.targetCapacity,
    managedTerminationProtection: options.managedTerminationProtection,
  });
}

/** `count` tasks of 512 CPU units: two per host. */
async function service(name: string, count: number) {
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: "half",
      desiredCount: count,
      capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
    }),
  );
}

const group = () => {
  const found = cloud.autoscaling.group(groupName);
  if (found === undefined) throw new Error("no group");
  return found;
};
const inService = () => group().instances.filter((i) => i.lifecycleState === "InService").length;
const running = async (name: string) => {
  const { services = [] } = await clients.ecs.send(
    new DescribeServicesCommand({ cluster, services: [name] }),
  );
  return services[0]?.runningCount ?? 0;
};

beforeEach(async () => {
  cloud = await bootCloud(quickCapacity);
  clients = clientsFor(cloud);
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "half",
      containerDefinitions: [{ name: "app", image: "app:latest", cpu: 512, memory: 256 }],
    }),
  );
});

afterEach(async () => {
  await cloud.stop();
});

describe("ECS capacity providers with managed scaling", () => {
  it("DescribeClusters names the cluster's capacity providers and default strategy", async () => {
    // Prepare
    await capacity({ maxSize: 4, targetCapacity: 100 });

    // Act
    const { clusters = [] } = await clients.ecs.send(
      new DescribeClustersCommand({ clusters: [cluster] }),
    );

    // Assess: what lib/auto-scaling-groups.ts reads to find the groups behind a cluster
    expect(clusters[0]).toMatchObject({
      capacityProviders: [provider],
      defaultCapacityProviderStrategy: [{ capacityProvider: provider, weight: 1, base: 0 }],
    });
  });

  it("describes the provider and refuses a strategy naming one the cluster lacks", async () => {
    await capacity({ maxSize: 4, targetCapacity: 100 });
    const { capacityProviders = [] } = await clients.ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: [provider] }),
    );
    expect(capacityProviders[0]).toMatchObject({
      name: provider,
      status: "ACTIVE",
      autoScalingGroupProvider: {
        autoScalingGroupArn: groupName,
        managedScaling: { status: "ENABLED", targetCapacity: 100, maximumScalingStepSize: 2 },
        managedDraining: "ENABLED",
      },
    });
    // DescribeClusters names the cluster's capacity providers and its default strategy.
    const { clusters = [] } = await clients.ecs.send(
      new DescribeClustersCommand({ clusters: [cluster] }),
    );
    expect(clusters[0]).toMatchObject({
      capacityProviders: [provider],
      defaultCapacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
    });
    await expect(
      clients.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: "elsewhere",
          taskDefinition: "half",
          desiredCount: 1,
          capacityProviderStrategy: [{ capacityProvider: "other" }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("scales out for PROVISIONING tasks to what they need, and no further", async () => {
    // Prepare: one host; six tasks need three.
    await capacity({ maxSize: 6, targetCapacity: 100 });
    await waitFor("the first host", () => inService() === 1);
    // Act
    await service("web", 6);
    // Assess
    await waitFor("six tasks running", async () => (await running("web")) === 6, 20_000);
    expect(group().desiredCapacity).toBe(3);
    // More passes change nothing: every host is needed.
    cloud.managedScaling.pass();
    cloud.managedScaling.pass();
    expect(group().desiredCapacity).toBe(3);
    const figures = cloud.managedScaling.latest()[0];
    expect(figures).toMatchObject({ m: 3, n: 3, reservation: 100 });
  });

  it("stops at MaxSize, the rest of the tasks still waiting", async () => {
    await capacity({ maxSize: 2, targetCapacity: 100 });
    await service("web", 6);
    await waitFor("four tasks running", async () => (await running("web")) === 4, 20_000);
    await waitFor("a pass seeing the waiting tasks", () => {
      const figures = cloud.managedScaling.latest()[0];
      return figures !== undefined && figures.n === 2 && figures.hostsNeeded === 1 && figures;
    });
    expect(group().desiredCapacity).toBe(2);
    expect(await running("web")).toBe(4);
    expect(cloud.managedScaling.latest()[0]?.reservation).toBe(150);
  });

  it("leaves a service of the EC2 launch type off the cluster's default strategy: what fits nowhere fails placement", async () => {
    // Prepare: one host of two slots, the capacity provider the cluster's default.
    await capacity({ maxSize: 4, targetCapacity: 100 });
    await waitFor("the first host", () => inService() === 1);

    // Act: four tasks of the EC2 launch type, as the template's per-host and low-priority services.
    const { service: created } = await clients.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "expendable",
        taskDefinition: "half",
        desiredCount: 4,
        launchType: "EC2",
      }),
    );

    // Assess: two run, two fail placement (no PROVISIONING), and managed scaling adds no host.
    expect(created).toMatchObject({ launchType: "EC2" });
    expect(created).not.toHaveProperty("capacityProviderStrategy");
    await waitFor("two tasks running", async () => (await running("expendable")) === 2);
    const { services = [] } = await clients.ecs.send(
      new DescribeServicesCommand({ cluster, services: ["expendable"] }),
    );
    expect(services[0]?.events?.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/was unable to place a task because no container instance met/),
    );
    cloud.managedScaling.pass();
    expect(cloud.managedScaling.latest()[0]).toMatchObject({ hostsNeeded: 0, reservation: 100 });
    expect(group().desiredCapacity).toBe(1);
    await expect(
      clients.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: "both",
          taskDefinition: "half",
          launchType: "EC2",
          capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("keeps spare hosts below a target capacity of 50", async () => {
    await capacity({ maxSize: 6, targetCapacity: 50 });
    await service("web", 4);
    await waitFor("four tasks running", async () => (await running("web")) === 4, 20_000);
    // Two hosts are busy; at 50 % the group holds twice that.
    await waitFor("four hosts", () => group().desiredCapacity === 4 && inService() === 4, 20_000);
  });

  it("publishes CapacityProviderReservation to AWS/ECS/ManagedScaling", async () => {
    await capacity({ maxSize: 2, targetCapacity: 100 });
    await service("web", 6);
    await waitFor("four tasks running", async () => (await running("web")) === 4, 20_000);
    const end = new Date(cloud.clock.now() + 60_000);
    const { MetricDataResults = [] } = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 600_000),
        EndTime: end,
        MetricDataQueries: [
          {
            Id: "reservation",
            MetricStat: {
              Metric: {
                Namespace: "AWS/ECS/ManagedScaling",
                MetricName: "CapacityProviderReservation",
                Dimensions: [
                  { Name: "ClusterName", Value: cluster },
                  { Name: "CapacityProviderName", Value: provider },
                ],
              },
              Period: 60,
              Stat: "Maximum",
            },
          },
        ],
      }),
    );
    expect(Math.max(...(MetricDataResults[0]?.Values ?? []))).toBeGreaterThan(100);
  });

  it("with managed termination protection scales in only hosts that are empty, after the reservation stayed low", async () => {
    await capacity({ maxSize: 4, targetCapacity: 100, managedTerminationProtection: "ENABLED" });
    await service("web", 2);
    await waitFor("two tasks running", async () => (await running("web")) === 2, 20_000);
    const [busy] = group().instances.map((instance) => instance.instanceId);
    await clients.autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 3 }),
    );
    await waitFor("three hosts", () => inService() === 3);
    // One host holds both tasks; the two empty ones go.
    await waitFor(
      "one host left",
      () => group().desiredCapacity === 1 && group().instances.length === 1,
      20_000,
    );
    // The first host holds both tasks; the oldest, so without protection the first to go.
    expect(group().instances.map((instance) => instance.instanceId)).toEqual([busy]);
    expect(await running("web")).toBe(2);
  });
});
