import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { GetItemCommand, InternalServerError } from "@aws-sdk/client-dynamodb";
import {
  CreateClusterCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ServerException,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  await clientsFor(cloud).ecs.send(new CreateClusterCommand({ clusterName: "faulty" }));
});

beforeEach(() => cloud.faults.clear());

afterAll(async () => {
  await cloud.stop();
});

describe("fault injection", () => {
  it("throttles one operation only; the SDK's standard retry gives up after maxAttempts", async () => {
    const { ecs } = clientsFor(cloud, 2);
    cloud.faults.set("ecs:ListContainerInstances", { throttleRate: 1 });
    const error = await ecs
      .send(new ListContainerInstancesCommand({ cluster: "faulty" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      $metadata: { attempts: 2, httpStatusCode: 400 },
    });
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toMatchObject({
      clusterArns: expect.any(Array),
    });
  });

  it("answers 5xx with each service's own error class", async () => {
    const { ecs, dynamodb } = clientsFor(cloud);
    cloud.faults.set("ecs:*", { errorRate: 1 });
    cloud.faults.set("dynamodb:GetItem", { errorRate: 1 });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toBeInstanceOf(ServerException);
    await expect(
      dynamodb.send(new GetItemCommand({ TableName: "any", Key: { pk: { S: "x" } } })),
    ).rejects.toBeInstanceOf(InternalServerError);
  });

  it("adds latency before handling, and clear() removes every rule", async () => {
    const { ecs } = clientsFor(cloud);
    cloud.faults.set("ecs:ListClusters", { latencyMs: 150 });
    const started = Date.now();
    await ecs.send(new ListClustersCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    cloud.faults.clear();
    const again = Date.now();
    await ecs.send(new ListClustersCommand({}));
    expect(Date.now() - again).toBeLessThan(140);
  });

  it("answers an operation the local cloud does not serve with an error, not a hang", async () => {
    const { cloudwatch } = clientsFor(cloud);
    await expect(cloudwatch.send(new DescribeAlarmsCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
  });
});
