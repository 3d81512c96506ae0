import { describe, expect, it } from "vitest";
import {
  ignoredEvent,
  notHandledReason,
  PartialFailureError,
  parseEnvelope,
} from "../../../functions/lib/controller";
import { sampleEvent } from "../../support/events";
import { validationFieldOf } from "../../support/validation";

describe("controller events: the EventBridge envelope", () => {
  it("reads source and detail-type, keeping the event", () => {
    const event = sampleEvent("host-consolidator", "task-state-change");
    expect(parseEnvelope(event)).toEqual({
      event,
      source: "aws.ecs",
      detailType: "ECS Task State Change",
    });
  });

  it.each([
    ["not an object", "event", "hello"],
    ["null", "event", null],
    ["no source", "source", { "detail-type": "Scheduled Event" }],
    ["an empty source", "source", { source: "", "detail-type": "Scheduled Event" }],
    ["no detail-type", "detail-type", { source: "aws.events" }],
    ["a numeric detail-type", "detail-type", { source: "aws.events", "detail-type": 7 }],
  ])("%s is a ValidationError naming %s", (_, field, event) => {
    expect(validationFieldOf(() => parseEnvelope(event))).toBe(field);
  });

  it("an event not handled is ignored, and its reason names source and detail-type", () => {
    const ignored = ignoredEvent(
      parseEnvelope({ source: "aws.ecs", "detail-type": "ECS Service Action" }),
    );
    expect(ignored).toEqual({
      kind: "ignored",
      source: "aws.ecs",
      detailType: "ECS Service Action",
    });
    expect(notHandledReason(ignored)).toBe('event aws.ecs / "ECS Service Action" is not handled');
  });
});

describe("controller runs: a partial failure", () => {
  class ExampleFailedError extends PartialFailureError<{ readonly done: number }> {
    override readonly name = "ExampleFailedError";
  }

  it("carries the summary and every cause, and names the first cause", () => {
    const causes = [new Error("ThrottlingException"), new Error("AccessDenied")];
    const error = new ExampleFailedError("example failed for a, b", { done: 3 }, causes);
    expect(error.message).toBe("example failed for a, b: ThrottlingException");
    expect(error.cause).toBe(causes[0]);
    expect(error.causes).toEqual(causes);
    expect(error.summary).toEqual({ done: 3 });
    expect(error.name).toBe("ExampleFailedError");
  });

  it("without a cause it still says what failed", () => {
    expect(new ExampleFailedError("example failed", { done: 0 }, []).message).toBe(
      "example failed: unknown error",
    );
  });
});
