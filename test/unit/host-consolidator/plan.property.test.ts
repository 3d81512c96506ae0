/**
 * Over random clusters and workloads, one consolidation step:
 * - never leaves a non-expendable task without a place: an independent, exhaustive
 *   search (not the planner's placement code) must find room on the hosts that stay
 *   for every movable task of the hosts it terminates;
 * - never exceeds the disruption budget nor goes below MinSize;
 * - only terminates hosts that are eligible (ACTIVE, in service, old enough, a
 *   candidate for long enough, no standalone task);
 * - and is not trivially safe: an eligible empty host with budget and MinSize to
 *   spare is terminated.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  ClusterSnapshot,
  DisruptionBudget,
  Host,
  HostTask,
  PlanSettings,
} from "../../../functions/host-consolidator/model";
import { budgetFor, planConsolidation } from "../../../functions/host-consolidator/plan";
import { compileExpression } from "../../../functions/lib/placement/query-language";
import type { TaskRequirements } from "../../../functions/lib/placement/requirements";

const NOW = new Date("2026-12-01T10:00:00Z");
const settings = (disruptionBudget: DisruptionBudget): PlanSettings => ({
  consolidateAfterSeconds: 600,
  minHostAgeSeconds: 900,
  disruptionBudget,
  expendableServices: new Set(["p2"]),
  roomSettleSeconds: 0,
});

interface Kind {
  readonly name: string;
  readonly cpu: number;
  readonly memory: number;
  readonly role: HostTask["role"];
  readonly port?: number;
  readonly distinct?: boolean;
  /** Only on hosts of zone a (a memberOf constraint). */
  readonly zoneA?: boolean;
}

const kinds: readonly Kind[] = [
  { name: "web", cpu: 256, memory: 512, role: "movable" },
  { name: "api", cpu: 512, memory: 1024, role: "movable", distinct: true },
  { name: "zonal", cpu: 256, memory: 256, role: "movable", zoneA: true },
  { name: "edge", cpu: 128, memory: 128, role: "movable", port: 8080 },
  { name: "big", cpu: 1024, memory: 1536, role: "movable" },
  { name: "agent", cpu: 64, memory: 64, role: "per-host" },
  { name: "p2", cpu: 256, memory: 512, role: "expendable" },
  { name: "cron", cpu: 128, memory: 128, role: "standalone" },
];
const zoneA = compileExpression("attribute:zone == a");

function requirements(kind: Kind): TaskRequirements {
  return {
    group: `service:${kind.name}`,
    cpu: kind.cpu,
    memory: kind.memory,
    hostPorts: kind.port === undefined ? [] : [kind.port],
    distinctInstance: kind.distinct === true,
    memberOf: kind.zoneA ? [zoneA] : [],
  };
}

const hostArbitrary = fc.record({
  big: fc.boolean(),
  zone: fc.constantFrom("a", "b"),
  status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "DRAINING", "REGISTERING"),
  connected: fc.constantFrom(true, true, true, true, false),
  old: fc.constantFrom(true, true, true, false),
  managed: fc.constantFrom(true, true, true, true, true, false),
  lifecycle: fc.constantFrom(
    "InService",
    "InService",
    "InService",
    "InService",
    "Terminating:Wait",
  ),
  since: fc.constantFrom(undefined, 100, 700, 5000),
  tasks: fc.array(fc.integer({ min: 0, max: kinds.length - 1 }), { maxLength: 8 }),
});

const clusterArbitrary = fc.record({
  hosts: fc.array(hostArbitrary, { minLength: 1, maxLength: 7 }),
  minSize: fc.integer({ min: 0, max: 3 }),
  extraDesired: fc.integer({ min: 0, max: 1 }),
  budget: fc.oneof(
    fc.integer({ min: 0, max: 3 }).map((count): DisruptionBudget => ({ kind: "count", count })),
    fc.constantFrom(25, 50, 100).map((percent): DisruptionBudget => ({ kind: "percent", percent })),
  ),
});

type Generated = typeof clusterArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Builds a consistent snapshot: tasks are only put where they fit, as ECS would have. */
function snapshot(generated: Generated): ClusterSnapshot {
  const hosts: Host[] = generated.hosts.map((spec, index) => {
    const cpu = spec.big ? 2048 : 1024;
    const memory = spec.big ? 4096 : 2048;
    let usedCpu = 0;
    let usedMemory = 0;
    const ports = new Set<number>([22]);
    const tasks: HostTask[] = [];
    for (const k of spec.tasks) {
      const kind = kinds[k] as Kind;
      if (usedCpu + kind.cpu > cpu || usedMemory + kind.memory > memory) continue;
      if (kind.port !== undefined && ports.has(kind.port)) continue;
      if (kind.zoneA && spec.zone !== "a") continue;
      const group = `service:${kind.name}`;
      if (kind.distinct && tasks.some((t) => t.group === group)) continue;
      usedCpu += kind.cpu;
      usedMemory += kind.memory;
      if (kind.port !== undefined) ports.add(kind.port);
      tasks.push({
        taskArn: `task/${index}/${tasks.length}`,
        group,
        role: kind.role,
        ...(kind.role === "movable" || kind.role === "expendable"
          ? { requirements: requirements(kind) }
          : {}),
      });
    }
    return {
      capacity: {
        containerInstanceArn: `ci/${index}`,
        ec2InstanceId: `i-${index}`,
        registeredCpu: cpu,
        registeredMemory: memory,
        remainingCpu: cpu - usedCpu,
        remainingMemory: memory - usedMemory,
        portsInUse: ports,
        attributes: new Map([["zone", spec.zone]]),
        agentConnected: spec.connected,
        registeredAt: new Date(NOW.getTime() - (spec.old ? 3600 : 60) * 1000),
        runningTasksCount: tasks.length,
        agentVersion: "1.89.0",
      },
      status: spec.status,
      autoScalingGroup: spec.managed ? "g" : undefined,
      tasks,
      candidateSince:
        spec.since === undefined ? undefined : new Date(NOW.getTime() - spec.since * 1000),
      marked: spec.since !== undefined,
      expendableRoom: undefined,
    };
  });
  const members = generated.hosts.flatMap((spec, index) =>
    spec.managed ? [{ instanceId: `i-${index}`, lifecycleState: spec.lifecycle }] : [],
  );
  return {
    cluster: "c",
    hosts,
    groups: [
      {
        name: "g",
        minSize: generated.minSize,
        maxSize: 20,
        desiredCapacity: members.length + generated.extraDesired,
        instances: members,
      },
    ],
    hold: [],
    expendableDesired: new Map(),
  };
}

interface Room {
  cpu: number;
  memory: number;
  ports: Set<number>;
  groups: Map<string, number>;
  zone: string;
}

/** Exhaustive search: can every task be given a room? Independent of placeTask. */
function assignable(tasks: readonly TaskRequirements[], rooms: Room[]): boolean {
  const [task, ...rest] = tasks;
  if (task === undefined) return true;
  for (const room of rooms) {
    if (room.cpu < task.cpu || room.memory < task.memory) continue;
    if (task.hostPorts.some((p) => room.ports.has(p))) continue;
    if (task.distinctInstance && (room.groups.get(task.group) ?? 0) > 0) continue;
    if (task.memberOf.length > 0 && room.zone !== "a") continue;
    room.cpu -= task.cpu;
    room.memory -= task.memory;
    for (const p of task.hostPorts) room.ports.add(p);
    room.groups.set(task.group, (room.groups.get(task.group) ?? 0) + 1);
    const ok = assignable(rest, rooms);
    room.cpu += task.cpu;
    room.memory += task.memory;
    for (const p of task.hostPorts) room.ports.delete(p);
    room.groups.set(task.group, (room.groups.get(task.group) ?? 1) - 1);
    if (ok) return true;
  }
  return false;
}

function inService(s: ClusterSnapshot, host: Host): boolean {
  if (host.autoScalingGroup === undefined) return true;
  return (
    s.groups[0]?.instances.find((i) => i.instanceId === host.capacity.ec2InstanceId)
      ?.lifecycleState === "InService"
  );
}

function eligible(s: ClusterSnapshot, host: Host): boolean {
  return (
    host.status === "ACTIVE" &&
    host.capacity.agentConnected &&
    host.autoScalingGroup !== undefined &&
    inService(s, host) &&
    NOW.getTime() - (host.capacity.registeredAt?.getTime() ?? 0) >= 900_000 &&
    host.candidateSince !== undefined &&
    NOW.getTime() - host.candidateSince.getTime() >= 600_000 &&
    !host.tasks.some((t) => t.role === "standalone")
  );
}

function drainingBefore(s: ClusterSnapshot): number {
  const ids = new Set<string>();
  for (const i of s.groups[0]?.instances ?? [])
    if (i.lifecycleState.startsWith("Terminating")) ids.add(i.instanceId);
  for (const h of s.hosts)
    if (h.status === "DRAINING" && h.autoScalingGroup === "g") ids.add(h.capacity.ec2InstanceId);
  return ids.size;
}

describe("host consolidator: one step, over random clusters", () => {
  it("leaves every non-expendable task a place, within budget and MinSize, terminating only eligible hosts", () => {
    fc.assert(
      fc.property(clusterArbitrary, (generated) => {
        const s = snapshot(generated);
        const plan = planConsolidation(s, settings(generated.budget), NOW);
        const leaving = new Set(plan.terminate.map((t) => t.containerInstanceArn));
        const group = s.groups[0];
        if (group === undefined) throw new Error("no group");

        for (const t of plan.terminate) {
          const host = s.hosts.find(
            (h) => h.capacity.containerInstanceArn === t.containerInstanceArn,
          );
          expect(host !== undefined && eligible(s, host)).toBe(true);
        }
        const allowed = Math.max(
          0,
          budgetFor(generated.budget, group.instances.length) - drainingBefore(s),
        );
        expect(plan.terminate.length).toBeLessThanOrEqual(allowed);
        expect(group.desiredCapacity - plan.terminate.length).toBeGreaterThanOrEqual(
          Math.min(group.minSize, group.desiredCapacity),
        );

        const moving = s.hosts
          .filter((h) => leaving.has(h.capacity.containerInstanceArn))
          .flatMap((h) =>
            h.tasks.flatMap((t) =>
              t.role !== "movable" || t.requirements === undefined ? [] : [t.requirements],
            ),
          );
        const rooms: Room[] = s.hosts
          .filter(
            (h) =>
              !leaving.has(h.capacity.containerInstanceArn) &&
              h.status === "ACTIVE" &&
              h.capacity.agentConnected &&
              inService(s, h),
          )
          .map((h) => ({
            cpu: h.capacity.remainingCpu,
            memory: h.capacity.remainingMemory,
            ports: new Set(h.capacity.portsInUse),
            groups: new Map(
              h.tasks.reduce(
                (m, t) => m.set(t.group, (m.get(t.group) ?? 0) + 1),
                new Map<string, number>(),
              ),
            ),
            zone: String(h.capacity.attributes.get("zone")),
          }));
        expect(assignable(moving, rooms)).toBe(true);

        const emptyEligible = s.hosts.some(
          (h) =>
            eligible(s, h) &&
            h.tasks.every((t) => t.role === "per-host" || t.role === "expendable"),
        );
        if (emptyEligible && allowed > 0 && group.desiredCapacity - 1 >= group.minSize) {
          expect(plan.terminate.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
