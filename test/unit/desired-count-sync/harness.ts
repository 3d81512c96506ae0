/**
 * Test wiring: a fresh ECSClient stubbed by aws-sdk-client-mock and answered by a
 * FakeEcs model, an Observability that records log lines and metric points, and the
 * function's own definition behind the shared wrapper, with a chosen environment.
 */
import {
  DescribeServicesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { definition } from "../../../functions/desired-count-sync/index";
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
    invoke: (event) => handler(event, lambdaContext()),
    received: () => ({
      "ecs:DescribeServices": mock.commandCalls(DescribeServicesCommand).length,
      "ecs:ListContainerInstances": mock.commandCalls(ListContainerInstancesCommand).length,
      "ecs:UpdateService": mock.commandCalls(UpdateServiceCommand).length,
      "ecs:ListServices": mock.commandCalls(ListServicesCommand).length,
    }),
  };
}
