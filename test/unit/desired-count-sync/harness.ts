/**
 * Test wiring: a fresh ECSClient stubbed by aws-sdk-client-mock and answered by a
 * FakeEcs model, a log that records lines, a metric sink that records points, and the
 * real handler built by `createHandler` with a chosen environment.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DescribeServicesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { createHandler } from "../../../functions/desired-count-sync/index";
import type { SyncSummary } from "../../../functions/desired-count-sync/sync";
import type { Log, MetricSink } from "../../../functions/lib/observability";
import { FakeEcs, type FakeEcsOptions } from "./fake-ecs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export type EventName =
  | "container-instance-active"
  | "container-instance-draining"
  | "task-state-change"
  | "scheduled-reconcile";

/** A sample event from events/desired-count-sync/, as a fresh mutable object. */
export function sampleEvent(name: EventName): Record<string, unknown> & {
  detail: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(join(root, "events/desired-count-sync", `${name}.json`), "utf8"));
}

export interface LogLine {
  level: "info" | "warn" | "error" | "debug";
  message: string;
  extra: Record<string, unknown>;
}

export function recordingLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, ...extra: object[]) => {
      lines.push({ level, message, extra: Object.assign({}, ...extra) });
    };
  return { lines, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}

export interface MetricPoint {
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

export function recordingMetrics(): MetricSink & { points: MetricPoint[] } {
  const points: MetricPoint[] = [];
  return {
    points,
    record(name, unit, value, dimensions) {
      points.push({ name, unit, value, dimensions: { ...dimensions } });
    },
  };
}

export interface Harness {
  fake: FakeEcs;
  client: ECSClient;
  mock: AwsClientStub<ECSClient>;
  log: ReturnType<typeof recordingLog>;
  metrics: ReturnType<typeof recordingMetrics>;
  env: Record<string, string | undefined>;
  invoke(event: unknown): Promise<SyncSummary>;
  /** Calls the mock received, per operation — to check the summary's own count. */
  received(): SyncSummary["apiCalls"];
}

export function harness(
  env: Record<string, string | undefined> = {},
  options: FakeEcsOptions = {},
): Harness {
  const fake = new FakeEcs(options);
  const client = new ECSClient({
    region: fake.region,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
  });
  const mock = mockClient(client);
  fake.attach(mock);
  const log = recordingLog();
  const metrics = recordingMetrics();
  const fullEnv: Record<string, string | undefined> = { CLUSTER: fake.cluster, ...env };
  const handler = createHandler({ ecs: client, log, metrics, env: () => fullEnv });
  return {
    fake,
    client,
    mock,
    log,
    metrics,
    env: fullEnv,
    invoke: handler,
    received: () => ({
      "ecs:DescribeServices": mock.commandCalls(DescribeServicesCommand).length,
      "ecs:ListContainerInstances": mock.commandCalls(ListContainerInstancesCommand).length,
      "ecs:UpdateService": mock.commandCalls(UpdateServiceCommand).length,
      "ecs:ListServices": mock.commandCalls(ListServicesCommand).length,
    }),
  };
}
