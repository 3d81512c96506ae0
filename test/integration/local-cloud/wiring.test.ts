import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListServicesCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalCloud } from "../../../local/cloud";
import { readTemplate } from "../../../local/template/read";
import { wireTemplate } from "../../../local/wiring/wire";
import { bootCloud, clientsFor } from "./helpers";

/** The whole template wired into a bare cloud, and torn down again. */

let cloud: LocalCloud | undefined;
afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
});

const quiet = () => {};

describe("wireTemplate", () => {
  it("creates the template's services and stops everything it started", async () => {
    // Prepare
    cloud = await bootCloud({ runTasks: "simulated" });
    expect(cloud.events.hasSubscribers).toBe(false);

    // Act
    const wired = await wireTemplate(cloud, { onError: quiet });
    const listed = await clientsFor(cloud).ecs.send(
      new ListServicesCommand({ cluster: wired.refs.Cluster }),
    );
    const subscribedWhileWired = cloud.events.hasSubscribers;
    await wired.stop();

    // Assess
    expect(listed.serviceArns?.map((arn) => arn.split("/").pop()).sort()).toEqual(
      ["agent", "backend", "high-priority", "low-priority", "web"].sort(),
    );
    expect(subscribedWhileWired).toBe(true);
    expect(cloud.events.hasSubscribers).toBe(false);
  });

  it("undoes what it had wired when a later step fails", async () => {
    // Prepare: a function trigger the local cloud cannot wire, read after the services.
    cloud = await bootCloud({ runTasks: "simulated" });
    const template = structuredClone(readTemplate());
    const [id, resource] =
      Object.entries(template.Resources).find(
        ([, candidate]) => candidate.Type === "AWS::Serverless::Function",
      ) ?? [];
    if (resource?.Properties === undefined) throw new Error("template.yaml has no function");
    resource.Properties.Events = { Queue: { Type: "SQS", Properties: {} } };

    // Act / Assess
    await expect(wireTemplate(cloud, { template, onError: quiet })).rejects.toThrow(
      `${id}.Queue: event type SQS is not wired by the local cloud`,
    );
    expect(cloud.events.hasSubscribers).toBe(false);
  });

  it("delivers nothing through a DISABLED rule or schedule or a disabled stream source", async () => {
    // Prepare: ImagesPushed=false holds every controller back (State: !If [ControllersLive, …]).
    cloud = await bootCloud({ runTasks: "simulated" });
    const wired = await wireTemplate(cloud, {
      parameters: { ImagesPushed: "false" },
      onError: quiet,
    });
    const local = cloud;
    // Listeners subscribed after the wiring's are called after them: once these have
    // seen the event and the record, every trigger that would deliver them has invoked.
    const instanceChanged = new Promise<void>((resolve) => {
      const unsubscribe = local.events.subscribe((event) => {
        if (event["detail-type"] !== "ECS Container Instance State Change") return;
        unsubscribe();
        resolve();
      });
    });
    const demandWritten = new Promise<void>((resolve) => {
      const unsubscribe = local.dynamodb.subscribeStream(wired.refs.DemandTable ?? "", () => {
        unsubscribe();
        resolve();
      });
    });

    // Act: a host joins the cluster and a demand value is written.
    local.ecs.registerHost({ cluster: wired.refs.Cluster });
    await clientsFor(local).dynamodb.send(
      new PutItemCommand({
        TableName: wired.refs.DemandTable,
        Item: { pk: { S: "demand" }, value: { N: "5" }, version: { N: "1" } },
      }),
    );
    await Promise.all([instanceChanged, demandWritten]);
    await wired.lambda.drain();
    const scheduled = wired.scheduler.ruleNames();
    await wired.stop();

    // Assess
    expect(wired.lambda.invocations.map((record) => record.logicalId)).toEqual([]);
    expect(scheduled).toEqual([]);
  });
});
