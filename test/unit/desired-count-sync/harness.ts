/**
 * Test wiring: a fresh ECSClient stubbed by aws-sdk-client-mock and answered by a
 * FakeEcs model, an Observability that records log lines and metric points, and the
 * function's own definition behind the shared wrapper, with a chosen environment.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { definition } from "../../../functions/desired-count-sync/index";
import type { ReconcileSummary } from "../../../functions/desired-count-sync/reconcile";
import type { SyncSummary } from "../../../functions/desired-count-sync/sync";
import { lambdaHandler } from "../../../functions/lib/handler";
import { lambdaContext } from "../../support/events";
import {
  type RecordingLog,
  type RecordingMetrics,
  recordingObservability,
} from "../../support/recording";
import { FakeEcs, type FakeEcsOptions } from "./fake-ecs";

export interface Harness {
  fake: FakeEcs;
  client: ECSClient;
  mock: AwsClientStub<ECSClient>;
  log: RecordingLog;
  metrics: RecordingMetrics;
  env: Record<string, string | undefined>;
  /** Any event, as Lambda delivers it. */
  handle(event: unknown): Promise<SyncSummary | ReconcileSummary>;
  /** An event about one cluster (or one it ignores). */
  invoke(event: unknown): Promise<SyncSummary>;
  /** A scheduled reconcile of every cluster served. */
  reconcile(event: unknown): Promise<ReconcileSummary>;
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
  const observability = recordingObservability();
  const fullEnv: Record<string, string | undefined> = { CLUSTER: fake.cluster, ...env };
  const handler = lambdaHandler(definition, {
    deps: { ecs: client },
    env: () => fullEnv,
    observability: () => observability,
  });
  return {
    fake,
    client,
    mock,
    log: observability.log,
    metrics: observability.metrics,
    env: fullEnv,
    handle: (event) => handler(event, lambdaContext()),
    invoke: async (event) => {
      const summary = await handler(event, lambdaContext());
      if ("clusters" in summary) throw new Error("a scheduled reconcile: use reconcile()");
      return summary;
    },
    reconcile: async (event) => {
      const summary = await handler(event, lambdaContext());
      if (!("clusters" in summary)) throw new Error(`not a reconcile: ${summary.trigger}`);
      return summary;
    },
    received: () => ({
      "ecs:DescribeServices": mock.commandCalls(DescribeServicesCommand).length,
      "ecs:ListContainerInstances": mock.commandCalls(ListContainerInstancesCommand).length,
      "ecs:UpdateService": mock.commandCalls(UpdateServiceCommand).length,
      "ecs:ListServices": mock.commandCalls(ListServicesCommand).length,
      "ecs:DescribeContainerInstances": mock.commandCalls(DescribeContainerInstancesCommand).length,
      "ecs:DescribeTaskDefinition": mock.commandCalls(DescribeTaskDefinitionCommand).length,
    }),
  };
}

/** The one cluster's summary of a reconcile that served exactly one, which must have succeeded. */
export function onlyCluster(reconciled: ReconcileSummary): SyncSummary {
  const [only, ...others] = reconciled.clusters;
  if (only === undefined || others.length > 0 || !("services" in only)) {
    throw new Error(`expected one reconciled cluster, got ${JSON.stringify(reconciled.clusters)}`);
  }
  return only;
}
