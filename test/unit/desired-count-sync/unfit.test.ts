import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  ListContainerInstancesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { definition } from "../../../functions/desired-count-sync/index";
import { SyncFailedError } from "../../../functions/desired-count-sync/sync";
import { lambdaHandler } from "../../../functions/lib/handler";
import { lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";
import { serverError } from "./fake-ecs";
import { harness } from "./harness";

const active = () => sampleEvent("desired-count-sync", "container-instance-active");
const full = { cpu: 2048, memory: 64, ports: [22] };

describe("desired-count sync: a host counts only when the per-host task runs on it or fits on it", () => {
  it("does not count an ACTIVE host it cannot fit on, and reports it as unfit", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(3);
    const [crowded] = h.fake.addInstances(1, () => ({ runs: ["service:web"], remaining: full }));
    h.fake.addService({ name: "agent", desiredCount: 3, task: { cpu: 128, memory: 128 } });

    const summary = await h.invoke(active());

    expect(summary.services[0]).toMatchObject({
      before: 3,
      after: 3,
      eligibleInstances: 3,
      reason: "in-sync",
      unfit: [
        {
          containerInstanceArn: h.fake.instanceArn(crowded?.id ?? ""),
          ec2InstanceId: `i-${crowded?.id}`,
          reason: "RESOURCE:MEMORY",
        },
      ],
    });
    expect(h.metrics.points).toContainEqual({
      name: "UnfitHosts",
      unit: "Count",
      value: 1,
      dimensions: { Service: "agent" },
    });
    expect(h.metrics.points.at(-1)).toEqual({
      name: "UnfitHosts",
      unit: "Count",
      value: 1,
      dimensions: {},
    });
    expect(h.log.lines.some((l) => l.level === "warn" && l.extra.service === "agent")).toBe(true);
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it("counts a host it does not run on yet but fits on, describing only that host", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    const [fresh] = h.fake.addInstances(1, () => ({ runs: [] }));
    h.fake.addService({ name: "agent", desiredCount: 2 });

    const summary = await h.invoke(active());

    expect(summary.services[0]).toMatchObject({ after: 3, reason: "scale-out" });
    expect(summary.services[0]?.unfit).toBeUndefined();
    expect(h.mock).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, {
      containerInstances: [h.fake.instanceArn(fresh?.id ?? "")],
    });
    expect(h.mock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(h.mock).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
      status: "ACTIVE",
      filter: "not(task:group == service:agent)",
    });
  });

  it("a fixed host port in use makes a host unfit", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(1);
    h.fake.addInstances(1, () => ({
      runs: [],
      remaining: { cpu: 2048, memory: 4096, ports: [22, 9100] },
    }));
    h.fake.addService({
      name: "agent",
      desiredCount: 1,
      task: { cpu: 64, memory: 64, hostPorts: [9100] },
    });

    const summary = await h.invoke(active());

    expect(summary.services[0]?.unfit?.map((u) => u.reason)).toEqual(["RESOURCE:PORTS"]);
    expect(summary.services[0]?.after).toBe(1);
  });

  it("keeps the service's memberOf in the listing of the hosts its task does not run on", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2, () => ({ attributes: { pool: "edge" } }));
    h.fake.addService({
      name: "agent",
      placementConstraints: [{ type: "memberOf", expression: "attribute:pool == edge" }],
    });

    await h.invoke(active());

    expect(h.mock).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
      filter: "attribute:pool == edge and (not(task:group == service:agent))",
    });
  });

  it("the runaway is bounded: full hosts it does not run on never raise the count", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent", desiredCount: 2 });
    // Managed scaling adds a host per round for the task that does not fit; each new
    // host fills with other work before the agent lands (trap 2).
    for (let round = 0; round < 5; round++) {
      h.fake.addInstances(1, () => ({ runs: ["service:web"], remaining: full }));
      const summary = await h.invoke(active());
      expect(summary.services[0]).toMatchObject({ after: 2 });
      expect(summary.services[0]?.unfit).toHaveLength(round + 1);
    }
    expect(h.fake.services.get("agent")?.desiredCount).toBe(2);
  });

  it("a failed DescribeContainerInstances is never a smaller count: the service is not written", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    h.fake.addInstances(1, () => ({ runs: [] }));
    h.fake.addService({ name: "agent", desiredCount: 5 });
    h.fake.failNext("DescribeContainerInstances", () => serverError());

    await expect(h.invoke(active())).rejects.toBeInstanceOf(SyncFailedError);
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(h.fake.services.get("agent")?.desiredCount).toBe(5);
  });

  it("reads the task definition once per execution environment", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(1, () => ({ runs: [] }));
    h.fake.addService({ name: "agent", desiredCount: 1 });
    const definitions = new Map();
    const invoke = lambdaHandler(definition, {
      deps: { ecs: h.client, definitions },
      env: () => h.env,
      observability: recordingObservability,
    });

    await invoke(active(), lambdaContext());
    await invoke(active(), lambdaContext());

    expect(h.mock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(h.mock).toHaveReceivedCommandTimes(DescribeContainerInstancesCommand, 2);
  });
});
