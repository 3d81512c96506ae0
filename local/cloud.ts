import { join, resolve } from "node:path";
import { AutoScaling } from "./autoscaling/model";
import { autoScalingApi } from "./autoscaling/responses";
import { LocalClock } from "./clock";
import { MetricsStore } from "./cloudwatch/metrics";
import type { DynamoDBStreamRecord } from "./dynamodb/streams";
import { DynamoDBStreamsProxy } from "./dynamodb/streams-proxy";
import type { ManagedScaling } from "./ecs/capacity/managed-scaling";
import { EcsControlPlane } from "./ecs/control-plane";
import { defaultContainersDir } from "./ecs/runners/container-bundles";
import { ProcessTaskRunner } from "./ecs/runners/process-runner";
import { SimulatedTaskRunner } from "./ecs/runners/simulated-runner";
import type { TaskRunner } from "./ecs/runners/task-runner";
import { Edge, type JsonHandler, type RouteOptions } from "./edge/server";
import { InProcessEventBus, type LocalEventBus } from "./eventbridge/bus";
import { FaultInjector, type Faults } from "./faults/faults";
import { localAccountId, localRegion, localSdkEnvironment } from "./settings";

export type { DynamoDBStreamRecord } from "./dynamodb/streams";
export type { EcsControlPlane, HostSpec, TaskEndpoint } from "./ecs/control-plane";
export type { BusEvent, LocalEventBus } from "./eventbridge/bus";
export type { Fault } from "./faults/faults";

export interface LocalCloudOptions {
  /** Simulated seconds per real second for every simulated wait (see clock.ts); default 1. */
  timeScale?: number;
  /** Edge port; default 4566, 0 = ephemeral (tests). */
  port?: number;
  host?: "127.0.0.1";
  region?: string;
  accountId?: string;
  /** "processes" runs containers/ programs; "simulated" runs no process (bench, fast tests). */
  runTasks?: "processes" | "simulated";
  /** Where `<name>/src/main.ts` container programs live; default the project's containers/. */
  containersDir?: string;
  /** SIGTERM → SIGKILL grace for containers without `stopTimeout`; default 30 s as ECS. */
  stopTimeoutMs?: number;
  /** Scheduler period; changes also trigger a pass at once. Default 200 ms. */
  reconcileIntervalMs?: number;
  /** Failed starts that fail a deployment without a circuit breaker; default 10. */
  failedTasksThreshold?: number;
  /** RUNNING time before a rollout counts as COMPLETED; default 500 ms (0 when simulated). */
  taskStabilizationMs?: number;
  /** Simulated seconds from an Auto Scaling launch to the host registering; default 1. */
  hostBootSeconds?: number;
  /** Simulated seconds between managed scaling passes; default 15 (AWS: a minute). */
  managedScalingIntervalSeconds?: number;
  /** Simulated seconds the reservation stays below target before a scale-in; default 300. */
  scaleInAfterSeconds?: number;
}

export interface LocalCloud {
  endpoint: string;
  /** The one clock every simulated wait runs on. */
  clock: LocalClock;
  region: string;
  accountId: string;
  ecs: EcsControlPlane;
  autoscaling: AutoScaling;
  /** ECS managed scaling of the capacity providers' groups. */
  managedScaling: ManagedScaling;
  events: LocalEventBus;
  dynamodb: {
    subscribeStream(
      tableName: string,
      listener: (records: DynamoDBStreamRecord[]) => void,
    ): () => void;
    /** dynalite's own endpoint, behind the edge's stream proxy; clients use `endpoint`. */
    internalEndpoint: string;
  };
  cloudwatch: MetricsStore;
  faults: Faults;
  edge: {
    route(targetPrefix: string, handler: JsonHandler, options?: RouteOptions): void;
  };
  stop(): Promise<void>;
}

const repoRoot = resolve(defaultContainersDir, "..");

/**
 * Boots the local cloud on loopback: the edge endpoint with ECS, EC2 Auto Scaling,
 * DynamoDB (dynalite + streams) and CloudWatch behind it, the ECS scheduler, and the
 * in-process event bus.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const region = options.region ?? localRegion;
  const accountId = options.accountId ?? localAccountId;
  const host = options.host ?? "127.0.0.1";
  const clock = new LocalClock({ timeScale: options.timeScale });
  const faults = new FaultInjector();
  const edge = new Edge(faults);
  const bus = new InProcessEventBus((error) =>
    console.error("local event bus listener failed:", error),
  );
  const dynamodb = new DynamoDBStreamsProxy(region, accountId);
  const cloudwatch = new MetricsStore();

  await dynamodb.start();
  let endpoint: string;
  try {
    endpoint = await edge.listen(options.port ?? 4566, host);
  } catch (error) {
    await dynamodb.stop();
    throw error;
  }

  const containersDir = resolve(options.containersDir ?? defaultContainersDir);
  const runner: TaskRunner =
    options.runTasks === "simulated"
      ? new SimulatedTaskRunner()
      : new ProcessTaskRunner({
          containersDir,
          outDir:
            containersDir === defaultContainersDir
              ? join(repoRoot, ".tmp", "containers")
              : join(
                  repoRoot,
                  ".tmp",
                  "containers",
                  Buffer.from(containersDir).toString("base64url").slice(-24),
                ),
          // What a task role and the agent give a container on AWS, pointed at loopback.
          baseEnvironment: localSdkEnvironment(endpoint, region),
        });
  const ecs = new EcsControlPlane({
    region,
    accountId,
    runner,
    bus,
    stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
    reconcileIntervalMs: options.reconcileIntervalMs,
    failedTasksThreshold: options.failedTasksThreshold,
    taskStabilizationMs:
      options.taskStabilizationMs ?? (options.runTasks === "simulated" ? 0 : 500),
  });

  edge.route(
    "AmazonEC2ContainerServiceV20141113",
    (operation, input) => ecs.handle(operation, input),
    {
      namespace: "com.amazonaws.ecs",
    },
  );
  edge.routeRaw(
    "DynamoDB_20120810",
    (operation, body, headers) => dynamodb.handle(operation, body, headers),
    {
      namespace: "com.amazonaws.dynamodb.v20120810",
    },
  );
  edge.route(
    "GraniteServiceVersion20100801",
    (operation, input) => cloudwatch.handle(operation, input),
    {
      namespace: "com.amazonaws.cloudwatch",
    },
  );
  const autoscaling = new AutoScaling({
    region,
    accountId,
    clock,
    bootDelayMs: (options.hostBootSeconds ?? 1) * 1000,
  });
  edge.routeQuery(autoScalingApi(autoscaling));
  const managedScaling = ecs.managedScaling({
    groups: autoscaling,
    publish: (namespace, metricName, dimensions, value, time) =>
      cloudwatch.publish(namespace, metricName, dimensions, value, time),
    clock,
    intervalMs: (options.managedScalingIntervalSeconds ?? 15) * 1000,
    scaleInAfterMs: (options.scaleInAfterSeconds ?? 300) * 1000,
  });
  managedScaling.start();
  ecs.start();

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    clock,
    region,
    accountId,
    ecs,
    autoscaling,
    managedScaling,
    events: bus,
    dynamodb: {
      subscribeStream: (tableName, listener) => dynamodb.subscribeStream(tableName, listener),
      internalEndpoint: dynamodb.internalEndpoint,
    },
    cloudwatch,
    faults,
    edge: { route: (prefix, handler, routeOptions) => edge.route(prefix, handler, routeOptions) },
    stop() {
      stopping ??= (async () => {
        managedScaling.stop();
        autoscaling.stop();
        await ecs.stop();
        await edge.close();
        await dynamodb.stop();
      })();
      return stopping;
    },
  };
}
