import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  paginateListContainerInstances,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  TagResourceCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  ecs = clientsFor(cloud).ecs;
  await ecs.send(new CreateClusterCommand({ clusterName: "api" }));
  const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
  for (let i = 0; i < 7; i++) {
    cloud.ecs.registerHost({
      cluster: "api",
      instanceType: i < 4 ? "t3.micro" : "m5.large",
      availabilityZone: zones[i % 3],
      attributes: i === 0 ? { "microscale:role": "edge" } : {},
    });
  }
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "api-web",
      containerDefinitions: [{ name: "web", image: "microscale-graceful", memory: 64 }],
    }),
  );
});

afterAll(async () => {
  await cloud.stop();
});

describe("ECS API through the real SDK client", () => {
  it("creates, describes and lists clusters with AWS's shapes", async () => {
    const created = await ecs.send(
      new CreateClusterCommand({ clusterName: "other", tags: [{ key: "k", value: "v" }] }),
    );
    expect(created.cluster?.clusterArn).toBe("arn:aws:ecs:us-east-1:000000000000:cluster/other");
    const described = await ecs.send(
      new DescribeClustersCommand({ clusters: ["api", "missing"], include: ["TAGS"] }),
    );
    expect(described.clusters?.[0]).toMatchObject({
      clusterName: "api",
      status: "ACTIVE",
      registeredContainerInstancesCount: 7,
    });
    expect(described.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:cluster/missing", reason: "MISSING" },
    ]);
  });

  it("raises the SDK's own exception classes", async () => {
    await expect(ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
    await expect(
      ecs.send(new ListContainerInstancesCommand({ cluster: "api", maxResults: 101 })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "api", service: "ghost", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "no-such-family" })),
    ).rejects.toBeInstanceOf(ClientException);
    await expect(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "bad",
          containerDefinitions: [{ name: "x", image: "y" }],
        }),
      ),
    ).rejects.toBeInstanceOf(ClientException);
    const error = await ecs
      .send(new ListServicesCommand({ cluster: "nope" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "ClusterNotFoundException",
      message: "Cluster not found.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("pages ListContainerInstances with maxResults and nextToken", async () => {
    const first = await ecs.send(
      new ListContainerInstancesCommand({ cluster: "api", maxResults: 3 }),
    );
    expect(first.containerInstanceArns).toHaveLength(3);
    expect(first.nextToken).toEqual(expect.any(String));
    const all: string[] = [];
    for await (const page of paginateListContainerInstances(
      { client: ecs, pageSize: 2 },
      { cluster: "api" },
    )) {
      all.push(...(page.containerInstanceArns ?? []));
    }
    expect(all).toHaveLength(7);
    expect(new Set(all).size).toBe(7);
    for (const arn of all)
      expect(arn).toMatch(
        /^arn:aws:ecs:us-east-1:000000000000:container-instance\/api\/[0-9a-f]{32}$/,
      );
    const garbage = ecs.send(
      new ListContainerInstancesCommand({ cluster: "api", nextToken: "garbage!" }),
    );
    await expect(garbage).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(garbage).rejects.toMatchObject({ message: "Invalid token garbage!" });
  });

  it("filters ListContainerInstances with the cluster query language and status", async () => {
    const list = async (filter?: string, status?: "ACTIVE" | "DRAINING") =>
      (await ecs.send(new ListContainerInstancesCommand({ cluster: "api", filter, status })))
        .containerInstanceArns ?? [];
    expect(await list("attribute:ecs.instance-type == t3.micro")).toHaveLength(4);
    expect(await list("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]")).toHaveLength(
      5,
    );
    expect(
      await list(
        "attribute:ecs.instance-type == t3.micro and not attribute:microscale:role exists",
      ),
    ).toHaveLength(3);
    expect(
      await list("(attribute:ecs.instance-type == m5.large or attribute:microscale:role == edge)"),
    ).toHaveLength(4);
    await expect(list("attribute:ecs.instance-type ==")).rejects.toBeInstanceOf(
      InvalidParameterException,
    );

    const [drained = ""] = await list("attribute:microscale:role == edge");
    const updated = await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "api",
        containerInstances: [drained],
        status: "DRAINING",
      }),
    );
    expect(updated.containerInstances?.[0]?.status).toBe("DRAINING");
    expect(await list(undefined, "DRAINING")).toEqual([drained]);
    expect(await list(undefined, "ACTIVE")).toHaveLength(6);
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "api",
        containerInstances: [drained],
        status: "ACTIVE",
      }),
    );
  });

  it("registers, describes and deregisters container instances", async () => {
    const registered = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "api",
        instanceIdentityDocument: JSON.stringify({
          instanceId: "i-0123456789abcdef0",
          instanceType: "c5.xlarge",
          availabilityZone: "us-east-1c",
        }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 4096 },
          { name: "MEMORY", type: "INTEGER", integerValue: 7680 },
        ],
        attributes: [{ name: "custom", value: "yes" }],
      }),
    );
    const arn = registered.containerInstance?.containerInstanceArn ?? "";
    const described = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: "api",
        containerInstances: [arn, "missing"],
      }),
    );
    const instance = described.containerInstances?.[0];
    expect(instance).toMatchObject({
      ec2InstanceId: "i-0123456789abcdef0",
      status: "ACTIVE",
      agentConnected: true,
      runningTasksCount: 0,
    });
    expect(instance?.registeredResources?.find((r) => r.name === "CPU")?.integerValue).toBe(4096);
    expect(instance?.attributes).toEqual(
      expect.arrayContaining([
        { name: "ecs.instance-type", value: "c5.xlarge" },
        { name: "custom", value: "yes" },
      ]),
    );
    expect(described.failures).toEqual([{ arn: "missing", reason: "MISSING" }]);
    await ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: "api", containerInstance: arn }),
    );
    const after = await ecs.send(new ListContainerInstancesCommand({ cluster: "api" }));
    expect(after.containerInstanceArns).not.toContain(arn);
  });

  it("creates services, lists them in pages of 10 by default, and describes at most 10 with tags", async () => {
    for (let i = 0; i < 12; i++) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: "api",
          serviceName: `svc-${String(i).padStart(2, "0")}`,
          taskDefinition: "api-web",
          desiredCount: 0,
          tags: [{ key: "microscale:per-host", value: i === 0 ? "true" : "false" }],
        }),
      );
    }
    const page = await ecs.send(new ListServicesCommand({ cluster: "api" }));
    expect(page.serviceArns).toHaveLength(10);
    expect(page.serviceArns?.[0]).toBe("arn:aws:ecs:us-east-1:000000000000:service/api/svc-00");
    const rest = await ecs.send(
      new ListServicesCommand({ cluster: "api", nextToken: page.nextToken }),
    );
    expect(rest.serviceArns).toHaveLength(2);
    expect(rest.nextToken).toBeUndefined();
    // ECS refuses a token another operation issued.
    await expect(
      ecs.send(new ListContainerInstancesCommand({ cluster: "api", nextToken: page.nextToken })),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    const described = await ecs.send(
      new DescribeServicesCommand({
        cluster: "api",
        services: ["svc-00", "ghost"],
        include: ["TAGS"],
      }),
    );
    expect(described.services?.[0]).toMatchObject({
      serviceName: "svc-00",
      status: "ACTIVE",
      launchType: "EC2",
      schedulingStrategy: "REPLICA",
      tags: [{ key: "microscale:per-host", value: "true" }],
      deployments: [
        expect.objectContaining({ status: "PRIMARY", rolloutState: expect.any(String) }),
      ],
    });
    expect(described.failures?.[0]?.reason).toBe("MISSING");
    const eleven = Array.from({ length: 11 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: "api", services: eleven })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: "api",
          serviceName: "svc-00",
          taskDefinition: "api-web",
          desiredCount: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("tags resources and refuses updates to a deleted service", async () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:service/api/svc-01";
    await ecs.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: "team", value: "ops" }] }),
    );
    const tags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags.tags).toEqual(expect.arrayContaining([{ key: "team", value: "ops" }]));

    await ecs.send(new DeleteServiceCommand({ cluster: "api", service: "svc-01" }));
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "api", service: "svc-01", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotActiveException);
  });
});
