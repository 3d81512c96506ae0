import { describe, expect, it } from "vitest";
import { parseExpression } from "../../../../functions/lib/placement/query-language";
import {
  defaultStrategy,
  type PlacementCandidate,
  type PlacementRequest,
  placeTask,
} from "../../../../functions/lib/placement/task-placement";

function candidate(
  arn: string,
  overrides: Partial<PlacementCandidate> = {},
  zone = "a",
): PlacementCandidate {
  return {
    arn,
    remainingCpu: 1024,
    remainingMemory: 1024,
    portsInUse: new Set([22]),
    groupTaskCount: 0,
    subjectValues: (subject) =>
      subject === "attribute:ecs.availability-zone"
        ? zone
        : subject === "attribute:ecs.instance-type"
          ? "t3.micro"
          : undefined,
    ...overrides,
  };
}

const request: PlacementRequest = {
  cpu: 256,
  memory: 512,
  hostPorts: [],
  distinctInstance: false,
  memberOf: [],
  strategy: defaultStrategy,
};

const spreadByGroup = (_field: string, c: PlacementCandidate) => c.groupTaskCount;

describe("placeTask", () => {
  it("skips instances without enough CPU, memory or the fixed host port", () => {
    // Prepare
    const candidates = [
      candidate("cpu", { remainingCpu: 128 }),
      candidate("memory", { remainingMemory: 256 }),
      candidate("port", { portsInUse: new Set([80]) }),
      candidate("fits"),
    ];
    // Act
    const placement = placeTask({ ...request, hostPorts: [80] }, candidates, spreadByGroup);
    // Assess
    expect(placement).toMatchObject({ placed: true, candidate: { arn: "fits" } });
  });

  it("honours distinctInstance and memberOf", () => {
    const candidates = [
      candidate("taken", { groupTaskCount: 1 }),
      candidate("wrong-type", { subjectValues: () => "m5.large" }),
      candidate("free"),
    ];
    const placement = placeTask(
      {
        ...request,
        distinctInstance: true,
        memberOf: [parseExpression("attribute:ecs.instance-type == t3.micro")],
      },
      candidates,
      spreadByGroup,
    );
    expect(placement).toMatchObject({ placed: true, candidate: { arn: "free" } });
  });

  it("spreads to the instance with the fewest tasks of the group", () => {
    const candidates = [candidate("busy", { groupTaskCount: 2 }), candidate("idle")];
    const placement = placeTask(
      { ...request, strategy: [{ type: "spread", field: "instanceId" }] },
      candidates,
      spreadByGroup,
    );
    expect(placement).toMatchObject({ placed: true, candidate: { arn: "idle" } });
  });

  it("binpacks onto the instance with the least memory left", () => {
    const candidates = [candidate("roomy"), candidate("tight", { remainingMemory: 600 })];
    const placement = placeTask(
      { ...request, strategy: [{ type: "binpack", field: "memory" }] },
      candidates,
      spreadByGroup,
    );
    expect(placement).toMatchObject({ placed: true, candidate: { arn: "tight" } });
  });

  it("names the reason when nothing fits", () => {
    expect(placeTask(request, [], spreadByGroup)).toMatchObject({
      placed: false,
      reason: "No Container Instances were found in your cluster.",
    });
    expect(
      placeTask(request, [candidate("small", { remainingMemory: 100 })], spreadByGroup),
    ).toMatchObject({
      placed: false,
      reason: "RESOURCE:MEMORY",
      closest: "small",
    });
    expect(
      placeTask(
        { ...request, distinctInstance: true },
        [candidate("taken", { groupTaskCount: 1 })],
        spreadByGroup,
      ),
    ).toMatchObject({
      placed: false,
      reason: "DistinctInstance placement constraint unsatisfied.",
    });
  });
});
