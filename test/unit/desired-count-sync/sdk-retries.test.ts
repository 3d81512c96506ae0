/**
 * The same handler on a real ECSClient whose HTTP layer is the in-memory model, so the
 * SDK's own serialization and standard retries run: throttling is retried by the SDK
 * (and still counts as one call in the summary), and when the retries run out the
 * invocation throws without writing.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { definition } from "../../../functions/desired-count-sync/index";
import { SyncFailedError } from "../../../functions/desired-count-sync/sync";
import { lambdaHandler } from "../../../functions/lib/handler";
import { lambdaContext, sampleEvent } from "../../support/events";
import { recordingObservability } from "../../support/recording";
import { FakeEcs, throttling } from "./fake-ecs";

function setup(maxAttempts: number) {
  const fake = new FakeEcs();
  const ecs = new ECSClient({
    region: fake.region,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
    endpoint: "http://127.0.0.1:1", // never dialled: the request handler answers
    requestHandler: fake.requestHandler(),
    retryMode: "standard",
    maxAttempts,
  });
  const env = { CLUSTER: fake.cluster, PER_HOST_SERVICES: "agent" };
  const observability = recordingObservability();
  const handler = lambdaHandler(definition, {
    deps: { ecs },
    env: () => env,
    observability: () => observability,
  });
  const invoke = (name: string) =>
    handler(sampleEvent("desired-count-sync", name), lambdaContext());
  fake.addInstances(120);
  fake.addInstances(5, () => ({ status: "DRAINING" }));
  fake.addService({ name: "agent", desiredCount: 100 });
  return { fake, invoke };
}

describe("desired-count sync through the real SDK", () => {
  it("throttling then success: the SDK retries and the update is written", async () => {
    const { fake, invoke } = setup(3);
    fake.failNext("ListContainerInstances", () => throttling());

    const summary = await invoke("container-instance-active");

    if (!("services" in summary)) throw new Error("not one cluster's summary");
    expect(summary.services[0]).toMatchObject({ before: 100, after: 120, changed: true });
    // Two pages of 100 of the hosts, the first one sent twice by the SDK's retry, then
    // one (empty) page of the hosts the task does not run on.
    expect(fake.calls("ListContainerInstances")).toBe(4);
    expect(summary.apiCalls["ecs:ListContainerInstances"]).toBe(3);
    expect(fake.services.get("agent")?.desiredCount).toBe(120);
  });

  it("throttling past the SDK's retries: throws, never writes", async () => {
    const { fake, invoke } = setup(2);
    fake.failNext("ListContainerInstances", () => throttling(), 2);

    const error = await invoke("container-instance-active").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SyncFailedError);
    expect((error as SyncFailedError).cause).toMatchObject({ name: "ThrottlingException" });
    expect(fake.calls("UpdateService")).toBe(0);
    expect(fake.services.get("agent")?.desiredCount).toBe(100);
  });

  it("missing services come back as DescribeServices failures and are skipped", async () => {
    const { fake, invoke } = setup(1);
    fake.services.clear();

    const summary = await invoke("scheduled-reconcile");

    expect(summary).toMatchObject({ trigger: "schedule" });
    const [cluster] = "clusters" in summary ? summary.clusters : [];
    expect(cluster).toHaveProperty("services", [
      expect.objectContaining({ service: "agent", skipped: true, reason: "missing" }),
    ]);
    expect(fake.calls("ListContainerInstances")).toBe(0);
  });
});
