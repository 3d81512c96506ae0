import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Plan,
  planScaling,
  type Role,
  type ServiceCounts,
} from "../../../functions/priority-scaler/plan";

/** A service at rest: running = desired, nothing pending. */
const steady = (desired: number): ServiceCounts => ({ desired, running: desired, pending: 0 });

describe("priority scaling plan", () => {
  it("gives P1 the demand and P2 the rest of the capacity", () => {
    const plan = planScaling({ demand: 3, capacity: 9, high: steady(0), low: steady(0) });

    expect(plan.target).toEqual({ high: 3, low: 6 });
    expect(plan.steps).toEqual([
      { role: "high", from: 0, to: 3 },
      { role: "low", from: 0, to: 6 },
    ]);
    expect(plan.deferred).toEqual([]);
  });

  it("shrinks P2 first; P1's grow waits until P2's tasks have stopped", () => {
    const plan = planScaling({ demand: 7, capacity: 9, high: steady(4), low: steady(5) });

    expect(plan.target).toEqual({ high: 7, low: 2 });
    expect(plan.steps).toEqual([{ role: "low", from: 5, to: 2 }]);
    expect(plan.after).toEqual({ high: 4, low: 2 });
    expect(plan.deferred).toEqual(["high"]);
  });

  it("completes the deferred grow once the shrinking service has come down", () => {
    const plan = planScaling({ demand: 7, capacity: 9, high: steady(4), low: steady(2) });

    expect(plan.steps).toEqual([{ role: "high", from: 4, to: 7 }]);
    expect(plan.deferred).toEqual([]);
  });

  it("grows into the slots already freed while others are still stopping", () => {
    const plan = planScaling({
      demand: 7,
      capacity: 9,
      high: steady(4),
      low: { desired: 2, running: 4, pending: 0 },
    });

    expect(plan.steps).toEqual([{ role: "high", from: 4, to: 5 }]);
    expect(plan.deferred).toEqual(["high"]);
  });

  it("shrinks P1 first when demand falls, then gives P2 the freed slots", () => {
    const falling = planScaling({ demand: 1, capacity: 9, high: steady(6), low: steady(3) });
    expect(falling.steps).toEqual([{ role: "high", from: 6, to: 1 }]);
    expect(falling.deferred).toEqual(["low"]);

    const later = planScaling({ demand: 1, capacity: 9, high: steady(1), low: steady(3) });
    expect(later.steps).toEqual([{ role: "low", from: 3, to: 8 }]);
  });

  it("gives P1 the whole capacity when demand is above it", () => {
    const plan = planScaling({ demand: 40, capacity: 9, high: steady(5), low: steady(4) });

    expect(plan.target).toEqual({ high: 9, low: 0 });
    expect(plan.steps[0]).toEqual({ role: "low", from: 4, to: 0 });
  });

  it("shrinks both, P2 first, when capacity drops", () => {
    const plan = planScaling({ demand: 5, capacity: 4, high: steady(5), low: steady(4) });

    expect(plan.steps).toEqual([
      { role: "low", from: 4, to: 0 },
      { role: "high", from: 5, to: 4 },
    ]);
  });

  it("is idempotent: at the target there is nothing to do", () => {
    const plan = planScaling({ demand: 3, capacity: 9, high: steady(3), low: steady(6) });

    expect(plan.steps).toEqual([]);
    expect(plan.deferred).toEqual([]);
  });

  it("counts pending tasks and a deployment's surge as occupied slots", () => {
    const plan = planScaling({
      demand: 6,
      capacity: 9,
      high: steady(3),
      low: { desired: 3, running: 5, pending: 1 }, // a rolling deployment with surge
    });

    // P2 holds 6 slots until its deployment settles: nothing is free for P1 yet.
    expect(plan.steps).toEqual([]);
    expect(plan.deferred).toEqual(["high"]);
  });

  it.each([
    [Number.NaN, 9],
    [-1, 9],
    [2.5, 9],
    [3, -1],
  ])("refuses demand %s / capacity %s", (demand, capacity) => {
    expect(() => planScaling({ demand, capacity, high: steady(0), low: steady(0) })).toThrow(
      RangeError,
    );
  });
});

/**
 * A small model of ECS for the property tests. UpdateService sets desired at once;
 * lowering it below the active tasks marks the excess as stopping. Tasks then start
 * and stop some at a time. As DescribeServices reports it, stopping tasks still
 * count as running and placed-but-starting ones as pending. The cluster must hold
 * desired + stopping tasks of each service.
 */
interface ModelService {
  desired: number;
  active: number;
  stopping: number;
}
type Cluster = Record<Role, ModelService>;

const at = (desired: number): ModelService => ({ desired, active: desired, stopping: 0 });
const held = (c: Cluster) => c.high.desired + c.high.stopping + c.low.desired + c.low.stopping;
const reported = (s: ModelService): ServiceCounts => ({
  desired: s.desired,
  running: s.active + s.stopping,
  pending: Math.max(0, s.desired - s.active),
});
const planFor = (c: Cluster, demand: number, capacity: number) =>
  planScaling({ demand, capacity, high: reported(c.high), low: reported(c.low) });

function apply(cluster: Cluster, plan: Plan, capacity: number, check: (c: Cluster) => void) {
  for (const step of plan.steps) {
    const service = cluster[step.role];
    expect(service.desired).toBe(step.from);
    service.desired = step.to;
    if (service.active > step.to) {
      service.stopping += service.active - step.to;
      service.active = step.to;
    }
    check(cluster);
    if (step.to > step.from) {
      expect(cluster.high.desired + cluster.low.desired).toBeLessThanOrEqual(capacity);
      expect(held(cluster)).toBeLessThanOrEqual(capacity);
    }
  }
}

/** ECS gets `fraction` (0..1) of the way: stops and starts that share of what is left. */
function progress(cluster: Cluster, fraction: number) {
  for (const service of Object.values(cluster)) {
    service.stopping -= Math.ceil(service.stopping * fraction - 1e-9);
    service.active += Math.floor((service.desired - service.active) * fraction + 1e-9);
  }
}

function settle(cluster: Cluster) {
  progress(cluster, 1);
}

const invocation = fc.record({
  demand: fc.integer({ min: 0, max: 30 }),
  ecsProgress: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe("priority scaling plan: elastic capacity (a ceiling above C)", () => {
  it("P1 follows demand past C up to the ceiling: the tasks that do not fit wait for hosts", () => {
    const plan = planScaling({
      demand: 12,
      capacity: 8,
      ceiling: 20,
      high: steady(4),
      low: steady(0),
    });

    expect(plan.target).toEqual({ high: 12, low: 0 });
    expect(plan.steps).toEqual([{ role: "high", from: 4, to: 12 }]);
    expect(plan.deferred).toEqual([]);
  });

  it("never past the ceiling", () => {
    const plan = planScaling({
      demand: 30,
      capacity: 8,
      ceiling: 20,
      high: steady(4),
      low: steady(0),
    });

    expect(plan.after.high).toBe(20);
  });

  it("P2 gets only the slots free after P1 and never asks for more", () => {
    const plan = planScaling({
      demand: 2,
      capacity: 8,
      ceiling: 20,
      high: steady(0),
      low: steady(0),
    });

    expect(plan.target).toEqual({ high: 2, low: 6 });
    expect(plan.after).toEqual({ high: 2, low: 6 });
  });

  it("P2 gives way first; while its tasks stop, P1 waits for their slots instead of a new host", () => {
    const plan = planScaling({
      demand: 12,
      capacity: 8,
      ceiling: 20,
      high: steady(2),
      low: steady(6),
    });

    expect(plan.target).toEqual({ high: 12, low: 0 });
    // P2's 6 tasks still hold their slots: P1 may use only the 0 free ones now.
    expect(plan.steps).toEqual([{ role: "low", from: 6, to: 0 }]);
    expect(plan.deferred).toEqual(["high"]);

    const later = planScaling({
      demand: 12,
      capacity: 8,
      ceiling: 20,
      high: steady(2),
      low: steady(0),
    });
    expect(later.steps).toEqual([{ role: "high", from: 2, to: 12 }]);
  });

  it("over random states: P1 never past the ceiling, P2 never grows past what P1 leaves of C", () => {
    const counts = fc
      .record({ desired: fc.nat(12), extra: fc.nat(3), pending: fc.nat(2) })
      .map(({ desired, extra, pending }) => ({ desired, running: desired + extra, pending }));
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.nat(16),
        fc.nat(16),
        counts,
        counts,
        (demand, capacity, more, high, low) => {
          const ceiling = capacity + more;
          const plan = planScaling({ demand, capacity, ceiling, high, low });
          expect(plan.after.high).toBeLessThanOrEqual(Math.max(ceiling, high.desired));
          for (const step of plan.steps) {
            if (step.role !== "low" || step.to <= step.from) continue;
            const p1Holds = Math.max(
              plan.after.high + Math.max(0, high.running + high.pending - high.desired),
              high.running + high.pending,
            );
            expect(
              step.to + Math.max(0, low.running + low.pending - low.desired),
            ).toBeLessThanOrEqual(capacity - p1Holds);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a ceiling below C is C (a fixed budget)", () => {
    const plan = planScaling({
      demand: 12,
      capacity: 8,
      ceiling: 3,
      high: steady(0),
      low: steady(0),
    });

    expect(plan.target).toEqual({ high: 8, low: 0 });
  });
});

describe("priority scaling plan: properties", () => {
  it("never asks for more than C, and converges to P1 = min(D, C), P2 = C − P1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }).chain((capacity) =>
          fc.record({
            capacity: fc.constant(capacity),
            start: fc.integer({ min: 0, max: capacity }).chain((high) =>
              fc.record({
                high: fc.constant(high),
                low: fc.integer({ min: 0, max: capacity - high }),
              }),
            ),
            invocations: fc.array(invocation, { minLength: 1, maxLength: 30 }),
          }),
        ),
        ({ capacity, start, invocations }) => {
          const cluster: Cluster = { high: at(start.high), low: at(start.low) };
          const invariant = (c: Cluster) => {
            expect(c.high.desired + c.low.desired).toBeLessThanOrEqual(capacity);
            expect(held(c)).toBeLessThanOrEqual(capacity);
          };
          let demand = 0;
          for (const next of invocations) {
            demand = next.demand;
            apply(cluster, planFor(cluster, demand, capacity), capacity, invariant);
            progress(cluster, next.ecsProgress);
            invariant(cluster);
          }
          // With no new demand, ECS settles and the reconcile schedule finishes the job
          // in at most two more invocations.
          for (let round = 0; round < 2; round++) {
            settle(cluster);
            apply(cluster, planFor(cluster, demand, capacity), capacity, invariant);
          }
          const high = Math.min(demand, capacity);
          expect({ high: cluster.high.desired, low: cluster.low.desired }).toEqual({
            high,
            low: capacity - high,
          });
          expect(planFor(cluster, demand, capacity).steps).toEqual([]);
        },
      ),
    );
  });

  it("when capacity changes under it, no step it takes grows beyond C", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            demand: fc.integer({ min: 0, max: 30 }),
            capacity: fc.integer({ min: 0, max: 20 }),
            ecsProgress: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (invocations) => {
          const cluster: Cluster = { high: at(0), low: at(0) };
          for (const { demand, capacity, ecsProgress } of invocations) {
            const before = cluster.high.desired + cluster.low.desired;
            const plan = planFor(cluster, demand, capacity);
            // Shrinks only lower the total; grows keep it (and the occupied slots) ≤ C.
            apply(cluster, plan, capacity, (c) => {
              expect(c.high.desired + c.low.desired).toBeLessThanOrEqual(
                Math.max(before, capacity),
              );
            });
            const kinds = plan.steps.map((s) => (s.to > s.from ? "grow" : "shrink")).join(" ");
            expect(kinds).toMatch(/^(shrink ?)*(grow ?)*$/);
            progress(cluster, ecsProgress);
          }
        },
      ),
    );
  });
});
