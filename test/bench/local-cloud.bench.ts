/**
 * Local cloud at cluster scale: 1,000 container instances and 10,000 simulated tasks.
 * Measures one reconcile pass that places every task, a pass with nothing to do, API
 * latency through the real SDK client, and the memory the model takes; then, on two more
 * clusters behind Auto Scaling groups (100 and 1,000 hosts), passes of the controllers
 * that read a whole cluster (./local-cloud/passes.ts).
 */
import { performance } from "node:perf_hooks";
import {
  DescribeServicesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { startLocalCloud } from "../../local/cloud";
import { localClientConfig } from "../../local/settings";
import { managedScalingPasses } from "./local-cloud/managed-scaling";
import { cluster, controllerPasses, group, hostSize, passRows } from "./local-cloud/passes";

const instances = 1_000;
const services = 10;
const tasksPerService = 1_000;
const calls = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function latency(name: string, send: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await send(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await send();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { name, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function run(): Promise<void> {
  globalThis.gc?.();
  const before = process.memoryUsage();
  // A long interval: the bench runs the passes itself so it can time them.
  const cloud = await startLocalCloud({
    port: 0,
    runTasks: "simulated",
    reconcileIntervalMs: 3_600_000,
  });
  try {
    const ecs = cloud.ecs;
    ecs.ensureCluster("bench");
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    for (let i = 0; i < instances; i++) {
      ecs.registerHost({
        cluster: "bench",
        cpu: 4096,
        memory: 8192,
        availabilityZone: zones[i % 3],
        instanceType: i % 2 === 0 ? "t3.large" : "m5.large",
      });
    }
    await ecs.handle("RegisterTaskDefinition", {
      family: "bench",
      containerDefinitions: [
        {
          name: "app",
          image: "microscale-web",
          cpu: 32,
          memory: 64,
          portMappings: [{ containerPort: 8080 }],
        },
      ],
    });
    // Created within one macrotask, so no queued pass runs before the timed one.
    for (let s = 0; s < services; s++) {
      await ecs.handle("CreateService", {
        cluster: "bench",
        serviceName: `svc-${s}`,
        taskDefinition: "bench",
        desiredCount: tasksPerService,
        placementConstraints: s === 0 ? [{ type: "distinctInstance" }] : [],
      });
    }
    const placeStarted = performance.now();
    ecs.reconcile();
    const placeMs = performance.now() - placeStarted;
    const placed = ecs.stats();

    // Let every simulated task reach RUNNING, then time a pass that has nothing to do.
    const deadline = Date.now() + 60_000;
    while (ecs.stats().runningTasks < services * tasksPerService && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    ecs.reconcile(); // completes the deployments
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      ecs.reconcile();
      idle.push(performance.now() - started);
    }
    idle.sort((a, b) => a - b);

    const client = new ECSClient(localClientConfig(cloud.endpoint, { maxAttempts: 1 }));
    const api = [
      await latency("ListContainerInstances (100 of 1,000)", () =>
        client.send(new ListContainerInstancesCommand({ cluster: "bench" })),
      ),
      await latency("ListContainerInstances filter + status", () =>
        client.send(
          new ListContainerInstancesCommand({
            cluster: "bench",
            status: "ACTIVE",
            filter:
              "attribute:ecs.instance-type == t3.large and attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
          }),
        ),
      ),
      await latency("ListTasks (100 of 10,000)", () =>
        client.send(new ListTasksCommand({ cluster: "bench", serviceName: "svc-1" })),
      ),
      await latency("DescribeServices (10 services)", () =>
        client.send(
          new DescribeServicesCommand({
            cluster: "bench",
            services: Array.from({ length: services }, (_, s) => `svc-${s}`),
          }),
        ),
      ),
    ];
    globalThis.gc?.();
    const after = process.memoryUsage();
    const final = ecs.stats();

    console.log(`| measure | value |`);
    console.log(`| --- | --- |`);
    console.log(`| container instances | ${final.instances} |`);
    console.log(`| tasks placed by one pass | ${placed.tasks} |`);
    console.log(`| running tasks | ${final.runningTasks} |`);
    console.log(
      `| one reconcile pass placing them | ${placeMs.toFixed(0)} ms (${((placeMs * 1000) / placed.tasks).toFixed(1)} µs/task) |`,
    );
    console.log(
      `| reconcile pass, nothing to do (p50 / max of 20) | ${percentile(idle, 50).toFixed(2)} / ${(idle[idle.length - 1] ?? 0).toFixed(2)} ms |`,
    );
    for (const row of api) {
      console.log(
        `| ${row.name}, p50 / p99 of ${calls} | ${row.p50.toFixed(2)} / ${row.p99.toFixed(2)} ms |`,
      );
    }
    console.log(
      `| heapUsed before → after | ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB (+${mb(after.heapUsed - before.heapUsed)}) |`,
    );
    console.log(
      `| rss before → after | ${mb(before.rss)} → ${mb(after.rss)} MB (+${mb(after.rss - before.rss)}) |`,
    );
    if (globalThis.gc === undefined)
      console.log("\n(run with NODE_OPTIONS=--expose-gc for settled heap figures)");

    const passes = await controllerPasses(cloud);
    console.log(
      [
        "",
        "Controller passes on two more clusters, through the real SDK clients (cold = the first pass; then the median of 5; CPU = the whole process's, the function's and the emulator's):",
        "",
        "| pass | API calls / minimum | calls | cold | per pass | CPU per pass |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
        ...passRows(passes),
      ].join("\n"),
    );
    const scaling = await managedScalingPasses(cloud, cluster, group, hostSize);
    console.log(
      [
        "",
        `ECS managed scaling on the same cluster (median and max of 20 passes, next to the reconcile pass above):`,
        "",
        "| pass | p50 | max | CapacityProviderReservation |",
        "| --- | ---: | ---: | --- |",
        ...scaling.map(
          (f) =>
            `| ${f.name} | ${f.p50Ms.toFixed(1)} ms | ${f.maxMs.toFixed(1)} ms | ${f.reservation} |`,
        ),
      ].join("\n"),
    );
  } finally {
    await cloud.stop();
  }
}
