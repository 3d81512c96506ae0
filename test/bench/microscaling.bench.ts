/**
 * `npm run bench microscaling`: what one invocation of the two microscaling
 * functions costs.
 *
 * 1. PriorityScalerFunction: API calls per invocation against the minimum, and CPU
 *    time per invocation (process.cpuUsage, ECS/DynamoDB stubbed by
 *    aws-sdk-client-mock: our code only), with CAPACITY set and with capacity
 *    derived from 10/100/1000 container instances. Minimum: 1 GetItem + 1
 *    DescribeServices + one UpdateService per step, plus, when derived,
 *    ⌈N/100⌉ ListContainerInstances + ⌈N/100⌉ DescribeContainerInstances + one
 *    DescribeClusters for the capacity providers (elastic capacity; here none, so no
 *    DescribeCapacityProviders or DescribeAutoScalingGroups follows), and
 *    DescribeTaskDefinition per worker revision on a cold start only.
 * 2. DemandRandomizerFunction against dynalite: steps per second and lost races
 *    (conditional writes that had to be re-read and retried) for 1, 2 and 4
 *    concurrent writers. Every step is still exactly one version.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListContainerInstancesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { loadConfig as loadRandomizerConfig } from "../../functions/demand-randomizer/config";
import {
  type RandomizerSummary,
  randomizeDemand,
} from "../../functions/demand-randomizer/randomizer";
import { totalCalls } from "../../functions/lib/api-calls";
import { silentLog, silentMetrics } from "../../functions/lib/observability";
import type { TaskSize } from "../../functions/priority-scaler/capacity";
import { loadConfig as loadScalerConfig } from "../../functions/priority-scaler/config";
import { scalePriorities } from "../../functions/priority-scaler/scaler";
import { startDynalite } from "../integration/demand/dynalite";
import { demandImage } from "../support/demand-item";
import { sampleEvent } from "../support/events";

const ceil100 = (n: number) => Math.ceil(n / 100);

function scalerSetup(instances: number | undefined, change: boolean) {
  const ecsClient = new ECSClient({ region: "us-east-1" });
  const dynamodbClient = new DynamoDBClient({ region: "us-east-1" });
  const ecs = mockClient(ecsClient);
  const ddb = mockClient(dynamodbClient);
  let demand = 3;
  ddb.on(GetItemCommand).callsFake(() => ({ Item: demandImage(demand, 7) }));
  const capacity = instances === undefined ? 9 : instances * 2;
  // ECS settles at once: running = desired as last set by UpdateService.
  const desired: Record<string, number> = { high: 3, low: capacity - 3 };
  ecs.on(DescribeServicesCommand).callsFake(() => ({
    services: ["high", "low"].map((name) => ({
      serviceName: name,
      status: "ACTIVE",
      desiredCount: desired[name],
      runningCount: desired[name],
      taskDefinition: `td:${name}`,
    })),
  }));
  ecs.on(UpdateServiceCommand).callsFake((input: { service: string; desiredCount: number }) => {
    desired[input.service] = input.desiredCount;
    return {};
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { cpu: "256", memory: "512" } });
  // No capacity provider: the ceiling is the capacity there is (one DescribeClusters).
  ecs.on(DescribeClustersCommand).resolves({ clusters: [{ capacityProviders: [] }] });
  const arns = Array.from({ length: instances ?? 0 }, (_, i) => `ci/${i}`);
  ecs.on(ListContainerInstancesCommand).callsFake((input: { nextToken?: string }) => {
    const start = Number(input.nextToken ?? "0");
    const next = start + 100 < arns.length ? String(start + 100) : undefined;
    return { containerInstanceArns: arns.slice(start, start + 100), nextToken: next };
  });
  ecs
    .on(DescribeContainerInstancesCommand)
    .callsFake((input: { containerInstances: string[] }) => ({
      // Hosts are full with workers: no free slot, every slot held by a worker task.
      containerInstances: input.containerInstances.map((arn) => ({
        containerInstanceArn: arn,
        status: "ACTIVE",
        agentConnected: true,
        remainingResources: [
          { name: "CPU", integerValue: 100 },
          { name: "MEMORY", integerValue: 200 },
        ],
      })),
    }));
  const config = loadScalerConfig({
    CLUSTER: "microscale",
    HIGH_PRIORITY_SERVICE: "high",
    LOW_PRIORITY_SERVICE: "low",
    CAPACITY: instances === undefined ? "9" : undefined,
    DEMAND_TABLE: "demand-table",
  });
  const deps = {
    ecs: ecsClient,
    dynamodb: dynamodbClient,
    cloudwatch: new CloudWatchClient({ region: "us-east-1" }),
    autoscaling: new AutoScalingClient({ region: "us-east-1" }),
    log: silentLog,
    metrics: silentMetrics,
    now: () => new Date(),
    taskSizes: new Map<string, TaskSize>(),
  };
  const event = sampleEvent("priority-scaler", "demand-modified");
  return {
    // With `change`, demand moves 3 → 4 → 3 …: each invocation makes one UpdateService
    // (a shrink, or the grow the previous one deferred).
    invoke: () => {
      if (change) demand = demand === 3 ? 4 : 3;
      return scalePriorities(event, config, deps);
    },
    restore: () => {
      ecs.restore();
      ddb.restore();
    },
  };
}

async function benchScaler() {
  const rows: string[][] = [];
  const cases: Array<[string, number | undefined, boolean]> = [
    ["CAPACITY set, no change", undefined, false],
    ["CAPACITY set, demand moves", undefined, true],
    ...[10, 100, 1000].map((n): [string, number, boolean] => [`derived, ${n} instances`, n, false]),
  ];
  for (const [name, instances, change] of cases) {
    const setup = scalerSetup(instances, change);
    const cold = await setup.invoke();
    const warm = await setup.invoke();
    const iterations = instances === 1000 ? 200 : 2000;
    for (let i = 0; i < 50; i++) await setup.invoke();
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await setup.invoke();
    const cpu = process.cpuUsage(start);
    setup.restore();
    const steps = warm.steps.length;
    const minimum = 2 + steps + (instances === undefined ? 0 : 2 * ceil100(instances) + 1);
    rows.push([
      name,
      String(totalCalls(cold.apiCalls)),
      String(totalCalls(warm.apiCalls)),
      String(minimum),
      ((cpu.user + cpu.system) / iterations / 1000).toFixed(3),
    ]);
  }
  printTable(
    ["scaler invocation", "calls (cold)", "calls (warm)", "minimum (warm)", "CPU ms"],
    rows,
  );
}

async function benchRandomizer() {
  const local = await startDynalite();
  const rows: string[][] = [];
  for (const writers of [1, 2, 4]) {
    const table = await local.createDemandTable(`bench-${writers}`);
    const steps = 200;
    const config = { ...loadRandomizerConfig({ DEMAND_TABLE: table }), maxAttempts: 1000 };
    const run = async () => {
      const deps = {
        dynamodb: local.client(),
        log: silentLog,
        metrics: silentMetrics,
        now: () => new Date(),
        random: Math.random,
      };
      const done: RandomizerSummary[] = [];
      for (let i = 0; i < steps / writers; i++) done.push(await randomizeDemand(config, deps));
      return done;
    };
    const started = performance.now();
    const all = (await Promise.all(Array.from({ length: writers }, run))).flat();
    const seconds = (performance.now() - started) / 1000;
    const versions = new Set(all.map((s) => s.version));
    const lost = all.reduce((sum, s) => sum + s.attempts - 1, 0);
    rows.push([
      String(writers),
      String(all.length),
      (all.length / seconds).toFixed(0),
      String(lost),
      (lost / all.length).toFixed(2),
      versions.size === all.length && Math.max(...versions) === all.length ? "yes" : "NO",
    ]);
  }
  await local.close();
  printTable(
    ["writers", "steps", "steps/s", "lost races", "per step", "versions 1..n, no gap"],
    rows,
  );
}

function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log();
}

export async function run(): Promise<void> {
  await benchScaler();
  await benchRandomizer();
}
