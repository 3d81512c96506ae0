import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  InvalidParameterException,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  TargetNotFoundException,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { bootCloud, clientsFor } from "./helpers";

const cluster = "attributes";
const name = "microscale.candidate-since";
let cloud: LocalCloud;
let ecs: ReturnType<typeof clientsFor>["ecs"];
let hosts: string[];

beforeAll(async () => {
  cloud = await bootCloud({ runTasks: "simulated" });
  ({ ecs } = clientsFor(cloud));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  hosts = [1, 2].map(() => cloud.ecs.registerHost({ cluster }).containerInstanceArn as string);
});

afterAll(async () => {
  await cloud.stop();
});

const listed = async () =>
  (
    await ecs.send(
      new ListAttributesCommand({ cluster, targetType: "container-instance", attributeName: name }),
    )
  ).attributes ?? [];

describe("container instance attributes", () => {
  it("puts, lists, filters by and deletes a custom attribute", async () => {
    // Prepare / Act: by short ID, as the reference allows
    const value = "2026-12-01T10:00:00Z";
    const shortId = hosts[0]?.split("/").pop();
    await ecs.send(
      new PutAttributesCommand({
        cluster,
        attributes: [{ name, value, targetType: "container-instance", targetId: shortId }],
      }),
    );
    // Assess
    expect(await listed()).toEqual([
      { name, value, targetType: "container-instance", targetId: hosts[0] },
    ]);
    const { containerInstanceArns } = await ecs.send(
      new ListContainerInstancesCommand({ cluster, filter: `attribute:${name} exists` }),
    );
    expect(containerInstanceArns).toEqual([hosts[0]]);
    await ecs.send(
      new DeleteAttributesCommand({ cluster, attributes: [{ name, targetId: hosts[0] }] }),
    );
    expect(await listed()).toEqual([]);
  });

  it("lists the agent's built-in attributes too", async () => {
    const { attributes = [] } = await ecs.send(
      new ListAttributesCommand({
        cluster,
        targetType: "container-instance",
        attributeName: "ecs.os-type",
        attributeValue: "linux",
      }),
    );
    expect(attributes.map((attribute) => attribute.targetId).sort()).toEqual([...hosts].sort());
  });

  it("refuses a name AWS refuses (no colons), and an instance that is not there", async () => {
    await expect(
      ecs.send(
        new PutAttributesCommand({
          cluster,
          attributes: [{ name: "microscale:candidate-since", value: "1", targetId: hosts[0] }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(
        new PutAttributesCommand({
          cluster,
          attributes: [{ name, value: "1", targetId: "0123456789abcdef0123456789abcdef" }],
        }),
      ),
    ).rejects.toBeInstanceOf(TargetNotFoundException);
    expect(await listed()).toEqual([]);
  });
});
