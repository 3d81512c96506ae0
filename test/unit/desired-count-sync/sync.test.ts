import {
  DescribeServicesCommand,
  ListContainerInstancesCommand,
  type ListContainerInstancesCommandInput,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { SyncFailedError } from "../../../functions/desired-count-sync/sync";
import { ConfigurationError, ValidationError } from "../../../functions/lib/errors";
import { type EventBridgeSample, sampleEvent } from "../../support/events";
import { serverError, throttling } from "./fake-ecs";
import { harness, onlyCluster } from "./harness";

const active = () =>
  sampleEvent<EventBridgeSample>("desired-count-sync", "container-instance-active");

describe("desired-count sync: counting", () => {
  it("counts ACTIVE instances and never DRAINING ones", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(3);
    h.fake.addInstances(2, () => ({ status: "DRAINING" }));
    h.fake.addInstances(1, () => ({ status: "REGISTERING" }));
    h.fake.addService({ name: "agent", desiredCount: 6 });

    const summary = await h.invoke(
      sampleEvent("desired-count-sync", "container-instance-draining"),
    );

    expect(h.mock).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
      cluster: h.fake.clusterArn,
      status: "ACTIVE",
      maxResults: 100,
    });
    expect(h.mock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: h.fake.clusterArn,
      service: h.fake.serviceArn("agent"),
      desiredCount: 3,
    });
    expect(summary.services).toEqual([
      {
        service: "agent",
        before: 6,
        after: 3,
        eligibleInstances: 3,
        changed: true,
        reason: "scale-in",
      },
    ]);
    expect(summary.changed).toBe(1);
    expect(summary.trigger).toBe("container-instance-state-change");
    expect(h.fake.services.get("agent")?.desiredCount).toBe(3);
  });

  it("scales out when a host becomes ACTIVE", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(4);
    h.fake.addService({ name: "agent", desiredCount: 3 });

    const summary = await h.invoke(active());

    expect(summary.services[0]).toMatchObject({ before: 3, after: 4, reason: "scale-out" });
  });

  it("still counts a host whose agent is disconnected (it stays ACTIVE; reconnects are routine)", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    h.fake.addInstances(1, () => ({ agentConnected: false }));
    h.fake.addService({ name: "agent", desiredCount: 3 });
    const event = active();
    event.detail.agentConnected = false;

    const summary = await h.invoke(event);

    expect(summary.services[0]).toMatchObject({ eligibleInstances: 3, reason: "in-sync" });
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it("the no-change path costs one DescribeServices and two ListContainerInstances (hosts, hosts without the task), no UpdateService", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(7);
    h.fake.addService({ name: "agent", desiredCount: 7 });

    const summary = await h.invoke(active());

    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(h.mock).not.toHaveReceivedCommand(ListServicesCommand);
    expect(summary.apiCalls).toEqual({
      "ecs:DescribeServices": 1,
      "ecs:ListContainerInstances": 2,
      "ecs:UpdateService": 0,
      "ecs:ListServices": 0,
      "ecs:DescribeContainerInstances": 0,
      "ecs:DescribeTaskDefinition": 0,
    });
    expect(summary.apiCalls).toEqual(h.received());
    expect(summary.services[0]).toMatchObject({ changed: false, reason: "in-sync", after: 7 });
  });

  it("pages past 100 instances and describes services 10 at a time", async () => {
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    const h = harness({ PER_HOST_SERVICES: names.join(",") });
    h.fake.addInstances(250);
    h.fake.addInstances(30, () => ({ status: "DRAINING" }));
    for (const name of names) h.fake.addService({ name, desiredCount: 1 });

    const summary = await h.invoke(active());

    // 23 services → 10 + 10 + 3; 250 instances → 100 + 100 + 50, once for all services,
    // then once per service for the hosts its task does not run on (none).
    const describes = h.mock
      .commandCalls(DescribeServicesCommand)
      .map((c) => c.args[0].input.services);
    expect(describes.map((batch) => batch?.length)).toEqual([10, 10, 3]);
    // The SDK's paginator reuses one input object, so read the model's copies.
    const lists = h.fake.log
      .filter((entry) => entry.operation === "ListContainerInstances")
      .map((entry) => entry.input as ListContainerInstancesCommandInput)
      .filter((input) => input.filter === undefined);
    expect(lists).toHaveLength(3);
    expect(lists.every((input) => input.maxResults === 100 && input.status === "ACTIVE")).toBe(
      true,
    );
    expect(lists[0]?.nextToken).toBeUndefined();
    expect(lists[1]?.nextToken).toBeDefined();
    expect(summary.services.every((s) => s.after === 250 && s.changed)).toBe(true);
    expect(summary.apiCalls).toEqual({
      "ecs:DescribeServices": 3,
      "ecs:ListContainerInstances": 3 + 23,
      "ecs:UpdateService": 23,
      "ecs:ListServices": 0,
      "ecs:DescribeContainerInstances": 0,
      "ecs:DescribeTaskDefinition": 0,
    });
    expect(summary.apiCalls).toEqual(h.received());
  });

  it("passes a memberOf expression through as the filter, and counts only matching instances", async () => {
    const expression = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]";
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(6, (i) => ({
      attributes: {
        "ecs.availability-zone": ["us-east-1a", "us-east-1b", "us-east-1c"][i % 3] as string,
      },
    }));
    h.fake.addService({
      name: "agent",
      desiredCount: 6,
      placementConstraints: [{ type: "distinctInstance" }, { type: "memberOf", expression }],
    });

    const summary = await h.invoke(active());

    expect(h.mock).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
      status: "ACTIVE",
      filter: expression,
    });
    expect(summary.services[0]).toMatchObject({
      eligibleInstances: 4,
      after: 4,
      filter: expression,
    });
  });

  it("joins several memberOf constraints with `and`, parenthesising compound ones", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(4, (i) => ({
      attributes: { pool: i < 3 ? "edge" : "core", "ecs.os-type": "linux" },
    }));
    h.fake.addService({
      name: "agent",
      desiredCount: 0,
      placementConstraints: [
        { type: "memberOf", expression: "attribute:pool == edge" },
        {
          type: "memberOf",
          expression: "attribute:ecs.os-type == linux and attribute:pool exists",
        },
      ],
    });

    const summary = await h.invoke(active());

    const filter =
      "attribute:pool == edge and (attribute:ecs.os-type == linux and attribute:pool exists)";
    expect(h.mock).toHaveReceivedCommandWith(ListContainerInstancesCommand, { filter });
    expect(summary.services[0]).toMatchObject({ after: 3 });
  });

  it("lists once per distinct filter, however many services share it", async () => {
    const h = harness({ PER_HOST_SERVICES: "a,b,c,d" });
    h.fake.addInstances(5, (i) => ({ attributes: { pool: i < 2 ? "edge" : "core" } }));
    h.fake.addService({ name: "a" });
    h.fake.addService({ name: "b" });
    h.fake.addService({
      name: "c",
      placementConstraints: [{ type: "memberOf", expression: "attribute:pool == edge" }],
    });
    h.fake.addService({
      name: "d",
      placementConstraints: [{ type: "memberOf", expression: "attribute:pool == edge" }],
    });

    const summary = await h.invoke(active());

    const filters = h.mock
      .commandCalls(ListContainerInstancesCommand)
      .map((c) => c.args[0].input.filter ?? "")
      .filter((filter) => !filter.includes("task:group"));
    expect(filters).toEqual(["", "attribute:pool == edge"]);
    expect(summary.services.map((s) => s.after)).toEqual([5, 5, 2, 2]);
  });

  it("caps desiredCount at MAX_DESIRED_COUNT", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent", MAX_DESIRED_COUNT: "5" });
    h.fake.addInstances(12);
    h.fake.addService({ name: "agent", desiredCount: 2 });

    const summary = await h.invoke(active());

    expect(h.mock).toHaveReceivedCommandWith(UpdateServiceCommand, { desiredCount: 5 });
    expect(summary.services[0]).toMatchObject({
      eligibleInstances: 12,
      after: 5,
      capped: true,
      changed: true,
    });
    expect(h.log.lines.some((l) => l.level === "warn" && l.message.includes("capped"))).toBe(true);
  });
});

describe("desired-count sync: services", () => {
  it("skips missing and non-ACTIVE services with a log line and still syncs the rest", async () => {
    const h = harness({ PER_HOST_SERVICES: "ghost, agent, old, going" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent", desiredCount: 0 });
    h.fake.addService({ name: "old", status: "INACTIVE", desiredCount: 0 });
    h.fake.addService({ name: "going", status: "DRAINING", desiredCount: 1 });

    const summary = await h.invoke(active());

    expect(summary.services).toEqual([
      {
        service: "ghost",
        before: null,
        after: null,
        eligibleInstances: null,
        changed: false,
        skipped: true,
        reason: "missing",
      },
      {
        service: "agent",
        before: 0,
        after: 2,
        eligibleInstances: 2,
        changed: true,
        reason: "scale-out",
      },
      {
        service: "old",
        before: 0,
        after: null,
        eligibleInstances: null,
        changed: false,
        skipped: true,
        reason: "not-active",
      },
      {
        service: "going",
        before: 1,
        after: null,
        eligibleInstances: null,
        changed: false,
        skipped: true,
        reason: "not-active",
      },
    ]);
    expect(h.mock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    const warned = h.log.lines.filter((l) => l.level === "warn").map((l) => l.extra.service);
    expect(warned).toEqual(["ghost", "old", "going"]);
  });

  it("accepts service ARNs in PER_HOST_SERVICES", async () => {
    const h = harness();
    h.env.PER_HOST_SERVICES = h.fake.serviceArn("agent");
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent", desiredCount: 1 });

    const summary = await h.invoke(active());

    expect(summary.services[0]).toMatchObject({ service: "agent", after: 2, changed: true });
  });

  it("discovers services tagged PER_HOST_TAG_KEY=true, reading tags in the same DescribeServices calls", async () => {
    const h = harness();
    h.fake.addInstances(3);
    for (let i = 0; i < 14; i++) h.fake.addService({ name: `plain-${i}`, desiredCount: 1 });
    h.fake.addService({ name: "agent", tags: [{ key: "microscale:per-host", value: "true" }] });
    h.fake.addService({ name: "logs", tags: [{ key: "microscale:per-host", value: "TRUE" }] });
    h.fake.addService({ name: "off", tags: [{ key: "microscale:per-host", value: "false" }] });
    h.fake.addService({ name: "other", tags: [{ key: "team", value: "true" }] });

    const summary = await h.invoke(active());

    expect(h.mock).toHaveReceivedCommandWith(ListServicesCommand, {
      cluster: h.fake.clusterArn,
      maxResults: 100,
    });
    // 18 services → two DescribeServices (10 + 8), both with TAGS; no second describe.
    const describes = h.mock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
    expect(describes.map((d) => d.services?.length)).toEqual([10, 8]);
    expect(describes.every((d) => d.include?.includes("TAGS"))).toBe(true);
    expect(summary.services.map((s) => s.service)).toEqual(["agent", "logs"]);
    expect(summary.apiCalls).toEqual({
      "ecs:ListServices": 1,
      "ecs:DescribeServices": 2,
      "ecs:ListContainerInstances": 3,
      "ecs:UpdateService": 2,
      "ecs:DescribeContainerInstances": 0,
      "ecs:DescribeTaskDefinition": 0,
    });
    expect(summary.apiCalls).toEqual(h.received());
    expect(h.fake.services.get("plain-0")?.desiredCount).toBe(1);
  });

  it("honours a custom PER_HOST_TAG_KEY and pages ListServices past 100", async () => {
    const h = harness({ PER_HOST_TAG_KEY: "daemon" });
    h.fake.addInstances(1);
    for (let i = 0; i < 120; i++) {
      h.fake.addService({
        name: `s-${i}`,
        desiredCount: 0,
        ...(i % 40 === 0 ? { tags: [{ key: "daemon", value: "true" }] } : {}),
      });
    }

    const reconciled = await h.reconcile(sampleEvent("desired-count-sync", "scheduled-reconcile"));
    const summary = onlyCluster(reconciled);

    expect(summary.services.map((s) => s.service)).toEqual(["s-0", "s-40", "s-80"]);
    expect(reconciled.apiCalls).toEqual(summary.apiCalls);
    expect(summary.apiCalls).toMatchObject({ "ecs:ListServices": 2, "ecs:DescribeServices": 12 });
    expect(summary.apiCalls).toEqual(h.received());
  });

  it("logs a warning when there is nothing to sync", async () => {
    const h = harness();
    h.fake.addService({ name: "plain" });

    const summary = await h.invoke(active());

    expect(summary.services).toEqual([]);
    expect(h.mock).not.toHaveReceivedCommand(ListContainerInstancesCommand);
    expect(
      h.log.lines.some((l) => l.level === "warn" && l.message === "no per-host services"),
    ).toBe(true);
  });

  it("DRY_RUN=true plans and logs but writes nothing", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent", DRY_RUN: "true" });
    h.fake.addInstances(4);
    h.fake.addService({ name: "agent", desiredCount: 1 });

    const summary = await h.invoke(active());

    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(summary.dryRun).toBe(true);
    expect(summary.changed).toBe(0);
    expect(summary.services[0]).toMatchObject({
      before: 1,
      after: 4,
      changed: false,
      reason: "dry-run",
    });
    expect(h.fake.services.get("agent")?.desiredCount).toBe(1);
    expect(
      h.log.lines.some((l) => l.extra.reason === "dry-run" && l.extra.wouldBe === "scale-out"),
    ).toBe(true);
  });

  it("records ActiveInstances and DesiredCountChanges per service", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent,logs" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent", desiredCount: 2 });
    h.fake.addService({ name: "logs", desiredCount: 0 });

    await h.invoke(active());

    expect(h.metrics.points).toEqual([
      { name: "ActiveInstances", unit: "Count", value: 2, dimensions: { Service: "agent" } },
      { name: "UnfitHosts", unit: "Count", value: 0, dimensions: { Service: "agent" } },
      { name: "DesiredCountChanges", unit: "Count", value: 0, dimensions: { Service: "agent" } },
      { name: "ActiveInstances", unit: "Count", value: 2, dimensions: { Service: "logs" } },
      { name: "UnfitHosts", unit: "Count", value: 0, dimensions: { Service: "logs" } },
      { name: "DesiredCountChanges", unit: "Count", value: 1, dimensions: { Service: "logs" } },
      { name: "UnfitHosts", unit: "Count", value: 0, dimensions: {} },
    ]);
  });

  it("logs cluster, service, before, after and reason for each decision", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent", desiredCount: 1 });

    await h.invoke(active());

    expect(h.log.lines).toContainEqual({
      level: "info",
      message: "desired count updated",
      extra: {
        cluster: h.fake.clusterArn,
        service: "agent",
        before: 1,
        after: 2,
        reason: "scale-out",
      },
    });
  });
});

describe("desired-count sync: errors", () => {
  it("a failed ListContainerInstances is never read as 0: no update, and the invocation throws", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(3);
    h.fake.addService({ name: "agent", desiredCount: 3 });
    h.fake.failNext("ListContainerInstances", () => serverError());

    const error = await h.invoke(active()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SyncFailedError);
    expect((error as SyncFailedError).summary.services[0]).toMatchObject({
      service: "agent",
      reason: "error",
      eligibleInstances: null,
      changed: false,
    });
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(h.fake.services.get("agent")?.desiredCount).toBe(3);
  });

  it("a failure on a later page discards the partial count", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(150);
    h.fake.addService({ name: "agent", desiredCount: 150 });
    const original = h.fake.listContainerInstances.bind(h.fake);
    let page = 0;
    h.fake.listContainerInstances = (input) => {
      page += 1;
      if (page === 2) throw throttling();
      return original(input);
    };

    await expect(h.invoke(active())).rejects.toBeInstanceOf(SyncFailedError);
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it("a failing filter is tried once; other services still sync; then it throws", async () => {
    const h = harness({ PER_HOST_SERVICES: "bad1,good,bad2" });
    h.fake.addInstances(2);
    const broken = [{ type: "memberOf" as const, expression: "attribute:zone =~ [" }];
    h.fake.addService({ name: "bad1", placementConstraints: broken });
    h.fake.addService({ name: "good", desiredCount: 0 });
    h.fake.addService({ name: "bad2", placementConstraints: broken });

    const error = (await h.invoke(active()).catch((e: unknown) => e)) as SyncFailedError;

    expect(error).toBeInstanceOf(SyncFailedError);
    expect(error.message).toContain("bad1, bad2");
    expect(error.summary.services.map((s) => s.reason)).toEqual(["error", "scale-out", "error"]);
    // broken once; plain once, and once for the hosts good's task does not run on
    expect(h.mock).toHaveReceivedCommandTimes(ListContainerInstancesCommand, 3);
    expect(h.fake.services.get("good")?.desiredCount).toBe(2);
  });

  it("an UpdateService failure for one service does not stop the others", async () => {
    const h = harness({ PER_HOST_SERVICES: "a,b" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "a" });
    h.fake.addService({ name: "b" });
    h.fake.failNext("UpdateService", () => throttling());

    const error = (await h.invoke(active()).catch((e: unknown) => e)) as SyncFailedError;

    expect(error).toBeInstanceOf(SyncFailedError);
    expect(error.summary.services.map((s) => [s.service, s.reason])).toEqual([
      ["a", "error"],
      ["b", "scale-out"],
    ]);
    expect(error.summary.apiCalls).toEqual(h.received());
  });

  it("a failed DescribeServices throws before anything is counted or written", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addService({ name: "agent" });
    h.fake.failNext("DescribeServices", () => throttling());

    await expect(h.invoke(active())).rejects.toThrow("Rate exceeded");
    expect(h.mock).not.toHaveReceivedCommand(ListContainerInstancesCommand);
    expect(h.mock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});

describe("desired-count sync: events", () => {
  it("ignores another cluster's event with a log line and no API call", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    const event = active();
    event.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/someone-else";

    const summary = await h.invoke(event);

    expect(h.mock.calls()).toHaveLength(0);
    expect(summary).toMatchObject({
      cluster: h.fake.cluster,
      eventCluster: event.detail.clusterArn,
      services: [],
      changed: 0,
      ignored: expect.stringContaining("someone-else"),
    });
    expect(h.log.lines.some((l) => l.message === "event ignored")).toBe(true);
  });

  it("matches the event's cluster whether CLUSTER is a name or an ARN", async () => {
    for (const cluster of ["microscale", "arn:aws:ecs:us-east-1:111122223333:cluster/microscale"]) {
      const h = harness({ PER_HOST_SERVICES: "agent", CLUSTER: cluster });
      h.fake.addInstances(1);
      h.fake.addService({ name: "agent" });
      const summary = await h.invoke(active());
      expect(summary.changed).toBe(1);
    }
    // Same name, another account: a different cluster.
    const h = harness({
      PER_HOST_SERVICES: "agent",
      CLUSTER: "arn:aws:ecs:us-east-1:999999999999:cluster/microscale",
    });
    expect((await h.invoke(active())).ignored).toBeDefined();
    expect(h.mock.calls()).toHaveLength(0);
  });

  it("ignores a task state change (or any other event) with no API call", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    const summary = await h.invoke(sampleEvent("desired-count-sync", "task-state-change"));
    expect(summary.trigger).toBe("ignored");
    const other = await h.invoke({
      source: "aws.autoscaling",
      "detail-type": "EC2 Instance Launch Successful",
      detail: {},
    });
    expect(other.trigger).toBe("ignored");
    expect(h.mock.calls()).toHaveLength(0);
  });

  it("reconciles the configured CLUSTER on the schedule", async () => {
    const h = harness({ PER_HOST_SERVICES: "agent" });
    h.fake.addInstances(2);
    h.fake.addService({ name: "agent" });

    const reconciled = await h.reconcile(sampleEvent("desired-count-sync", "scheduled-reconcile"));

    expect(reconciled).toMatchObject({ trigger: "schedule", changed: 1 });
    expect(onlyCluster(reconciled)).toMatchObject({ cluster: "microscale", changed: 1 });
    expect(h.mock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: "microscale" });
  });

  it.each([
    ["detail.clusterArn", (e: ReturnType<typeof active>) => delete e.detail.clusterArn],
    ["detail.clusterArn", (e: ReturnType<typeof active>) => (e.detail.clusterArn = "microscale")],
    ["detail", (e: ReturnType<typeof active>) => (e.detail = [] as never)],
    ["detail-type", (e: ReturnType<typeof active>) => delete e["detail-type"]],
    ["source", (e: ReturnType<typeof active>) => (e.source = 42)],
    ["detail.agentConnected", (e: ReturnType<typeof active>) => (e.detail.agentConnected = "yes")],
  ])(
    "a malformed event throws a ValidationError naming %s, with no API call",
    async (field, spoil) => {
      const h = harness({ PER_HOST_SERVICES: "agent" });
      const event = active();
      spoil(event);

      const error = await h.invoke(event).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as Error).message).toContain(field);
      expect(h.mock.calls()).toHaveLength(0);
    },
  );

  it("rejects a non-object event", async () => {
    const h = harness();
    await expect(h.invoke("hello")).rejects.toMatchObject({
      name: "ValidationError",
      field: "event",
    });
    await expect(h.invoke(null)).rejects.toBeInstanceOf(ValidationError);
    expect(h.mock.calls()).toHaveLength(0);
  });

  it.each([
    [{ CLUSTER: undefined }, "CLUSTERS"],
    [{ MAX_DESIRED_COUNT: "lots" }, "MAX_DESIRED_COUNT"],
    [{ MAX_DESIRED_COUNT: "0" }, "MAX_DESIRED_COUNT"],
    [{ DRY_RUN: "maybe" }, "DRY_RUN"],
  ])(
    "bad configuration %o throws a ConfigurationError naming %s, with no API call",
    async (env, variable) => {
      const h = harness(env as Record<string, string | undefined>);
      const error = await h.invoke(active()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).variable).toBe(variable);
      expect(h.mock.calls()).toHaveLength(0);
    },
  );
});
