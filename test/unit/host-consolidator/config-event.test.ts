import { describe, expect, it } from "vitest";
import { loadConfig, parseDisruptionBudget } from "../../../functions/host-consolidator/config";
import { parseEvent } from "../../../functions/host-consolidator/event";
import { ConfigurationError, ValidationError } from "../../../functions/lib/errors";
import { sampleEvent } from "./harness";

describe("host consolidator: configuration", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({ CLUSTERS: "microscale" })).toEqual({
      clusters: ["microscale"],
      autoScalingGroups: undefined,
      expendableServices: new Set(),
      perHostTagKey: "microscale:per-host",
      consolidateAfterSeconds: 600,
      minHostAgeSeconds: 900,
      disruptionBudget: { kind: "count", count: 1 },
      dryRun: false,
      roomSettleSeconds: 30,
    });
    // The scaler's timeout, or less with a shorter consolidate-after (the local cloud's clock).
    expect(
      loadConfig({ CLUSTERS: "microscale", CONSOLIDATE_AFTER_SECONDS: "2" }).roomSettleSeconds,
    ).toBe(2);
  });

  it("reads lists, names out of service ARNs, * for every cluster, and CLUSTER as a one-cluster list", () => {
    const config = loadConfig({
      CLUSTERS: "*",
      AUTO_SCALING_GROUPS: "a, b,a",
      EXPENDABLE_SERVICES: "arn:aws:ecs:us-east-1:111122223333:service/microscale/low, batch",
    });
    expect(config).toMatchObject({ clusters: "all", autoScalingGroups: ["a", "b"] });
    expect([...config.expendableServices]).toEqual(["low", "batch"]);
    expect(loadConfig({ CLUSTER: "one" }).clusters).toEqual(["one"]);
  });

  it("a budget is a count or a percent up to 100%", () => {
    expect(parseDisruptionBudget("3")).toEqual({ kind: "count", count: 3 });
    expect(parseDisruptionBudget("10%")).toEqual({ kind: "percent", percent: 10 });
    for (const bad of ["-1", "150%", "ten", "1.5", "%"]) {
      expect(() => parseDisruptionBudget(bad)).toThrow(ConfigurationError);
    }
  });

  it.each([
    [{}, "CLUSTERS"],
    [{ CLUSTERS: "*,prod" }, "CLUSTERS"],
    [{ CLUSTERS: "c", CONSOLIDATE_AFTER_SECONDS: "soon" }, "CONSOLIDATE_AFTER_SECONDS"],
    [{ CLUSTERS: "c", MIN_HOST_AGE_SECONDS: "-5" }, "MIN_HOST_AGE_SECONDS"],
    [{ CLUSTERS: "c", DISRUPTION_BUDGET: "lots" }, "DISRUPTION_BUDGET"],
    [{ CLUSTERS: "c", DRY_RUN: "yes" }, "DRY_RUN"],
  ])("%j is a ConfigurationError naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ name: "ConfigurationError", variable }),
    );
  });
});

describe("host consolidator: events", () => {
  it("classifies its three sample events", () => {
    expect(parseEvent(sampleEvent("scheduled-tick"))).toEqual({ kind: "schedule" });
    expect(parseEvent(sampleEvent("task-state-change"))).toEqual({
      kind: "task-state-change",
      clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/microscale",
    });
    expect(parseEvent(sampleEvent("container-instance-state-change"))).toMatchObject({
      kind: "container-instance-state-change",
    });
  });

  it("ignores other events with a valid envelope", () => {
    expect(
      parseEvent({ source: "aws.ecs", "detail-type": "ECS Service Action", detail: {} }),
    ).toEqual({ kind: "ignored", source: "aws.ecs", detailType: "ECS Service Action" });
  });

  it.each([
    ["not an object", "event", () => "hello"],
    ["no source", "source", () => ({ "detail-type": "Scheduled Event" })],
    [
      "a task event without a cluster",
      "detail.clusterArn",
      () => {
        const e = sampleEvent("task-state-change");
        delete e.detail.clusterArn;
        return e;
      },
    ],
    [
      "a task event whose cluster is a name",
      "detail.clusterArn",
      () => {
        const e = sampleEvent("task-state-change");
        e.detail.clusterArn = "microscale";
        return e;
      },
    ],
    [
      "a container instance event whose detail is a list",
      "detail",
      () => ({ ...sampleEvent("container-instance-state-change"), detail: [] }),
    ],
  ])("%s is a ValidationError naming %s", (_, field, make) => {
    const thrown = (() => {
      try {
        parseEvent(make());
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe(field);
  });
});
