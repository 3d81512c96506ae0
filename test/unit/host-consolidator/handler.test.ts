import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handler } from "../../../functions/host-consolidator/index";
import { ConfigurationError, ValidationError } from "../../../functions/lib/errors";
import { lambdaContext } from "../../support/events";
import { cluster, run, sampleEvent } from "./harness";

vi.hoisted(() => {
  // Before functions/lib/observability creates the Logger and Metrics.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

describe("host consolidator: malformed input makes no call and no write", () => {
  it.each([
    ["a string", () => "consolidate please"],
    ["an event without detail-type", () => ({ source: "aws.ecs", detail: {} })],
    [
      "a task state change without a cluster ARN",
      () => {
        const e = sampleEvent("task-state-change");
        e.detail.clusterArn = 42;
        return e;
      },
    ],
    [
      "a container instance state change whose agentConnected is a string",
      () => {
        const e = sampleEvent("container-instance-state-change");
        e.detail.agentConnected = "yes";
        return e;
      },
    ],
  ])("%s → ValidationError", async (_, make) => {
    const c = cluster();
    c.addHost();
    c.addHost();

    await expect(run(c, {}, { event: make() })).rejects.toBeInstanceOf(ValidationError);
    expect(c.ecsMock.calls()).toHaveLength(0);
    expect(c.asgMock.calls()).toHaveLength(0);
  });

  it("a malformed setting → ConfigurationError naming it, before any call", async () => {
    const c = cluster();
    c.addHost();

    await expect(run(c, { DISRUPTION_BUDGET: "all of them" })).rejects.toMatchObject({
      name: "ConfigurationError",
      variable: "DISRUPTION_BUDGET",
    });
    expect(c.ecsMock.calls()).toHaveLength(0);
  });

  it("an event it does not act on is ignored, without a call", async () => {
    const c = cluster();

    const { summary } = await run(
      c,
      {},
      { event: { source: "aws.ecs", "detail-type": "ECS Service Action", detail: {} } },
    );

    expect(summary).toMatchObject({ trigger: "ignored", clusters: [], consolidated: 0 });
    expect(c.ecsMock.calls()).toHaveLength(0);
  });
});

describe("HostConsolidatorFunction handler (shared clients, process.env)", () => {
  const ecs = mockClient(ECSClient);
  const asg = mockClient(AutoScalingClient);
  beforeEach(() => {
    ecs.reset();
    asg.reset();
    vi.stubEnv("CLUSTERS", "microscale");
  });
  afterEach(() => vi.unstubAllEnvs());

  it("reads its cluster on the sample schedule event", async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    ecs.resolves({});
    asg.resolves({ AutoScalingGroups: [] });
    vi.stubEnv("AUTO_SCALING_GROUPS", "");

    const summary = await handler(sampleEvent("scheduled-tick"), lambdaContext());

    expect(summary.clusters).toMatchObject([{ cluster: "microscale", hosts: [] }]);
    expect(ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
      cluster: "microscale",
      maxResults: 100,
    });
  });

  it("throws ValidationError for a malformed event and ConfigurationError without CLUSTERS", async () => {
    await expect(handler({ nope: true }, lambdaContext())).rejects.toBeInstanceOf(ValidationError);
    vi.stubEnv("CLUSTERS", "");
    await expect(handler(sampleEvent("scheduled-tick"), lambdaContext())).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(ecs.calls()).toHaveLength(0);
  });
});
