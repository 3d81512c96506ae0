import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { waitFor } from "../../support/wait-for";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
const arn = (family: string, revision: number) =>
  `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${revision}`;

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  ecs = clientsFor(cloud).ecs;
  await ecs.send(new CreateClusterCommand({ clusterName: "more" }));
  cloud.ecs.registerHost({ cluster: "more" });
  // Prepare: "alpha" with 11 revisions (so :10 sorts after :9), "beta" with one.
  const container = { name: "web", image: "microscale-graceful", memory: 64 };
  for (let revision = 1; revision <= 11; revision++) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "alpha", containerDefinitions: [container] }),
    );
  }
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "beta",
      taskRoleArn: "arn:aws:iam::000000000000:role/beta-task",
      executionRoleArn: "arn:aws:iam::000000000000:role/beta-execution",
      containerDefinitions: [
        {
          ...container,
          image: "000000000000.dkr.ecr.us-east-1.amazonaws.com/beta:latest",
          memoryReservation: 32,
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "beta" } },
        },
      ],
    }),
  );
});

afterAll(async () => {
  await cloud.stop();
});

describe("ListTaskDefinitions and ListTaskDefinitionFamilies", () => {
  it("lists families by name and revisions by number, paginated, DESC reversing both", async () => {
    const pages: string[] = [];
    for await (const page of paginateListTaskDefinitions({ client: ecs, pageSize: 4 }, {})) {
      pages.push(...(page.taskDefinitionArns ?? []));
    }
    expect(pages).toEqual([
      ...Array.from({ length: 11 }, (_, index) => arn("alpha", index + 1)),
      arn("beta", 1),
    ]);
    const descending = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "alpha", sort: "DESC", maxResults: 2 }),
    );
    expect(descending.taskDefinitionArns).toEqual([arn("alpha", 11), arn("alpha", 10)]);
    const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "al" }));
    expect(families.families).toEqual(["alpha"]);
    const all = await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "ACTIVE" }));
    expect(all.families).toEqual(["alpha", "beta"]);
    await expect(
      ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "GONE" as "ALL" })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("computes requiresAttributes from the definition's features, as ECS does", async () => {
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "beta",
        taskRoleArn: "arn:aws:iam::000000000000:role/beta-task",
        containerDefinitions: [{ name: "plain", image: "microscale-graceful", memory: 64 }],
      }),
    );
    expect(registered.taskDefinition?.requiresAttributes).toEqual([
      { name: "com.amazonaws.ecs.capability.task-iam-role" },
    ]);
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "beta" }),
    );
    expect(taskDefinitionArns).toEqual([arn("beta", 1), arn("beta", 2)]);
    const first = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "beta:1" }));
    expect(first.taskDefinition?.requiresAttributes?.map(({ name }) => name).sort()).toEqual([
      "com.amazonaws.ecs.capability.docker-remote-api.1.19",
      "com.amazonaws.ecs.capability.docker-remote-api.1.21",
      "com.amazonaws.ecs.capability.ecr-auth",
      "com.amazonaws.ecs.capability.logging-driver.awslogs",
      "com.amazonaws.ecs.capability.task-iam-role",
      "ecs.capability.execution-role-awslogs",
      "ecs.capability.execution-role-ecr-pull",
    ]);
  });
});

describe("DescribeClusters, DescribeContainerInstances and DescribeTasks: what --include adds", () => {
  it("answers real STATISTICS and container instance health, and refuses an unknown field", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: "more",
        serviceName: "web",
        taskDefinition: "alpha",
        desiredCount: 2,
      }),
    );
    await waitFor("two tasks running", async () => {
      const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["more"] }));
      return clusters?.[0]?.runningTasksCount === 2;
    });
    const plain = await ecs.send(new DescribeClustersCommand({ clusters: ["more"] }));
    expect(plain.clusters?.[0]?.statistics).toEqual([]);
    const { clusters } = await ecs.send(
      new DescribeClustersCommand({ clusters: ["more"], include: ["STATISTICS"] }),
    );
    const statistics = Object.fromEntries(
      (clusters?.[0]?.statistics ?? []).map(({ name, value }) => [name, value]),
    );
    expect(statistics).toMatchObject({
      runningEC2TasksCount: "2",
      pendingEC2TasksCount: "0",
      activeEC2ServiceCount: "1",
      runningFargateTasksCount: "0",
    });
    await expect(
      ecs.send(
        new DescribeClustersCommand({
          clusters: ["more"],
          include: ["CONTAINER_INSTANCE_HEALTH" as "TAGS"],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const instance = cloud.ecs.containerInstancesOf("more")[0]?.containerInstanceArn ?? "";
    const described = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: "more",
        containerInstances: [instance],
        include: ["CONTAINER_INSTANCE_HEALTH"],
      }),
    );
    expect(described.containerInstances?.[0]?.healthStatus).toMatchObject({
      overallStatus: "OK",
      details: [{ type: "CONTAINER_RUNTIME", status: "OK" }],
    });
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: "more" }));
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: "more", tasks: taskArns }),
    );
    expect(tasks?.[0]?.attributes).toEqual([{ name: "ecs.cpu-architecture", value: "x86_64" }]);
  });
});
