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
 * The two controllers that read a whole cluster, on the local cloud through the real SDK
 * clients: the per-host sync at 1,000 hosts and a consolidation pass at 100 and at 1,000
 * hosts (10 tasks a host) — API calls against the minimum, and wall and CPU milliseconds
 * per pass (median of PASSES, after a first cold pass).
 *
 * Each cluster: an Auto Scaling group of `hosts` instances registered as container
 * instances, a per-host service (distinctInstance, tagged) with one task on each, and
 * SERVICES - 1 more services sharing the other tasks.
 */
const SERVICES = 10;
const PASSES = 5;
export const cluster = "scale";
export const group = "scale-hosts";
export const hostSize = { cpu: 4096, memory: 8192 };

interface ClusterSpec {
  readonly cluster: string;
  readonly group: string;
  readonly hosts: number;
  /** Every task of the cluster, the per-host ones included. */
  readonly tasks: number;
}

const large: ClusterSpec = { cluster, group, hosts: 1_000, tasks: 10_000 };
const small: ClusterSpec = {
  cluster: "scale-100",
  group: "scale-100-hosts",
  hosts: 100,
  tasks: 1_000,
};

const ceil = (a: number, b: number) => Math.ceil(a / b);
/** Tasks of the services that share the hosts: as many per service as divide evenly. */
const sharedPerService = (spec: ClusterSpec) =>
  Math.floor((spec.tasks - spec.hosts) / (SERVICES - 1));
const taskCount = (spec: ClusterSpec) => spec.hosts + sharedPerService(spec) * (SERVICES - 1);

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

async function registerDefinitions(cloud: LocalCloud): Promise<void> {
  for (const family of ["scale-agent", "scale-app"]) {
    await cloud.ecs.handle("RegisterTaskDefinition", {
      family,
      containerDefinitions: [{ name: "app", image: "microscale-worker", cpu: 32, memory: 64 }],
    });
  }
}

async function buildCluster(cloud: LocalCloud, spec: ClusterSpec): Promise<void> {
  const { ecs } = cloud;
  ecs.ensureCluster(spec.cluster);
  cloud.autoscaling.createGroup({
    name: spec.group,
    minSize: 0,
    maxSize: spec.hosts,
    desiredCapacity: spec.hosts,
    launchTemplate: {
      launchTemplateId: `lt-0${spec.cluster}`,
      launchTemplateName: spec.cluster,
      version: "$Latest",
    },
    instanceType: "m5.large",
    availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    launcher: new EcsHostLauncher({
      hosts: controlPlaneHosts(ecs, spec.cluster),
      size: hostSize,
      clock: cloud.clock,
      drainTimeoutMs: 60_000,
    }),
  });
  await until(
    `the hosts of ${spec.group} registering`,
    () => ecs.containerInstancesOf(spec.cluster).length >= spec.hosts,
  );
  await ecs.handle("CreateService", {
    cluster: spec.cluster,
    serviceName: "agent",
    taskDefinition: "scale-agent",
    desiredCount: spec.hosts,
    placementConstraints: [{ type: "distinctInstance" }],
    tags: [{ key: "microscale:per-host", value: "true" }],
  });
  for (let s = 1; s < SERVICES; s++) {
    await ecs.handle("CreateService", {
      cluster: spec.cluster,
      serviceName: `app-${s}`,
      taskDefinition: "scale-app",
      desiredCount: sharedPerService(spec),
    });
  }
  // Counted across the cloud (a cheap count), on top of what ran before this cluster.
  const before = ecs.stats().runningTasks;
  ecs.reconcile();
  await until(
    `every task of ${spec.cluster} running`,
    () => ecs.stats().runningTasks >= before + taskCount(spec),
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
  await registerDefinitions(cloud);
  await buildCluster(cloud, small);
  await buildCluster(cloud, large);
  // As the template sets AWS_MAX_ATTEMPTS: a pass that fans out reads may meet a reset
  // keep-alive socket, which the SDK retries as Lambda's would.
  const config = localClientConfig(cloud.endpoint, { maxAttempts: 5 });
  const ecs = new ECSClient(config);
  const autoscaling = new AutoScalingClient(config);
  const context = lambdaContext({ remainingMs: 120_000 });
  const observability = () => recordingObservability();

  const sync = lambdaHandler(syncDefinition, {
    deps: { ecs },
    env: () => ({ CLUSTER: large.cluster, PER_HOST_SERVICES: "agent" }),
    observability,
  });
  const syncEvent = sampleEvent("desired-count-sync", "scheduled-reconcile");
  const syncFigures = await timePasses(() => sync(syncEvent, context));

  const consolidation = async (spec: ClusterSpec): Promise<PassFigure> => {
    const consolidator = lambdaHandler(consolidatorDefinition, {
      // Task definitions kept across passes, as in one execution environment.
      deps: { ecs, autoscaling, definitions: new Map() },
      env: () => ({
        CLUSTERS: spec.cluster,
        AUTO_SCALING_GROUPS: spec.group,
        CONSOLIDATE_AFTER_SECONDS: "0",
        MIN_HOST_AGE_SECONDS: "0",
        // Plans every pass alike: a pass that terminated a host would change the next one.
        DRY_RUN: "true",
      }),
      observability,
    });
    const tickEvent = sampleEvent("host-consolidator", "scheduled-tick");
    const figures = await timePasses(() => consolidator(tickEvent, context));
    const tasks = taskCount(spec);
    return {
      name: `host consolidation, scheduled, dry run (${spec.hosts} hosts, ${tasks} tasks, ${SERVICES} services)`,
      calls: figures.calls,
      // Reading the cluster once: list + describe every container instance and every
      // task (100 a call), list the services (100 a call) and describe them (10 a call),
      // and the group; the task definitions were read by the cold pass.
      minimum:
        2 * ceil(spec.hosts, 100) +
        2 * ceil(tasks, 100) +
        ceil(SERVICES, 100) +
        ceil(SERVICES, 10) +
        1,
      coldMs: figures.coldMs,
      medianMs: figures.medianMs,
      medianCpuMs: figures.medianCpuMs,
    };
  };

  return [
    {
      name: `per-host sync, scheduled reconcile (1 per-host service, ${large.hosts} hosts)`,
      calls: syncFigures.calls,
      // One service named, in sync: ⌈S/10⌉ DescribeServices; ⌈N/100⌉ ListContainerInstances
      // to count the ACTIVE hosts it may run on; and one ListContainerInstances more, of
      // those without its task (`not(task:group == …)`, empty here). That one cannot be
      // folded in: a listing carries no tasks, and the service's runningCount does not say
      // where they run (a task on a DRAINING host counts, an ACTIVE host without one is
      // the change to find). Reading the tasks instead costs ⌈T/100⌉ ≥ 1 calls too.
      minimum: ceil(1, 10) + ceil(large.hosts, 100) + 1,
      coldMs: syncFigures.coldMs,
      medianMs: syncFigures.medianMs,
      medianCpuMs: syncFigures.medianCpuMs,
    },
    await consolidation(small),
    await consolidation(large),
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
