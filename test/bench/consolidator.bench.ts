/**
 * `npm run bench consolidator`: what HostConsolidatorFunction costs, and how close it
 * packs.
 *
 * 1. One consolidation pass at 100 and 1,000 hosts (every host marked long ago, a tenth
 *    of them empty, DISRUPTION_BUDGET 1): API calls against the minimum
 *      ⌈N/100⌉ ListContainerInstances + ⌈N/100⌉ DescribeContainerInstances
 *      + ⌈T/100⌉ ListTasks + ⌈T/100⌉ DescribeTasks + ⌈S/100⌉ ListServices
 *      + ⌈S/10⌉ DescribeServices + one DescribeTaskDefinition per movable or expendable
 *        revision (the expendable ones size the room a move may need; first pass of an
 *        execution environment only) + ⌈G/100⌉ DescribeAutoScalingGroups
 *      + one TerminateInstanceInAutoScalingGroup per host chosen,
 *    and CPU per pass: the whole handler against the in-memory cluster of the unit tests
 *    (aws-sdk-client-mock; the fake's own work included), and the decision alone
 *    (`planConsolidation` on the snapshot).
 * 2. Random workloads: rounds of consolidation (no waiting, budget of the whole group)
 *    until a round terminates nothing, each round's moved tasks placed first-fit
 *    decreasing as ECS could; then the hosts left against the bin-packing lower bound
 *    ⌈Σ movable task resources / (host resources − per-host task)⌉ (the larger of CPU
 *    and memory, and at least MinSize): ratio, median and worst over the seeds.
 */
import { TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { definition } from "../../functions/host-consolidator/index";
import type { ClusterSnapshot, Host, HostTask } from "../../functions/host-consolidator/model";
import { planConsolidation } from "../../functions/host-consolidator/plan";
import { totalCalls } from "../../functions/lib/api-calls";
import { lambdaHandler } from "../../functions/lib/handler";
import { type Observability, silentLog, silentMetrics } from "../../functions/lib/observability";
import type { TaskRequirements } from "../../functions/lib/placement/requirements";
import { type PlacementCandidate, placeTask } from "../../functions/lib/placement/task-placement";
import { lambdaContext, sampleEvent } from "../support/events";
import { FakeCluster } from "../unit/host-consolidator/fake-cluster";

const NOW = new Date("2026-12-01T10:00:00.000Z");
const ceil = (a: number, b: number) => Math.ceil(a / b);
const quiet: Observability = {
  log: silentLog,
  metrics: silentMetrics,
  addContext() {},
  flush() {},
};

// ---- 1. one pass at scale ------------------------------------------------------------

function cluster(hosts: number): FakeCluster {
  const c = new FakeCluster(NOW);
  c.addGroup({ name: "hosts", minSize: 1, maxSize: hosts * 2 });
  c.addService({ name: "agent", perHost: true, cpu: 128, memory: 128 });
  c.addService({ name: "web", cpu: 512, memory: 1024 });
  c.addService({ name: "low-priority", cpu: 256, memory: 512 });
  // Every tenth host runs only its agent (empty: the pass's candidate, which goes at once:
  // a host with expendable tasks would first wait for its room); the expendable service
  // runs beside web on every tenth host after it.
  for (let i = 0; i < hosts; i++) {
    const host = c.addHost();
    c.run("agent", host);
    if (i % 10 === 0) {
      c.markSince(host, 3600);
      continue;
    }
    c.run("web", host, i % 10 === 5 ? 1 : 2);
    if (i % 10 === 5) c.run("low-priority", host, 2);
    c.markSince(host, 3600);
  }
  return c;
}

async function pass(hosts: number) {
  const c = cluster(hosts);
  const definitions = new Map();
  const invoke = lambdaHandler(definition, {
    deps: { ecs: c.ecs, autoscaling: c.autoscaling, now: () => NOW, definitions },
    env: () => ({
      CLUSTERS: c.cluster,
      AUTO_SCALING_GROUPS: "hosts",
      EXPENDABLE_SERVICES: "low-priority",
    }),
    observability: () => quiet,
  });
  const event = sampleEvent("host-consolidator", "scheduled-tick");
  const cold = await invoke(event, lambdaContext());
  const tasks = c.tasks.length;
  const minimum =
    2 * ceil(hosts, 100) +
    2 * ceil(tasks, 100) +
    ceil(c.services.size, 100) +
    ceil(c.services.size, 10) +
    2 + // DescribeTaskDefinition: web, the one movable revision, and low-priority
    1 + // DescribeAutoScalingGroups
    1; // TerminateInstanceInAutoScalingGroup
  const sent = c.ecsMock.calls().length + c.asgMock.calls().length;
  if (sent !== totalCalls(cold.apiCalls))
    throw new Error(`summary ${totalCalls(cold.apiCalls)} ≠ sent ${sent}`);
  if (c.asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand).length !== 1) {
    throw new Error("expected one termination in the first pass");
  }
  // Later passes: the budget is spent on the host now terminating; same reads.
  for (let i = 0; i < 5; i++) await invoke(event, lambdaContext());
  const iterations = hosts >= 1000 ? 10 : 50;
  const started = performance.now();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await invoke(event, lambdaContext());
  const used = process.cpuUsage(start);
  return {
    calls: totalCalls(cold.apiCalls),
    minimum,
    wallMs: (performance.now() - started) / iterations,
    handlerMs: (used.user + used.system) / iterations / 1000,
    planMs: planCpu(hosts),
  };
}

/** The decision alone, on a snapshot like the pass's. */
function planCpu(hosts: number): number {
  const snapshot = randomSnapshot(mulberry32(hosts), hosts, 0.5);
  const settings = {
    consolidateAfterSeconds: 600,
    minHostAgeSeconds: 900,
    disruptionBudget: { kind: "count", count: 1 },
    expendableServices: new Set<string>(),
    roomSettleSeconds: 0,
  } as const;
  for (let i = 0; i < 3; i++) planConsolidation(snapshot, settings, NOW);
  const iterations = hosts >= 1000 ? 5 : 50;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) planConsolidation(snapshot, settings, NOW);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations / 1000;
}

// ---- 2. random workloads against the lower bound ---------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOST = { cpu: 2048, memory: 4096 };
const AGENT = { cpu: 128, memory: 128 };
const SIZES = [
  { name: "small", cpu: 128, memory: 256 },
  { name: "web", cpu: 256, memory: 512 },
  { name: "api", cpu: 512, memory: 1024 },
  { name: "batch", cpu: 1024, memory: 1536 },
];

function task(size: (typeof SIZES)[number]): TaskRequirements {
  return {
    group: `service:${size.name}`,
    cpu: size.cpu,
    memory: size.memory,
    hostPorts: [],
    distinctInstance: false,
    memberOf: [],
  };
}

/** `hosts` hosts of one size, each with the agent and movable tasks to about `fill`. */
function randomSnapshot(random: () => number, hosts: number, fill: number): ClusterSnapshot {
  const all: Host[] = [];
  for (let i = 0; i < hosts; i++) {
    const tasks: HostTask[] = [{ taskArn: `agent/${i}`, group: "service:agent", role: "per-host" }];
    let cpu = AGENT.cpu;
    let memory = AGENT.memory;
    const target = fill * (0.3 + random() * 1.4);
    for (let n = 0; n < 20; n++) {
      const size = SIZES[Math.floor(random() * SIZES.length)] ?? SIZES[0];
      if (size === undefined) break;
      if ((memory + size.memory) / HOST.memory > Math.min(1, target)) break;
      if (cpu + size.cpu > HOST.cpu) break;
      cpu += size.cpu;
      memory += size.memory;
      tasks.push({
        taskArn: `t/${i}/${n}`,
        group: `service:${size.name}`,
        role: "movable",
        requirements: task(size),
      });
    }
    all.push({
      capacity: {
        containerInstanceArn: `ci/${i}`,
        ec2InstanceId: `i-${i}`,
        registeredCpu: HOST.cpu,
        registeredMemory: HOST.memory,
        remainingCpu: HOST.cpu - cpu,
        remainingMemory: HOST.memory - memory,
        portsInUse: new Set([22]),
        attributes: new Map(),
        agentConnected: true,
        registeredAt: new Date(NOW.getTime() - 3_600_000),
        runningTasksCount: tasks.length,
        agentVersion: "1.89.0",
      },
      status: "ACTIVE",
      autoScalingGroup: "g",
      tasks,
      candidateSince: new Date(NOW.getTime() - 3_600_000),
      marked: true,
      expendableRoom: undefined,
    });
  }
  return {
    cluster: "c",
    hosts: all,
    groups: [
      {
        name: "g",
        minSize: 1,
        maxSize: hosts * 2,
        desiredCapacity: hosts,
        instances: all.map((h) => ({
          instanceId: h.capacity.ec2InstanceId,
          lifecycleState: "InService",
        })),
      },
    ],
    hold: [],
    expendableDesired: new Map(),
  };
}

/** Moves the terminated hosts' movable tasks onto the others, first-fit decreasing. */
function afterRound(snapshot: ClusterSnapshot, leaving: ReadonlySet<string>): ClusterSnapshot {
  const staying = snapshot.hosts.filter((h) => !leaving.has(h.capacity.containerInstanceArn));
  const moving = snapshot.hosts
    .filter((h) => leaving.has(h.capacity.containerInstanceArn))
    .flatMap((h) => h.tasks.filter((t) => t.role === "movable"))
    .sort((a, b) => (b.requirements?.memory ?? 0) - (a.requirements?.memory ?? 0));
  const rooms = staying.map((h) => ({
    host: h,
    cpu: h.capacity.remainingCpu,
    memory: h.capacity.remainingMemory,
    tasks: [...h.tasks],
  }));
  for (const t of moving) {
    const need = t.requirements;
    if (need === undefined) continue;
    const candidates: (PlacementCandidate & { room: (typeof rooms)[number] })[] = rooms.map(
      (room) => ({
        room,
        arn: room.host.capacity.containerInstanceArn,
        remainingCpu: room.cpu,
        remainingMemory: room.memory,
        portsInUse: room.host.capacity.portsInUse,
        groupTaskCount: 0,
        subjectValues: () => undefined,
      }),
    );
    const placement = placeTask(
      { ...need, strategy: [{ type: "binpack", field: "memory" }] },
      candidates,
      () => 0,
    );
    if (!placement.placed) throw new Error("a moved task found no host: the plan was wrong");
    const room = (placement.candidate as (typeof candidates)[number]).room;
    room.cpu -= need.cpu;
    room.memory -= need.memory;
    room.tasks.push(t);
  }
  const hosts = rooms.map((room) => ({
    ...room.host,
    capacity: { ...room.host.capacity, remainingCpu: room.cpu, remainingMemory: room.memory },
    tasks: room.tasks,
  }));
  const [group] = snapshot.groups;
  if (group === undefined) throw new Error("no group");
  return {
    ...snapshot,
    hosts,
    groups: [
      {
        ...group,
        desiredCapacity: hosts.length,
        instances: hosts.map((h) => ({
          instanceId: h.capacity.ec2InstanceId,
          lifecycleState: "InService",
        })),
      },
    ],
  };
}

function consolidateFully(start: ClusterSnapshot): { hosts: number; rounds: number } {
  const settings = {
    consolidateAfterSeconds: 0,
    minHostAgeSeconds: 0,
    disruptionBudget: { kind: "percent", percent: 100 },
    expendableServices: new Set<string>(),
    roomSettleSeconds: 0,
  } as const;
  let snapshot = start;
  for (let rounds = 1; rounds < 200; rounds++) {
    const plan = planConsolidation(snapshot, settings, NOW);
    if (plan.terminate.length === 0) return { hosts: snapshot.hosts.length, rounds };
    snapshot = afterRound(snapshot, new Set(plan.terminate.map((t) => t.containerInstanceArn)));
  }
  return { hosts: snapshot.hosts.length, rounds: 200 };
}

function lowerBound(snapshot: ClusterSnapshot): number {
  const tasks = snapshot.hosts.flatMap((h) =>
    h.tasks.flatMap((t) => (t.requirements === undefined ? [] : [t.requirements])),
  );
  const cpu = tasks.reduce((sum, t) => sum + t.cpu, 0);
  const memory = tasks.reduce((sum, t) => sum + t.memory, 0);
  return Math.max(1, ceil(cpu, HOST.cpu - AGENT.cpu), ceil(memory, HOST.memory - AGENT.memory));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function run(): Promise<void> {
  await pass(100); // warm the JIT
  const rows: string[] = [];
  for (const hosts of [100, 1000]) {
    const r = await pass(hosts);
    rows.push(
      `| ${hosts} | ${r.calls} / ${r.minimum}${r.calls <= r.minimum ? "" : " ✗"} | ${r.wallMs.toFixed(1)} ms | ${r.handlerMs.toFixed(1)} ms | ${r.planMs.toFixed(1)} ms |`,
    );
  }
  console.log(
    [
      "One pass: API calls measured / minimum (✗ = above it; first pass of an execution environment, one host terminated) and CPU per pass.",
      "Hosts: 2048 CPU / 4096 MiB, each with the per-host agent; 1 in 10 runs nothing else (the candidate), 1 in 10 one web and two expendable tasks, the rest two web tasks.",
      "",
      "| hosts | API calls | ms per pass | CPU, whole handler (fake cluster included) | CPU, the decision alone |",
      "| ---: | ---: | ---: | ---: | ---: |",
      ...rows,
    ].join("\n"),
  );

  const ratios: Record<string, number[]> = {};
  const lines: string[] = [];
  for (const [hosts, fill] of [
    [20, 0.3],
    [20, 0.6],
    [60, 0.3],
    [60, 0.6],
  ] as const) {
    const key = `${hosts} hosts, ~${Math.round(fill * 100)} % full`;
    const found: number[] = [];
    let rounds = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const start = randomSnapshot(mulberry32(seed * 7919 + hosts), hosts, fill);
      const result = consolidateFully(start);
      found.push(result.hosts / lowerBound(start));
      rounds = Math.max(rounds, result.rounds);
    }
    ratios[key] = found;
    lines.push(
      `| ${key} | ${median(found).toFixed(2)} | ${Math.max(...found).toFixed(2)} | ${rounds} |`,
    );
  }
  console.log(
    [
      "",
      "Random workloads (30 seeds each; tasks of 128/256, 256/512, 512/1024 and 1024/1536 CPU/MiB): hosts left after consolidation ÷ the bin-packing lower bound.",
      "",
      "| workload | median | worst | rounds (most) |",
      "| --- | ---: | ---: | ---: |",
      ...lines,
    ].join("\n"),
  );
}
