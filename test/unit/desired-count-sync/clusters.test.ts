/**
 * CLUSTERS: which clusters the per-host sync serves. A fleet of in-memory clusters
 * (one FakeEcs each) behind one mocked ECSClient, each request routed by its `cluster`,
 * and ListClusters paged as ECS pages it (at most 100 a call).
 */
import {
  ClusterNotFoundException,
  ECSClient,
  InvalidParameterException,
  ListClustersCommand,
  type ListClustersCommandInput,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { definition } from "../../../functions/desired-count-sync/index";
import {
  ReconcileFailedError,
  type ReconcileSummary,
} from "../../../functions/desired-count-sync/reconcile";
import type { SyncSummary } from "../../../functions/desired-count-sync/sync";
import { clusterName } from "../../../functions/lib/ecs-names";
import { ConfigurationError } from "../../../functions/lib/errors";
import { lambdaHandler } from "../../../functions/lib/handler";
import { type EventBridgeSample, lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";
import { FakeEcs } from "./fake-ecs";

type Handle = (input: unknown) => unknown;

/** Every handler a FakeEcs attaches, by command, so one mock can route to many fakes. */
function handlersOf(fake: FakeEcs): Map<unknown, Handle> {
  const handlers = new Map<unknown, Handle>();
  const recorder = {
    on: (command: unknown) => ({
      callsFake: (handle: Handle) => {
        handlers.set(command, handle);
      },
    }),
  };
  fake.attach(recorder as unknown as AwsClientStub<ECSClient>);
  return handlers;
}

/** Clusters with one per-host service `agent` each, at desiredCount 0, and `hosts` hosts. */
function fleet(names: readonly string[], env: Record<string, string>, hosts = 2) {
  const fakes = new Map(
    names.map((name) => {
      const fake = new FakeEcs({ cluster: name });
      fake.addInstances(hosts);
      fake.addService({ name: "agent", desiredCount: 0 });
      return [name, fake] as const;
    }),
  );
  const client = new ECSClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
  });
  const mock = mockClient(client);
  const routes = new Map([...fakes].map(([name, fake]) => [name, handlersOf(fake)]));
  const commands = new Set([...routes.values()].flatMap((handlers) => [...handlers.keys()]));
  for (const command of commands) {
    (mock.on as (c: unknown) => { callsFake(f: Handle): void })(command).callsFake((input) => {
      const cluster = clusterName(String((input as { cluster?: string }).cluster ?? ""));
      const handle = routes.get(cluster)?.get(command);
      if (handle === undefined) {
        throw new ClusterNotFoundException({ $metadata: {}, message: "Cluster not found." });
      }
      return handle(input);
    });
  }
  const arns = [...fakes.values()].map((fake) => fake.clusterArn);
  mock.on(ListClustersCommand).callsFake((input: ListClustersCommandInput) => {
    const size = input.maxResults ?? 100;
    if (size < 1 || size > 100) {
      throw new InvalidParameterException({ $metadata: {}, message: "maxResults must be 1..100" });
    }
    const start = Number(input.nextToken ?? 0);
    const end = start + size;
    return {
      clusterArns: arns.slice(start, end),
      nextToken: end < arns.length ? String(end) : undefined,
    };
  });
  const handler = lambdaHandler(definition, {
    deps: { ecs: client },
    env: () => ({ PER_HOST_SERVICES: "agent", ...env }),
    observability: () => recordingObservability(),
  });
  const desired = (name: string) => fakes.get(name)?.services.get("agent")?.desiredCount;
  return {
    fakes,
    mock,
    desired,
    handle: (event: unknown) => handler(event, lambdaContext()),
    reconcile: async (): Promise<ReconcileSummary> => {
      const summary = await handler(
        sampleEvent("desired-count-sync", "scheduled-reconcile"),
        lambdaContext(),
      );
      if (!("clusters" in summary)) throw new Error("not a reconcile");
      return summary;
    },
  };
}

function eventFrom(fake: FakeEcs): EventBridgeSample {
  const event = sampleEvent<EventBridgeSample>("desired-count-sync", "container-instance-active");
  event.detail.clusterArn = fake.clusterArn;
  return event;
}

const cluster = (summary: ReconcileSummary) =>
  summary.clusters.map((result) => clusterName(result.cluster));

describe("desired-count sync: CLUSTERS", () => {
  it("reconciles each listed cluster on the schedule, and no other", async () => {
    // Prepare
    const f = fleet(["prod", "staging", "other"], { CLUSTERS: "prod, staging" });

    // Act
    const summary = await f.reconcile();

    // Assess
    expect(cluster(summary)).toEqual(["prod", "staging"]);
    expect([f.desired("prod"), f.desired("staging"), f.desired("other")]).toEqual([2, 2, 0]);
    expect(summary.changed).toBe(2);
    expect(f.mock).not.toHaveReceivedCommand(ListClustersCommand);
    expect(summary.apiCalls["ecs:UpdateService"]).toBe(2);
  });

  it("with *, pages through ListClusters and reconciles every cluster", async () => {
    // Prepare: 120 clusters need two ListClusters pages of at most 100.
    const names = Array.from({ length: 120 }, (_, i) => `c-${i}`);
    const f = fleet(names, { CLUSTERS: "*" }, 1);

    // Act
    const summary = await f.reconcile();

    // Assess
    expect(cluster(summary)).toEqual(names);
    expect(names.every((name) => f.desired(name) === 1)).toBe(true);
    expect(f.mock.commandCalls(ListClustersCommand)).toHaveLength(2);
    expect(summary.apiCalls["ecs:ListClusters"]).toBe(2);
    expect(summary.apiCalls["ecs:UpdateService"]).toBe(120);
  });

  it("syncs an event's cluster when it is listed, and ignores others with no API call", async () => {
    // Prepare
    const f = fleet(["prod", "staging", "other"], { CLUSTERS: "prod,staging" });
    const [prod, , other] = [...f.fakes.values()];
    if (prod === undefined || other === undefined) throw new Error("fleet");

    // Act
    const ignored = (await f.handle(eventFrom(other))) as SyncSummary;
    const callsAfterIgnored = f.mock.calls().length;
    const synced = (await f.handle(eventFrom(prod))) as SyncSummary;

    // Assess
    expect(callsAfterIgnored).toBe(0);
    expect(ignored).toMatchObject({
      cluster: "prod,staging",
      eventCluster: other.clusterArn,
      ignored: expect.stringContaining("not one of prod,staging"),
      changed: 0,
    });
    expect(synced).toMatchObject({ cluster: prod.clusterArn, changed: 1 });
    expect(f.desired("other")).toBe(0);
  });

  it("with *, syncs an event from any cluster", async () => {
    const f = fleet(["prod", "other"], { CLUSTERS: "*" });
    const other = f.fakes.get("other");
    if (other === undefined) throw new Error("fleet");

    const synced = (await f.handle(eventFrom(other))) as SyncSummary;

    expect(synced).toMatchObject({ cluster: other.clusterArn, changed: 1 });
    expect(f.mock).not.toHaveReceivedCommand(ListClustersCommand);
  });

  it("still reads CLUSTER as a one-cluster list", async () => {
    const f = fleet(["prod", "staging"], { CLUSTER: "prod" });

    const summary = await f.reconcile();

    expect(cluster(summary)).toEqual(["prod"]);
    expect([f.desired("prod"), f.desired("staging")]).toEqual([2, 0]);
  });

  it("reconciles a cluster named twice (name and ARN) once", async () => {
    const f = fleet(["prod"], {
      CLUSTERS: "prod,arn:aws:ecs:us-east-1:111122223333:cluster/prod",
    });

    const summary = await f.reconcile();

    expect(cluster(summary)).toEqual(["prod"]);
    expect(f.mock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it("reconciles the other clusters when one fails, then throws so Lambda retries", async () => {
    // Prepare: `gone` is listed but does not exist (ClusterNotFoundException).
    const f = fleet(["prod", "staging"], { CLUSTERS: "prod,gone,staging" });

    // Act
    const error = await f.reconcile().catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(ReconcileFailedError);
    const { summary, causes } = error as ReconcileFailedError;
    expect(cluster(summary)).toEqual(["prod", "gone", "staging"]);
    expect(summary.clusters[1]).toEqual({
      cluster: "gone",
      error: "Cluster not found.",
    });
    expect(causes).toHaveLength(1);
    expect([f.desired("prod"), f.desired("staging")]).toEqual([2, 2]);
  });

  it.each([
    [{ CLUSTERS: "*,prod" }, "CLUSTERS"],
    [{ CLUSTER: "*" }, "CLUSTER"],
    [{ CLUSTER: "a,b" }, "CLUSTER"],
    [{ CLUSTERS: "prod", CLUSTER: "prod" }, "CLUSTERS"],
    [{ CLUSTERS: "not a cluster" }, "CLUSTERS"],
    [{ CLUSTERS: "arn:aws:ecs:us-east-1:111122223333:service/prod/agent" }, "CLUSTERS"],
    [{ CLUSTERS: " , " }, "CLUSTERS"],
  ])("%o is a ConfigurationError naming %s, with no API call", async (env, variable) => {
    const f = fleet(["prod"], env);

    const error = await f.reconcile().catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe(variable);
    expect(f.mock.calls()).toHaveLength(0);
  });
});
