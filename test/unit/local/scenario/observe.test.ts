import { describe, expect, it } from "vitest";
import {
  belowDesired,
  consolidationSteps,
  prioritiesConverged,
  type ServiceCounts,
  type Snapshot,
  withinCapacity,
  withinDecidedCapacity,
} from "../../../../local/scenario/observe";

function counts(desired: number, running = desired, pending = 0): ServiceCounts {
  return { desired, running, pending, deployments: 1, taskDefinition: "worker:1" };
}

function snapshot(
  demand: number | undefined,
  capacity: number,
  high: ServiceCounts,
  low: ServiceCounts,
  scalerCapacity = capacity,
): Snapshot {
  return {
    t: 1,
    hosts: { active: capacity > 0 ? 2 : 0, draining: 0 },
    capacity: { desired: capacity > 0 ? 2 : 0, reservation: 100 },
    perHost: counts(2),
    web: counts(2),
    backend: counts(2),
    high,
    low,
    demand,
    clusterCapacity: capacity,
    scalerCapacity,
  };
}

describe("priorities converged", () => {
  it("holds when P1 = min(demand, C) and P2 = C − P1 all run", () => {
    expect(prioritiesConverged(snapshot(4, 9, counts(4), counts(5)))).toBe(true);
    expect(prioritiesConverged(snapshot(12, 9, counts(9), counts(0)))).toBe(true);
    expect(prioritiesConverged(snapshot(0, 9, counts(0), counts(9)))).toBe(true);
  });

  it("does not hold while demand waits for capacity that is not there yet", () => {
    // Before the hosts (or the worker task definitions) are read, every count is 0:
    // nothing follows the demand, so the cluster has not settled.
    expect(prioritiesConverged(snapshot(4, 0, counts(0), counts(0)))).toBe(false);
  });

  it("does not hold while the capacity reads low under tasks still stopping", () => {
    // Demand 4 → 9 with C = 8: P2 shrinks 4 → 0 and, while its tasks stop, C reads 4,
    // so P1 4, P2 0 looks like the split for C = 4; the scaler last decided for 8.
    expect(prioritiesConverged(snapshot(9, 4, counts(4), counts(0), 8))).toBe(false);
    expect(prioritiesConverged(snapshot(9, 8, counts(8), counts(0), 8))).toBe(true);
  });

  it("does not hold before the scaler has decided", () => {
    const undecided = { ...snapshot(0, 9, counts(0), counts(9)), scalerCapacity: undefined };
    expect(prioritiesConverged(undecided)).toBe(false);
  });

  it("holds at no demand and no capacity: nothing is asked for", () => {
    expect(prioritiesConverged(snapshot(0, 0, counts(0), counts(0)))).toBe(true);
  });

  it("does not hold before any demand, while tasks are still starting, or off the split", () => {
    expect(prioritiesConverged(snapshot(undefined, 9, counts(0), counts(9)))).toBe(false);
    expect(prioritiesConverged(snapshot(4, 9, counts(4, 3, 1), counts(5)))).toBe(false);
    expect(prioritiesConverged(snapshot(4, 9, counts(5), counts(4)))).toBe(false);
  });
});

describe("within capacity: P2 only ever has the slots P1 leaves free", () => {
  it("holds for any split of the capacity, and not above it", () => {
    expect(withinCapacity(snapshot(4, 9, counts(4), counts(5)))).toBe(true);
    expect(withinCapacity(snapshot(4, 9, counts(4), counts(6)))).toBe(false);
  });

  it("holds while elastic P1 asks for more than there is, as long as P2 asks for nothing", () => {
    // Demand 9 on 3 slots: P1 9 (six wait for the hosts managed scaling adds), P2 0.
    expect(withinCapacity(snapshot(9, 3, counts(9, 3, 6), counts(0)))).toBe(true);
    expect(withinCapacity(snapshot(9, 3, counts(9, 3, 6), counts(1)))).toBe(false);
  });

  it("counts the capacity the scaler last derived while a leaving host has lowered the cluster's", () => {
    expect(withinCapacity(snapshot(4, 6, counts(4), counts(5), 9))).toBe(true);
  });
});

describe("within decided capacity: judged by the scaler decision that could have written the counts", () => {
  // Hosts came (the last decision saw 8 slots, the one in flight 11: P1 9, P2 2), then a
  // host went DRAINING before that invocation returned: the cluster reads 8.
  const sample = snapshot(9, 8, counts(9), counts(2), 8);
  const at = 1_000;

  it("holds by the capacity of a decision in flight when the counts were read", () => {
    expect(withinCapacity(sample)).toBe(false);
    expect(
      withinDecidedCapacity(sample, at, [{ startedAt: 900, endedAt: 1_100, capacity: 11 }]),
    ).toBe(true);
  });

  it("does not hold above the capacity of every decision in flight, nor by one not in flight", () => {
    expect(
      withinDecidedCapacity(sample, at, [{ startedAt: 900, endedAt: 1_100, capacity: 10 }]),
    ).toBe(false);
    // Ended before the sample (its capacity is the snapshot's scalerCapacity by then) or
    // started after it: neither wrote the counts read at `at` while in flight.
    expect(
      withinDecidedCapacity(sample, at, [{ startedAt: 700, endedAt: 990, capacity: 11 }]),
    ).toBe(false);
    expect(
      withinDecidedCapacity(sample, at, [{ startedAt: 1_010, endedAt: 1_200, capacity: 11 }]),
    ).toBe(false);
    expect(withinDecidedCapacity(sample, at, [])).toBe(false);
  });

  it("holds whatever is in flight when the sample is within capacity as read", () => {
    expect(withinDecidedCapacity(snapshot(4, 9, counts(4), counts(5)), at, [])).toBe(true);
  });
});

describe("consolidation steps, read from the host consolidator's summary", () => {
  it("are the hosts it terminated in the scenario's cluster, not those kept, dry-run or elsewhere", () => {
    const result = {
      clusters: [
        {
          cluster: "microscale",
          hosts: [
            { ec2InstanceId: "i-1", action: "terminated", reason: "empty", tasks: 2 },
            { ec2InstanceId: "i-2", action: "kept", reason: "young", tasks: 3 },
            { ec2InstanceId: "i-3", action: "would-terminate", reason: "empty", tasks: 1 },
          ],
        },
        {
          cluster: "other",
          hosts: [{ ec2InstanceId: "i-9", action: "terminated", reason: "empty", tasks: 0 }],
        },
      ],
    };
    const names = ["microscale", "arn:aws:ecs:us-east-1:000000000000:cluster/microscale"];
    expect(consolidationSteps(result, names, 12.5)).toEqual([
      { t: 12.5, ec2InstanceId: "i-1", reason: "empty", tasks: 2 },
    ]);
    // An ECS event names the cluster by its ARN, and the summary with it.
    const byArn = { clusters: [{ ...result.clusters[0], cluster: names[1] }] };
    expect(consolidationSteps(byArn, names, 3).map((step) => step.ec2InstanceId)).toEqual(["i-1"]);
    expect(consolidationSteps(undefined, names, 1)).toEqual([]);
  });
});

describe("below desired: a non-expendable service running fewer tasks than it wants", () => {
  it("names web, backend and P1 when they run short, never P2 or the per-host service", () => {
    const steady = snapshot(4, 9, counts(4), counts(5));
    expect(belowDesired(steady)).toEqual([]);
    expect(belowDesired({ ...steady, web: counts(2, 1, 1), high: counts(4, 3) })).toEqual([
      "web 1/2",
      "high 3/4",
    ]);
    expect(belowDesired({ ...steady, backend: counts(2, 1) })).toEqual(["backend 1/2"]);
    // P2 is expendable and the per-host service follows the hosts: neither counts.
    expect(belowDesired({ ...steady, low: counts(5, 2), perHost: counts(2, 1) })).toEqual([]);
    // Surplus (a rollout's surge, a shrink still stopping) is not a shortfall.
    expect(belowDesired({ ...steady, web: counts(2, 4) })).toEqual([]);
  });
});
