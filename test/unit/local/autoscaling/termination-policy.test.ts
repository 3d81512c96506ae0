import { describe, expect, it } from "vitest";
import { selectForScaleIn } from "../../../../local/autoscaling/termination-policy";

const instance = (
  instanceId: string,
  availabilityZone: string,
  launchedAt: number,
  protectedFromScaleIn = false,
) => ({
  instanceId,
  availabilityZone,
  launchedAt,
  protectedFromScaleIn,
});

describe("the Default termination policy", () => {
  it("balances zones first, then takes the oldest instance of the fuller zone", () => {
    const instances = [
      instance("i-a-new", "us-east-1a", 30),
      instance("i-b-old", "us-east-1b", 10),
      instance("i-a-old", "us-east-1a", 20),
    ];
    expect(selectForScaleIn(instances, 1).map((i) => i.instanceId)).toEqual(["i-a-old"]);
    // After one from a, the zones are even: the oldest overall goes next.
    expect(selectForScaleIn(instances, 2).map((i) => i.instanceId)).toEqual(["i-a-old", "i-b-old"]);
  });

  it("skips protected instances and returns fewer when only protected ones are left", () => {
    const instances = [instance("i-1", "us-east-1a", 1, true), instance("i-2", "us-east-1a", 2)];
    expect(selectForScaleIn(instances, 2).map((i) => i.instanceId)).toEqual(["i-2"]);
  });
});
