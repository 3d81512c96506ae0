import { performance } from "node:perf_hooks";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { definition as syncDefinition } from "../../../functions/desired-count-sync/index";
import { definition as consolidatorDefinition } from "../../../functions/host-consolidator/index";
import { type ApiCalls, totalCalls } from "../../../functions/lib/api-calls";
import { lambdaHandler } from "../../../functions/lib/handler";
import { controlPlaneHosts, EcsHostLauncher } from "../../../local/autoscaling/ecs-hosts";
import type { LocalCloud } from "../../../local/cloud";
import { localClientConfig } from "../../../local/settings";
import { lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";

/**
 * The two controllers that read a whole cluster, one pass each at 1,000 hosts and
 * 10,000 tasks on the local cloud, through the real SDK clients: API calls against the
 * minimum, and milliseconds per pass (median of PASSES, after a first cold pass).
 *
 * The cluster: an Auto Scaling group of HOSTS instances registered as container
 * instances, a per-host service (distinctInstance, tagged) with one task on each, and
 * SERVICES - 1 more services sharing the other tasks.
 */
const HOSTS = 1_000;
const SERVICES = 10;
const TASKS = 10_000;
const PASSES = 5;
export const cluster = "scale";
export const group = "scale-hosts";
export const hostSize = { cpu: 4096, memory: 8192 };

const ceil = (a: number, b: number) => Math.ceil(a / b);

export interface PassFigure {
  name: string;
  calls: ApiCalls;
  minimum: number;
  coldMs: number;
  medianMs: number;
  /** CPU of the whole process per pass (median): the function and the emulator it calls. */
  medianCpuMs: number;
}

async function until(what: string, done: () => boolean, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`scale bench: ${what} did not happen in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function buildCluster(cloud: LocalCloud): Promise<void> {
  const { ecs } = cloud;
  ecs.ensureCluster(cluster);
  cloud.autoscaling.createGroup({
    name: group,
    minSize: 0,
    maxSize: HOSTS,
    desiredCapacity: HOSTS,
    launchTemplate: {
      launchTemplateId: "lt-0scale",
      launchTemplateName: "scale",
      version: "$Latest",
    },
    instanceType: "m5.large",
    availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    launcher: new EcsHostLauncher({
      hosts: controlPlaneHosts(ecs, cluster),
      size: hostSize,
      clock: cloud.clock,
      drainTimeoutMs: 60_000,
    }),
  });
  await until(
    "the group's hosts registering",
    () => ecs.containerInstancesOf(cluster).length >= HOSTS,
  );
  for (const family of ["scale-agent", "scale-app"]) {
    await ecs.handle("RegisterTaskDefinition", {
      family,
      containerDefinitions: [{ name: "app", image: "microscale-worker", cpu: 32, memory: 64 }],
    });
  }
  await ecs.handle("CreateService", {
    cluster,
    serviceName: "agent",
    taskDefinition: "scale-agent",
    desiredCount: HOSTS,
    placementConstraints: [{ type: "distinctInstance" }],
    tags: [{ key: "microscale:per-host", value: "true" }],
  });
  const perService = Math.floor((TASKS - HOSTS) / (SERVICES - 1));
  for (let s = 1; s < SERVICES; s++) {
    await ecs.handle("CreateService", {
      cluster,
      serviceName: `app-${s}`,
      taskDefinition: "scale-app",
      desiredCount: perService,
    });
  }
  ecs.reconcile();
  await until(
    "every task running",
    () => ecs.stats().runningTasks >= HOSTS + perService * (SERVICES - 1),
  );
  ecs.reconcile();
}

async function timePasses(invoke: () => Promise<{ apiCalls: ApiCalls }>) {
  const started = performance.now();
  const cold = await invoke();
  const coldMs = performance.now() - started;
  const times: number[] = [];
  const cpu: number[] = [];
  let calls = cold.apiCalls;
  for (let i = 0; i < PASSES; i++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    calls = (await invoke()).apiCalls;
    const used = process.cpuUsage(cpu0);
    times.push(performance.now() - t0);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    coldMs,
    medianMs: median(times),
    medianCpuMs: median(cpu),
    cold: cold.apiCalls,
    calls,
  };
}

export async function controllerPasses(cloud: LocalCloud): Promise<PassFigure[]> {
  await buildCluster(cloud);
  // As the template sets AWS_MAX_ATTEMPTS: a pass that fans out reads may meet a reset
  // keep-alive socket, which the SDK retries as Lambda's would.
  const config = localClientConfig(cloud.endpoint, { maxAttempts: 5 });
  const ecs = new ECSClient(config);
  const autoscaling = new AutoScalingClient(config);
  const context = lambdaContext({ remainingMs: 120_000 });
  const observability = () => recordingObservability();

  const sync = lambdaHandler(syncDefinition, {
    deps: { ecs },
    env: () => ({ CLUSTER: cluster, PER_HOST_SERVICES: "agent" }),
    observability,
  });
  const syncEvent = sampleEvent("desired-count-sync", "scheduled-reconcile");
  const syncFigures = await timePasses(() => sync(syncEvent, context));

  const consolidator = lambdaHandler(consolidatorDefinition, {
    deps: { ecs, autoscaling, definitions: new Map() },
    env: () => ({
      CLUSTERS: cluster,
      AUTO_SCALING_GROUPS: group,
      CONSOLIDATE_AFTER_SECONDS: "0",
      MIN_HOST_AGE_SECONDS: "0",
      // Plans every pass alike: a pass that terminated a host would change the next one.
      DRY_RUN: "true",
    }),
    observability,
  });
  const tickEvent = sampleEvent("host-consolidator", "scheduled-tick");
  const consolidation = await timePasses(() => consolidator(tickEvent, context));

  const tasks = HOSTS + Math.floor((TASKS - HOSTS) / (SERVICES - 1)) * (SERVICES - 1);
  return [
    {
      // One service named, no change: ⌈S/10⌉ DescribeServices + ⌈N/100⌉ ListContainerInstances.
      name: `per-host sync, scheduled reconcile (1 per-host service, ${HOSTS} hosts)`,
      calls: syncFigures.calls,
      minimum: 1 + ceil(HOSTS, 100),
      coldMs: syncFigures.coldMs,
      medianMs: syncFigures.medianMs,
      medianCpuMs: syncFigures.medianCpuMs,
    },
    {
      // Reads of the whole cluster: list + describe every container instance (100 per
      // call), every task (100 per call) and every service (10 per describe), and the group.
      name: `host consolidation, scheduled, dry run (${HOSTS} hosts, ${tasks} tasks, ${SERVICES} services)`,
      calls: consolidation.calls,
      minimum:
        2 * ceil(HOSTS, 100) + 2 * ceil(tasks, 100) + ceil(SERVICES, 100) + ceil(SERVICES, 10) + 1,
      coldMs: consolidation.coldMs,
      medianMs: consolidation.medianMs,
      medianCpuMs: consolidation.medianCpuMs,
    },
  ];
}

export function passRows(figures: readonly PassFigure[]): string[] {
  return figures.map((figure) => {
    const total = totalCalls(figure.calls);
    const detail = Object.entries(figure.calls)
      .filter(([, count]) => count > 0)
      .map(([action, count]) => `${action.replace(/^\w+:/, "")} ${count}`)
      .join(", ");
    return `| ${figure.name} | ${total} / ${figure.minimum} (${(total / figure.minimum).toFixed(2)}×) | ${detail} | ${figure.coldMs.toFixed(0)} ms | ${figure.medianMs.toFixed(0)} ms | ${figure.medianCpuMs.toFixed(0)} ms |`;
  });
}
