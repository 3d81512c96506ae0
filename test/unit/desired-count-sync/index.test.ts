/**
 * The exported `handler`, as Lambda calls it: shared ECS client, Powertools Logger and
 * Metrics, environment from process.env.
 */
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lambdaContext, sampleEvent } from "../../support/events";
import { FakeEcs } from "./fake-ecs";

describe("exported handler", () => {
  beforeEach(() => {
    vi.resetModules();
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("syncs through the shared ECS client with the environment from process.env", async () => {
    vi.stubEnv("CLUSTER", "microscale");
    vi.stubEnv("PER_HOST_SERVICES", "agent");
    const { ecs } = await import("../../../functions/lib/clients/ecs");
    const { handler } = await import("../../../functions/desired-count-sync/index");
    const mock = mockClient(ecs);
    const fake = new FakeEcs();
    fake.attach(mock);
    fake.addInstances(2);
    fake.addService({ name: "agent", desiredCount: 1 });

    const summary = await handler(
      sampleEvent("desired-count-sync", "container-instance-active"),
      lambdaContext(),
    );

    expect(summary).toMatchObject({ cluster: fake.clusterArn, changed: 1, dryRun: false });
    expect(mock).toHaveReceivedCommandWith(UpdateServiceCommand, { desiredCount: 2 });
    mock.restore();
  });

  it("rethrows an empty CLUSTER, with no CLUSTERS, as a ConfigurationError naming CLUSTERS", async () => {
    vi.stubEnv("CLUSTER", "");
    const { handler } = await import("../../../functions/desired-count-sync/index");
    await expect(
      handler(sampleEvent("desired-count-sync", "scheduled-reconcile"), lambdaContext()),
    ).rejects.toMatchObject({
      name: "ConfigurationError",
      variable: "CLUSTERS",
    });
  });
});
