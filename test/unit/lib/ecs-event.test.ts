import { describe, expect, it } from "vitest";
import { ecsEventDetail } from "../../../functions/lib/ecs-event";
import { sampleEvent } from "../../support/events";
import { validationFieldOf } from "../../support/validation";

describe("ECS events: the detail and its cluster", () => {
  const cluster = "arn:aws:ecs:us-east-1:111122223333:cluster/microscale";

  it("returns the detail and its cluster ARN", () => {
    const event = sampleEvent<Record<string, unknown>>("host-consolidator", "task-state-change");
    expect(ecsEventDetail(event)).toEqual({ detail: event.detail, clusterArn: cluster });
  });

  it.each([
    ["a detail that is a list", "detail", { detail: [] }],
    ["no detail", "detail", {}],
    ["no clusterArn", "detail.clusterArn", { detail: {} }],
    ["an empty clusterArn", "detail.clusterArn", { detail: { clusterArn: "" } }],
    ["a cluster name", "detail.clusterArn", { detail: { clusterArn: "microscale" } }],
    [
      "a service ARN",
      "detail.clusterArn",
      { detail: { clusterArn: "arn:aws:ecs:us-east-1:111122223333:service/microscale/web" } },
    ],
  ])("%s is a ValidationError naming %s", (_, field, event) => {
    expect(validationFieldOf(() => ecsEventDetail(event))).toBe(field);
  });
});
