import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import {
  type AutoScalingGroup,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  InvalidNextToken,
  paginateDescribeScalingActivities,
  ResourceContentionFault,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { hostGroup } from "./capacity-fixture";
import { bootCloud, clientsFor } from "./helpers";

const cluster = "capacity";
const groupName = "capacity-hosts";
let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
let autoscaling: ReturnType<typeof clientsFor>["autoscaling"];

function createGroup(options: { desired: number; managedDraining: boolean }) {
  hostGroup(cloud, { cluster, name: groupName, maxSize: 3, ...options });
}

async function group(): Promise<AutoScalingGroup> {
  const { AutoScalingGroups = [] } = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
  );
  const [found] = AutoScalingGroups;
  if (found === undefined) throw new Error(`DescribeAutoScalingGroups left out ${groupName}`);
  return found;
}

/** Resolves once the group has exactly `count` instances, every one InService. */
function inService(count: number): Promise<AutoScalingGroup> {
  return waitFor(`${count} instances InService`, async () => {
    const described = await group();
    const instances = described.Instances ?? [];
    return (
      instances.length === count &&
      instances.every((instance) => instance.LifecycleState === "InService") &&
      described
    );
  });
}

/** The EC2 instance ids of the cluster's registered container instances. */
async function containerInstanceIds(): Promise<string[]> {
  const { containerInstanceArns = [] } = await ecs.send(
    new ListContainerInstancesCommand({ cluster }),
  );
  if (containerInstanceArns.length === 0) return [];
  const { containerInstances = [] } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns }),
  );
  return containerInstances.map((instance) => instance.ec2InstanceId ?? "").sort();
}

const instanceIds = (described: Pick<AutoScalingGroup, "Instances">) =>
  (described.Instances ?? []).map((instance) => instance.InstanceId ?? "").sort();

beforeEach(async () => {
  cloud = await bootCloud({
    runTasks: "simulated",
    reconcileIntervalMs: 20,
    hostBootSeconds: 0.05,
  });
  ({ ecs, autoscaling } = clientsFor(cloud));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
});

afterEach(async () => {
  await cloud.stop();
});

describe("EC2 Auto Scaling through @aws-sdk/client-auto-scaling", () => {
  it("launches the group's instances as container instances with their EC2 instance ids", async () => {
    // Prepare / Act
    await createGroup({ desired: 2, managedDraining: true });
    const described = await inService(2);
    // Assess
    expect(described).toMatchObject({
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 2,
      LaunchTemplate: { LaunchTemplateId: "lt-0123456789", Version: "1" },
    });
    expect(described.Instances?.[0]).toMatchObject({
      InstanceId: expect.stringMatching(/^i-[0-9a-f]{17}$/),
      LifecycleState: "InService",
      HealthStatus: "Healthy",
      ProtectedFromScaleIn: false,
      InstanceType: "t3.small",
      AvailabilityZone: "us-east-1a",
      LaunchTemplate: { LaunchTemplateName: "hosts" },
    });
    expect(await containerInstanceIds()).toEqual(instanceIds(described));
  });

  it("follows SetDesiredCapacity up and down, and refuses one beyond MaxSize", async () => {
    await createGroup({ desired: 1, managedDraining: true });
    await inService(1);
    await autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 3 }),
    );
    const up = await inService(3);
    expect(await containerInstanceIds()).toEqual(instanceIds(up));
    await autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 1 }),
    );
    const down = await inService(1);
    await waitFor(
      "one container instance left",
      async () => (await containerInstanceIds()).length === 1,
    );
    expect(await containerInstanceIds()).toEqual(instanceIds(down));
    const error = await autoscaling
      .send(new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 4 }))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AutoScalingServiceException);
    expect(error).toMatchObject({
      name: "ValidationError",
      message: "New SetDesiredCapacity value 4 is above max value 3 for the AutoScalingGroup.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("answers HonorCooldown within the cooldown with ScalingActivityInProgressFault", async () => {
    await createGroup({ desired: 1, managedDraining: true });
    await inService(1);
    await expect(
      autoscaling.send(
        new SetDesiredCapacityCommand({
          AutoScalingGroupName: groupName,
          DesiredCapacity: 2,
          HonorCooldown: true,
        }),
      ),
    ).rejects.toBeInstanceOf(ScalingActivityInProgressFault);
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, DefaultCooldown: 0 }),
    );
    await autoscaling.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: groupName,
        DesiredCapacity: 2,
        HonorCooldown: true,
      }),
    );
    expect((await group()).DesiredCapacity).toBe(2);
  });

  it("keeps every service's running count while managed draining empties a terminated host", async () => {
    // Prepare: three hosts, two services spread over them.
    await createGroup({ desired: 3, managedDraining: true });
    await inService(3);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app",
        containerDefinitions: [{ name: "app", image: "app:latest", cpu: 128, memory: 128 }],
      }),
    );
    const services = ["web", "worker"];
    for (const serviceName of services) {
      await ecs.send(
        new CreateServiceCommand({ cluster, serviceName, taskDefinition: "app", desiredCount: 2 }),
      );
    }
    const running = (service: string) =>
      cloud.ecs
        .tasksOf(cluster, service)
        .filter((task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING").length;
    await waitFor("both services running", () => services.every((s) => running(s) === 2));
    const lowest = new Map(services.map((service) => [service, running(service)]));
    // The busiest host goes.
    const busiest = (
      cloud.ecs.containerInstancesOf(cluster) as {
        ec2InstanceId: string;
        runningTasksCount: number;
      }[]
    ).sort((a, b) => b.runningTasksCount - a.runningTasksCount)[0];
    const stoppedReasons: string[] = [];
    // Every lifecycle state the host passes through, read in-process on each turn of the
    // event loop: a later DescribeAutoScalingGroups can arrive after the draining is over.
    const lifecycleStates = new Set<string>();
    const watch = setInterval(() => {
      const state = cloud.autoscaling.findInstance(busiest?.ec2InstanceId ?? "")?.instance;
      if (state !== undefined) lifecycleStates.add(state.lifecycleState);
    }, 1);
    cloud.events.subscribe((event) => {
      for (const service of services) {
        lowest.set(service, Math.min(lowest.get(service) ?? 0, running(service)));
      }
      const detail = event.detail as { lastStatus?: string; stoppedReason?: string };
      if (event["detail-type"] === "ECS Task State Change" && detail.lastStatus === "STOPPED") {
        stoppedReasons.push(detail.stoppedReason ?? "");
      }
    });
    // Act
    const { Activity } = await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: busiest?.ec2InstanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    await inService(2);
    await waitFor("the host deregistered", async () => (await containerInstanceIds()).length === 2);
    clearInterval(watch);
    // Assess
    expect(busiest?.runningTasksCount).toBeGreaterThan(0);
    expect(Object.fromEntries(lowest)).toEqual({ web: 2, worker: 2 });
    expect(stoppedReasons.length).toBeGreaterThan(0);
    expect(new Set(stoppedReasons)).toEqual(new Set(["Container instance is being drained"]));
    expect(services.map(running)).toEqual([2, 2]);
    // It waited in the termination hook while ECS drained it.
    expect(lifecycleStates).toContain("Terminating:Wait");
    expect(Activity).toMatchObject({
      Description: `Terminating EC2 instance: ${busiest?.ec2InstanceId}`,
      StatusCode: "MidLifecycleAction",
    });
  });

  it("shows instance protection and refuses an instance outside the group", async () => {
    await createGroup({ desired: 2, managedDraining: true });
    const [first] = instanceIds(await inService(2));
    await autoscaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: groupName,
        InstanceIds: [first ?? ""],
        ProtectedFromScaleIn: true,
      }),
    );
    const protectedIds = ((await group()).Instances ?? [])
      .filter((instance) => instance.ProtectedFromScaleIn)
      .map((instance) => instance.InstanceId);
    expect(protectedIds).toEqual([first]);
    await expect(
      autoscaling.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: groupName,
          InstanceIds: ["i-00000000000000000"],
          ProtectedFromScaleIn: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: `The instance i-00000000000000000 is not part of Auto Scaling group ${groupName}.`,
    });
  });

  it("lists scaling activities newest first, page by page with the SDK paginator", async () => {
    await createGroup({ desired: 2, managedDraining: true });
    const [first] = instanceIds(await inService(2));
    await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: first,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    await inService(2);
    const activities = [];
    for await (const page of paginateDescribeScalingActivities(
      { client: autoscaling, pageSize: 1 },
      { AutoScalingGroupName: groupName, MaxRecords: 1 },
    )) {
      expect(page.Activities).toHaveLength(1);
      activities.push(...(page.Activities ?? []));
    }
    expect(activities.map((activity) => activity.Description?.split(":")[0])).toEqual([
      "Launching a new EC2 instance",
      "Terminating EC2 instance",
      "Launching a new EC2 instance",
      "Launching a new EC2 instance",
    ]);
    expect(activities.every((activity) => activity.StatusCode === "Successful")).toBe(true);
    expect(activities[1]?.Cause).toMatch(
      /was taken out of service in response to a user request\.$/,
    );
  });

  it("refuses a NextToken it did not issue with InvalidNextToken", async () => {
    await createGroup({ desired: 2, managedDraining: true });
    await inService(2);
    const activities = (NextToken?: string) =>
      autoscaling.send(
        new DescribeScalingActivitiesCommand({
          AutoScalingGroupName: groupName,
          MaxRecords: 1,
          NextToken,
        }),
      );
    const { NextToken } = await activities();
    // The offset 1 in the form the local cloud once issued: an unsigned base64url number.
    const forged = Buffer.from("1").toString("base64url");
    await expect(activities(forged)).rejects.toBeInstanceOf(InvalidNextToken);
    const groups = autoscaling.send(new DescribeAutoScalingGroupsCommand({ NextToken }));
    await expect(groups).rejects.toBeInstanceOf(InvalidNextToken);
    await expect(activities(NextToken)).resolves.toHaveProperty("Activities");
  });

  it("answers an injected 5xx with ResourceContentionFault", async () => {
    await createGroup({ desired: 1, managedDraining: true });
    cloud.faults.set("autoscaling:SetDesiredCapacity", { errorRate: 1 });
    await expect(
      autoscaling.send(
        new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 2 }),
      ),
    ).rejects.toBeInstanceOf(ResourceContentionFault);
    await expect(group()).resolves.toMatchObject({ DesiredCapacity: 1 });
  });
});

const exec = promisify(execFile);
const awsCli = spawnSync("aws", ["--version"]).status === 0;
if (!awsCli) console.warn("aws CLI test skipped: install the aws CLI (v1: pip install awscli)");

describe("EC2 Auto Scaling through the aws CLI", () => {
  it.skipIf(!awsCli)(
    "aws autoscaling describe-auto-scaling-groups lists the group and its instances",
    async () => {
      await createGroup({ desired: 2, managedDraining: false });
      const described = await inService(2);
      const { stdout } = await exec(
        "aws",
        [
          "autoscaling",
          "describe-auto-scaling-groups",
          "--endpoint-url",
          cloud.endpoint,
          "--output",
          "json",
        ],
        {
          env: {
            ...process.env,
            AWS_DEFAULT_REGION: cloud.region,
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
          },
        },
      );
      const output = JSON.parse(stdout) as { AutoScalingGroups: AutoScalingGroup[] };
      expect(output.AutoScalingGroups).toHaveLength(1);
      expect(output.AutoScalingGroups[0]).toMatchObject({
        AutoScalingGroupName: groupName,
        DesiredCapacity: 2,
      });
      expect(instanceIds(output.AutoScalingGroups[0] ?? {})).toEqual(instanceIds(described));
    },
  );
});
