import { TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import {
  DeleteAttributesCommand,
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  PutAttributesCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ConsolidationFailedError } from "../../../functions/host-consolidator/consolidate";
import { CANDIDATE_ATTRIBUTE } from "../../../functions/host-consolidator/snapshot";
import { cluster, expiredCandidate, markExpired, NOW, run, sampleEvent } from "./harness";

/**
 * No expendable service: no room to make, so a host goes in the round that chooses it.
 * (With one, a host that leaves with movable tasks first waits for its room to settle.)
 */
const noExpendable = { EXPENDABLE_SERVICES: "" };
/** When a room written at NOW has settled (30 s: the priority scaler's timeout). */
const settledAt = new Date(NOW.getTime() + 30_000);

describe("host consolidator: empty and underutilized hosts", () => {
  it("terminates an empty host first, keeps the underutilized one within the budget, and a busy one", async () => {
    const c = cluster();
    const empty = c.addHost();
    const under = c.addHost();
    const busy = c.addHost({ cpu: 4096, memory: 8192 });
    c.addService({ name: "big", cpu: 2048, memory: 4096 });
    for (const h of [empty, under, busy]) c.run("agent", h);
    c.run("low-priority", empty, 2);
    c.run("web", under);
    c.run("big", busy);
    markExpired(c, empty, under, busy);

    // The empty host's expendable tasks: their room is written, and settles, first.
    await run(c);
    const { summary, host } = await run(c, {}, { now: settledAt });

    expect(c.asgMock).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 1);
    expect(c.asgMock).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, {
      InstanceId: empty.ec2InstanceId,
      ShouldDecrementDesiredCapacity: true,
    });
    expect(host(empty.ec2InstanceId)).toMatchObject({
      candidate: "empty",
      decision: "terminate",
      reason: "empty",
      action: "terminated",
    });
    expect(host(under.ec2InstanceId)).toMatchObject({
      candidate: "underutilized",
      decision: "keep",
      reason: "budget",
      action: "kept",
    });
    // busy's big task fits on neither of the 2048/4096 hosts.
    expect(host(busy.ec2InstanceId)).toMatchObject({ candidate: null, reason: "busy" });
    expect(summary).toMatchObject({ candidates: 2, consolidated: 1 });
  });

  it("with a budget of 2 terminates the underutilized host too, checked against the hosts that stay", async () => {
    const c = cluster();
    const [a, b, keeper] = [c.addHost(), c.addHost(), c.addHost()];
    c.run("web", a);
    c.run("web", b);
    markExpired(c, a, b, keeper);

    const { summary } = await run(c, { ...noExpendable, DISRUPTION_BUDGET: "2" });

    expect(c.terminated).toHaveLength(2);
    expect(c.terminated).toContain(keeper.ec2InstanceId); // empty, first
    expect(summary.consolidated).toBe(2);
  });

  it("among underutilized hosts, the one with the fewest tasks goes first", async () => {
    const c = cluster();
    const two = c.addHost();
    const one = c.addHost();
    const target = c.addHost({ cpu: 4096, memory: 8192 });
    c.run("web", two, 2);
    c.run("web", one, 1);
    c.run("web", target, 1);
    markExpired(c, two, one, target);

    await run(c, noExpendable);

    expect(c.terminated).toEqual([one.ec2InstanceId]);
  });

  it("does not count on a host chosen in the same round: the second host's tasks must fit without both", async () => {
    const c = cluster();
    // Each of a and b fits on the other alone; together they need the third host, which is full.
    const a = c.addHost({ cpu: 1024, memory: 2048 });
    const b = c.addHost({ cpu: 1024, memory: 2048 });
    const full = c.addHost({ cpu: 1024, memory: 2048 });
    c.run("web", a);
    c.run("web", b);
    c.run("web", full, 2);
    markExpired(c, a, b, full);

    const { host } = await run(c, { ...noExpendable, DISRUPTION_BUDGET: "3" });

    expect(c.terminated).toHaveLength(1);
    const kept = c.terminated[0] === a.ec2InstanceId ? b : a;
    expect(host(kept.ec2InstanceId)).toMatchObject({ candidate: "underutilized", reason: "busy" });
  });

  it("standalone tasks (RunTask) keep their host: nothing would start them elsewhere", async () => {
    const c = cluster();
    const h = expiredCandidate(c);
    c.run("nightly-report", h);

    const { host } = await run(c);

    expect(host(h.ec2InstanceId)).toMatchObject({ reason: "standalone-task", candidate: null });
    expect(c.terminated).not.toContain(h.ec2InstanceId);
  });

  it("DAEMON tasks do not keep a host", async () => {
    const c = cluster();
    c.addService({ name: "logs", daemon: true, cpu: 64, memory: 64 });
    const h = expiredCandidate(c);
    c.run("logs", h);

    const { host } = await run(c);

    expect(host(h.ec2InstanceId)).toMatchObject({ candidate: "empty", action: "terminated" });
  });
});

describe("host consolidator: expendable tasks", () => {
  it("a host running only expendable and per-host tasks is empty", async () => {
    const c = cluster();
    const h = expiredCandidate(c);
    c.run("agent", h);
    c.run("low-priority", h, 3);

    await run(c);
    const { host } = await run(c, {}, { now: settledAt });

    expect(host(h.ec2InstanceId)).toMatchObject({ candidate: "empty", movableTasks: 0 });
    expect(c.terminated).toEqual([h.ec2InstanceId]);
  });

  it("without EXPENDABLE_SERVICES the same tasks must fit elsewhere", async () => {
    const c = cluster();
    const h = c.addHost({ cpu: 2048, memory: 4096 });
    const other = c.addHost({ cpu: 1024, memory: 2048 });
    c.run("low-priority", h, 3);
    markExpired(c, h, other);

    const { host } = await run(c, { EXPENDABLE_SERVICES: "" });

    expect(host(h.ec2InstanceId)).toMatchObject({
      candidate: null,
      reason: "busy",
      movableTasks: 3,
    });
    expect(c.terminated).toEqual([other.ec2InstanceId]);
  });
});

describe("host consolidator: expendable slots at the destination", () => {
  const ROOM = "microscale.expendable-room";

  /** `leaving` runs one web task; `other` is full of expendable tasks (4 × 512/1024). */
  function webBehindExpendables(expendableOnOther = 4) {
    const c = cluster();
    const leaving = c.addHost();
    const other = c.addHost();
    c.run("web", leaving);
    c.run("low-priority", other, expendableOnOther);
    markExpired(c, leaving);
    // other is a candidate too (empty), but its clock has only just started.
    c.markSince(other, 10);
    return { c, leaving, other };
  }

  /** A room written `secondsAgo` (past the settle time of 30 s: the scaler has seen it). */
  const written = (room: string, secondsAgo = 60) =>
    `${room} @${Math.floor(NOW.getTime() / 1000) - secondsAgo}`;

  it("a host whose tasks fit only in expendable slots is chosen: room is made before it goes", async () => {
    const { c, leaving, other } = webBehindExpendables();

    const { host } = await run(c);

    // The web task fits on other once one expendable task has gone: low-priority may keep 3.
    expect(host(leaving.ec2InstanceId)).toMatchObject({
      candidate: "underutilized",
      decision: "keep",
      reason: "making-room",
      expendableRoom: { "low-priority": 3 },
    });
    expect(leaving.attributes.get(ROOM)).toBe(written("low-priority:3", 0));
    expect(other.attributes.has(ROOM)).toBe(false);
    expect(c.terminated).toEqual([]);
  });

  it("once the expendable service is down to the room, and the room has settled, the host goes", async () => {
    const { c, leaving } = webBehindExpendables(3);
    leaving.attributes.set(ROOM, written("low-priority:3"));

    const { host } = await run(c);

    expect(host(leaving.ec2InstanceId)).toMatchObject({
      decision: "terminate",
      reason: "underutilized",
      expendableRoom: { "low-priority": 3 },
    });
    expect(c.terminated).toEqual([leaving.ec2InstanceId]);
    // Unchanged room, unchanged time: nothing rewritten.
    expect(c.ecsMock).not.toHaveReceivedCommand(PutAttributesCommand);
  });

  it("never goes in the round that writes its room: a scaler that read the hosts before could still grow P2", async () => {
    const { c, leaving } = webBehindExpendables(3);

    const first = await run(c);
    const settling = await run(c, {}, { now: new Date(NOW.getTime() + 29_000) });
    const settled = await run(c, {}, { now: new Date(NOW.getTime() + 30_000) });

    expect(first.host(leaving.ec2InstanceId)).toMatchObject({
      reason: "making-room",
      detail: expect.stringMatching(/room written 0 s ago/),
    });
    expect(settling.host(leaving.ec2InstanceId)).toMatchObject({ reason: "making-room" });
    expect(settled.host(leaving.ec2InstanceId)).toMatchObject({ reason: "underutilized" });
    expect(c.terminated).toEqual([leaving.ec2InstanceId]);
    expect(c.ecsMock).toHaveReceivedCommandTimes(PutAttributesCommand, 1);
  });

  it("waits while the expendable service's desired count is above its room", async () => {
    const { c, leaving } = webBehindExpendables(3);
    c.services.set("low-priority", {
      ...c.services.get("low-priority"),
      name: "low-priority",
      desiredCount: 5,
    });
    leaving.attributes.set(ROOM, written("low-priority:3"));

    const { host } = await run(c);

    expect(host(leaving.ec2InstanceId)).toMatchObject({
      reason: "making-room",
      detail: "waiting for the priority scaler: low-priority desired 5, room 3",
    });
    expect(c.terminated).toEqual([]);
  });

  it("a failed room write means no termination: the scaler would not know to hold back", async () => {
    // Budget 2: two web hosts go together; one carries the settled room, the other gets it.
    const c = cluster();
    const [first, second, other] = [c.addHost(), c.addHost(), c.addHost()];
    c.run("web", first);
    c.run("web", second);
    c.run("low-priority", other, 2);
    markExpired(c, first, second);
    c.markSince(other, 10);
    first.attributes.set(ROOM, written("low-priority:2"));
    c.failNext("PutAttributes");

    const failure = await run(c, { DISRUPTION_BUDGET: "2" }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ConsolidationFailedError);
    const { summary } = failure as ConsolidationFailedError;
    expect(summary.clusters[0]?.hosts.filter((h) => h.decision === "terminate")).toHaveLength(2);
    expect(c.terminated).toEqual([]);
  });

  it("the leaving host's own expendable tasks must fit too before it goes", async () => {
    // web fits on other now (3 × 512/1024 leave 512/1024), but leaving's own expendable
    // task would then find no slot. The room (3) has settled and the scaler has lowered
    // the count to it; a task of the 4 is still stopping.
    const { c, leaving } = webBehindExpendables(3);
    c.run("low-priority", leaving);
    c.services.set("low-priority", {
      ...c.services.get("low-priority"),
      name: "low-priority",
      desiredCount: 3,
    });
    leaving.attributes.set(ROOM, written("low-priority:3"));

    const { host } = await run(c);

    expect(host(leaving.ec2InstanceId)).toMatchObject({
      reason: "making-room",
      detail: expect.stringMatching(/until expendable tasks give up their slots$/),
      expendableRoom: { "low-priority": 3 },
    });
    expect(c.terminated).toEqual([]);
  });

  it("a host that no longer leaves loses its room: the scaler lets the service grow back", async () => {
    const { c, leaving } = webBehindExpendables();
    leaving.attributes.set(ROOM, "low-priority:3");
    c.run("web", undefined); // a web task waits for a place: the cluster is growing

    const { host } = await run(c);

    expect(host(leaving.ec2InstanceId)).toMatchObject({ reason: "hold" });
    expect(leaving.attributes.has(ROOM)).toBe(false);
    expect(c.ecsMock).toHaveReceivedCommandWith(DeleteAttributesCommand, {
      cluster: c.cluster,
      attributes: [
        {
          name: ROOM,
          targetType: "container-instance",
          targetId: c.instanceArn(leaving.id),
        },
      ],
    });
  });

  it("an empty host with expendable tasks goes with a room too: the scaler must stop counting its slots", async () => {
    const c = cluster();
    const empty = c.addHost();
    c.addHost();
    c.run("low-priority", empty, 2);
    markExpired(c, empty);

    const first = await run(c);
    const settled = await run(c, {}, { now: settledAt });

    expect(first.host(empty.ec2InstanceId)).toMatchObject({
      reason: "making-room",
      expendableRoom: { "low-priority": 2 },
    });
    expect(settled.host(empty.ec2InstanceId)).toMatchObject({ reason: "empty" });
    expect(c.terminated).toEqual([empty.ec2InstanceId]);
  });

  it("a host with no task the scaler counts needs no room", async () => {
    const c = cluster();
    const empty = c.addHost();
    c.addHost();
    c.run("agent", empty);
    markExpired(c, empty);

    const { host } = await run(c);

    expect(host(empty.ec2InstanceId)).not.toHaveProperty("expendableRoom");
    expect(empty.attributes.has(ROOM)).toBe(false);
    expect(c.terminated).toEqual([empty.ec2InstanceId]);
  });
});

describe("host consolidator: the candidate clock lives in ECS", () => {
  it("marks a new candidate with the attribute, and terminates it after CONSOLIDATE_AFTER_SECONDS", async () => {
    const c = cluster();
    const h = c.addHost();
    c.addHost({ ageSeconds: 100 }); // young: not a candidate

    const first = await run(c);

    expect(first.host(h.ec2InstanceId)).toMatchObject({
      reason: "waiting",
      candidateSince: NOW.toISOString(),
    });
    expect(c.ecsMock).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: c.cluster,
      attributes: [
        {
          name: CANDIDATE_ATTRIBUTE,
          value: NOW.toISOString(),
          targetType: "container-instance",
          targetId: c.instanceArn(h.id),
        },
      ],
    });
    expect(c.terminated).toEqual([]);

    const almost = await run(c, {}, { now: new Date(NOW.getTime() + 599_000) });
    expect(almost.host(h.ec2InstanceId)).toMatchObject({
      reason: "waiting",
      detail: expect.stringMatching(/^1 s/),
    });
    expect(c.ecsMock).toHaveReceivedCommandTimes(PutAttributesCommand, 1); // not rewritten

    await run(c, {}, { now: new Date(NOW.getTime() + 600_000) });
    expect(c.terminated).toEqual([h.ec2InstanceId]);
  });

  it("removes the attribute from a host that is no longer a candidate", async () => {
    const c = cluster();
    const h = c.addHost({ cpu: 1024, memory: 2048 });
    c.addHost({ cpu: 512, memory: 1024 });
    c.run("web", h, 2);
    markExpired(c, h);

    const { host } = await run(c);

    expect(host(h.ec2InstanceId).reason).toBe("busy");
    expect(c.ecsMock).toHaveReceivedCommandWith(DeleteAttributesCommand, {
      attributes: [
        {
          name: CANDIDATE_ATTRIBUTE,
          targetType: "container-instance",
          targetId: c.instanceArn(h.id),
        },
      ],
    });
    expect(h.attributes.has(CANDIDATE_ATTRIBUTE)).toBe(false);
  });

  it("restarts the clock when the attribute is not a time", async () => {
    const c = cluster();
    const h = c.addHost();
    c.addHost();
    h.attributes.set(CANDIDATE_ATTRIBUTE, "yesterday");

    const { host } = await run(c);

    expect(host(h.ec2InstanceId)).toMatchObject({
      reason: "waiting",
      candidateSince: NOW.toISOString(),
    });
    expect(h.attributes.get(CANDIDATE_ATTRIBUTE)).toBe(NOW.toISOString());
  });
});

describe("host consolidator: limits", () => {
  it("never more than DISRUPTION_BUDGET draining: a host already DRAINING uses the budget", async () => {
    const c = cluster();
    c.addHost({ status: "DRAINING" });
    const h = expiredCandidate(c);

    const { host, summary } = await run(c);

    expect(host(h.ec2InstanceId)).toMatchObject({ candidate: "empty", reason: "budget" });
    expect(summary.clusters[0]?.groups[0]).toMatchObject({
      draining: 1,
      budget: 1,
      terminating: 0,
    });
    expect(c.asgMock).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
  });

  it("an instance already Terminating in the group uses the budget too", async () => {
    const c = cluster();
    c.addHost({ lifecycleState: "Terminating:Wait" });
    const h = expiredCandidate(c);

    const { host } = await run(c);

    expect(host(h.ec2InstanceId).reason).toBe("budget");
    expect(c.terminated).toEqual([]);
  });

  it("a percent budget is of the group's size, rounded up", async () => {
    const c = cluster();
    const hosts = [c.addHost(), c.addHost(), c.addHost(), c.addHost(), c.addHost()];
    markExpired(c, ...hosts);

    const { summary } = await run(c, { DISRUPTION_BUDGET: "30%" });

    // ⌈5 × 30 %⌉ = 2
    expect(summary.clusters[0]?.groups[0]?.budget).toBe(2);
    expect(c.terminated).toHaveLength(2);
  });

  it("never below the group's MinSize", async () => {
    const c = cluster();
    c.groups.set("hosts", { name: "hosts", minSize: 2, maxSize: 10, desiredCapacity: 0 });
    const hosts = [c.addHost(), c.addHost(), c.addHost()];
    markExpired(c, ...hosts);

    const { summary } = await run(c, { DISRUPTION_BUDGET: "10" });

    expect(c.terminated).toHaveLength(1);
    expect(summary.clusters[0]?.hosts.filter((h) => h.reason === "min-size")).toHaveLength(2);
  });

  it("never a host younger than MIN_HOST_AGE_SECONDS, and it is not even a candidate", async () => {
    const c = cluster();
    const young = c.addHost({ ageSeconds: 899 });
    c.addHost();
    markExpired(c, young);

    const { host } = await run(c);

    expect(host(young.ec2InstanceId)).toMatchObject({ candidate: null, reason: "young" });
    expect(c.terminated).not.toContain(young.ec2InstanceId);
  });

  it("a DRAINING host is kept and is no place for another host's tasks", async () => {
    const c = cluster();
    const h = c.addHost({ cpu: 1024, memory: 2048 });
    const draining = c.addHost({ status: "DRAINING", cpu: 4096, memory: 8192 });
    c.addHost({ cpu: 1024, memory: 2048, id: "full" });
    c.run("web", h);
    c.run("web", c.hosts.get("full"), 2);
    markExpired(c, h);

    const { host } = await run(c, { DISRUPTION_BUDGET: "5" });

    expect(host(draining.ec2InstanceId).reason).toBe("draining");
    expect(host(h.ec2InstanceId)).toMatchObject({ candidate: null, reason: "busy" });
    expect(c.terminated).toEqual([]);
  });

  it("hosts outside the configured groups are kept (but take tasks)", async () => {
    const c = cluster();
    const outside = c.addHost({ group: undefined });
    const h = c.addHost();
    c.groups.set("hosts", { name: "hosts", minSize: 0, maxSize: 10, desiredCapacity: 1 });
    c.run("web", h);
    markExpired(c, h);

    const { host } = await run(c, noExpendable);

    expect(host(outside.ec2InstanceId).reason).toBe("unmanaged");
    expect(c.terminated).toEqual([h.ec2InstanceId]);
  });
});

describe("host consolidator: placement of the tasks that would move", () => {
  const zoneA = "attribute:ecs.availability-zone == us-east-1a";
  it.each([
    ["the service", { constraints: [{ type: "memberOf" as const, expression: zoneA }] }],
    ["the task definition", { definitionMemberOf: [zoneA] }],
  ])("memberOf on %s: a zone-a task keeps the last zone-a host", async (_, placement) => {
    const c = cluster();
    c.addService({ name: "zonal", ...placement });
    const a = c.addHost({ attributes: { "ecs.availability-zone": "us-east-1a" } });
    c.addHost({ attributes: { "ecs.availability-zone": "us-east-1b" } });
    c.run("zonal", a);
    markExpired(c, a);

    const { host } = await run(c);

    expect(host(a.ec2InstanceId)).toMatchObject({
      reason: "busy",
      detail: expect.stringContaining("MemberOf placement constraint unsatisfied."),
    });
  });

  it("distinctInstance: a task cannot move onto a host that runs one of its group", async () => {
    const c = cluster();
    c.addService({ name: "spread", constraints: [{ type: "distinctInstance" }] });
    const a = c.addHost();
    const b = c.addHost();
    c.run("spread", a);
    c.run("spread", b);
    markExpired(c, a, b);

    const { host } = await run(c);

    expect(host(a.ec2InstanceId)).toMatchObject({
      reason: "busy",
      detail: expect.stringContaining("DistinctInstance"),
    });
    expect(c.terminated).toEqual([]);
  });

  it("host ports: two tasks with the same fixed port cannot both move onto one host", async () => {
    const c = cluster();
    c.addService({ name: "edge", hostPorts: [80] });
    const a = c.addHost();
    const b = c.addHost();
    c.addHost({ cpu: 4096, memory: 8192 });
    c.run("edge", a);
    c.run("edge", b);
    markExpired(c, a, b);

    const { summary } = await run(c, { ...noExpendable, DISRUPTION_BUDGET: "2" });

    expect(c.terminated).toHaveLength(1);
    expect(summary.clusters[0]?.hosts.find((h) => h.reason === "busy")?.detail).toContain(
      "RESOURCE:PORTS",
    );
  });

  it("host ports: a task with a fixed port cannot move where the port is taken", async () => {
    const c = cluster();
    c.addService({ name: "edge", hostPorts: [80] });
    const a = c.addHost();
    const b = c.addHost();
    c.run("edge", a);
    c.run("edge", b);
    markExpired(c, a);

    const { host } = await run(c);

    expect(host(a.ec2InstanceId).detail).toContain("RESOURCE:PORTS");
  });
});

describe("host consolidator: holds", () => {
  it("no host goes while a non-expendable service runs fewer tasks than desired", async () => {
    const c = cluster();
    c.addService({ name: "web", desiredCount: 3, runningCount: 2 });
    expiredCandidate(c);

    const { summary } = await run(c);

    expect(summary.clusters[0]?.hold).toEqual(["service web: 2 of 3 running"]);
    expect(c.terminated).toEqual([]);
  });

  it("no host goes while a non-expendable task waits for a place", async () => {
    const c = cluster();
    const h = expiredCandidate(c);
    c.run("web", undefined); // PROVISIONING

    const { host, summary } = await run(c);

    expect(host(h.ec2InstanceId)).toMatchObject({ candidate: "empty", reason: "hold" });
    expect(summary.clusters[0]?.hold).toEqual(["1 web task(s) waiting for a place"]);
    expect(c.terminated).toEqual([]);
  });

  it("an expendable task waiting for a place does not hold anything", async () => {
    const c = cluster();
    const h = expiredCandidate(c);
    c.run("low-priority", undefined);

    await run(c);

    expect(c.terminated).toEqual([h.ec2InstanceId]);
  });

  it("no host goes during a deployment of a non-expendable service", async () => {
    const c = cluster();
    c.addService({ name: "web", rollout: "IN_PROGRESS" });
    const h = expiredCandidate(c);

    const { host } = await run(c);

    expect(host(h.ec2InstanceId).reason).toBe("hold");
    expect(c.terminated).toEqual([]);
  });
});

describe("host consolidator: dry run, groups, metrics", () => {
  it("DRY_RUN plans and reports, and writes neither attributes nor terminations", async () => {
    const c = cluster();
    const h = c.addHost();
    const fresh = c.addHost();
    markExpired(c, h);
    c.run("web", fresh);

    const { summary, host } = await run(c, { DRY_RUN: "true" });

    expect(host(h.ec2InstanceId)).toMatchObject({
      decision: "terminate",
      action: "would-terminate",
    });
    expect(summary).toMatchObject({ dryRun: true, consolidated: 0 });
    expect(summary.clusters[0]?.terminated).toEqual([h.ec2InstanceId]);
    expect(c.writes()).toBe(0);
  });

  it("finds the groups behind the cluster's capacity providers unless AUTO_SCALING_GROUPS is set", async () => {
    const c = cluster();
    c.addHost();

    await run(c);
    expect(c.ecsMock).toHaveReceivedCommand(DescribeCapacityProvidersCommand);

    c.ecsMock.resetHistory();
    await run(c, { AUTO_SCALING_GROUPS: "hosts" });
    expect(c.ecsMock).not.toHaveReceivedCommand(DescribeCapacityProvidersCommand);
  });

  it("a configured group that does not exist is a failed read: nothing is written", async () => {
    const c = cluster();
    expiredCandidate(c);

    await expect(run(c, { AUTO_SCALING_GROUPS: "hosts,gone" })).rejects.toThrow(/gone/);
    expect(c.writes()).toBe(0);
  });

  it("records candidates and hosts consolidated per cluster", async () => {
    const c = cluster();
    expiredCandidate(c);

    const { metrics } = await run(c);

    expect(metrics.points).toEqual([
      {
        name: "ConsolidationCandidates",
        unit: "Count",
        value: 2,
        dimensions: { Cluster: "microscale" },
      },
      { name: "HostsConsolidated", unit: "Count", value: 1, dimensions: { Cluster: "microscale" } },
    ]);
  });

  it("an event of another cluster is ignored without a call", async () => {
    const c = cluster();
    c.addHost();

    const event = sampleEvent("task-state-change");
    event.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/other";

    const { summary } = await run(c, {}, { event });

    expect(summary.ignored).toMatch(/other/);
    expect(c.ecsMock.calls()).toHaveLength(0);
  });
});

describe("host consolidator: never on partial information", () => {
  const reads = [
    "DescribeClusters",
    "DescribeCapacityProviders",
    "ListContainerInstances",
    "DescribeContainerInstances",
    "ListTasks",
    "DescribeTasks",
    "ListServices",
    "DescribeServices",
    "DescribeTaskDefinition",
    "DescribeAutoScalingGroups",
  ];

  it.each(reads)(
    "a failed %s means no attribute written and no host terminated",
    async (operation) => {
      const c = cluster();
      const h = c.addHost();
      const fresh = c.addHost();
      const other = c.addHost();
      c.run("web", other);
      markExpired(c, h);
      c.run("web", fresh);
      c.failNext(operation);

      const failure = await run(c).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(ConsolidationFailedError);
      expect((failure as ConsolidationFailedError).summary.clusters[0]?.error).toBeDefined();
      expect(c.writes()).toBe(0);
    },
  );

  it("a DescribeContainerInstances answer with failures counts as a failed read", async () => {
    const c = cluster();
    const h = expiredCandidate(c);
    c.ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [],
      failures: [{ arn: c.instanceArn(h.id), reason: "MISSING" }],
    });

    await expect(run(c)).rejects.toThrow(/DescribeContainerInstances answered 1 failure/);
    expect(c.writes()).toBe(0);
  });

  it("the same setup terminates when every read succeeds (the tests above can fail)", async () => {
    const c = cluster();
    const h = c.addHost();
    const fresh = c.addHost();
    const other = c.addHost();
    c.run("web", other);
    markExpired(c, h);
    c.run("web", fresh);

    await run(c);

    expect(c.terminated).toEqual([h.ec2InstanceId]);
  });
});
