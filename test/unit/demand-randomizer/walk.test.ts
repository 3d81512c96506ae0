import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  firstDemand,
  mulberry32,
  nextDemand,
  type Random,
  seededRandom,
  stepRange,
} from "../../../functions/demand-randomizer/walk";

const defaults = { max: 9, delta: 3 };

/** A random source that returns the given values in turn. */
const sequence =
  (...values: number[]): Random =>
  () =>
    values.shift() ?? 0;

/** Every value nextDemand can reach from `current`, by sweeping the random source over [0, 1). */
function reachable(current: number, bounds = defaults): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(nextDemand(current, bounds, () => i / 1000));
  return [...seen].sort((a, b) => a - b);
}

/**
 * How often each next value comes up from `current` when the random source is swept
 * evenly over [0, 1) in `draws` steps: with `draws` a multiple of every range size, a
 * uniform step draw gives each allowed value exactly draws / (range size).
 */
function counts(current: number, bounds = defaults, draws = 840): Map<number, number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const next = nextDemand(current, bounds, () => (i + 0.5) / draws);
    seen.set(next, (seen.get(next) ?? 0) + 1);
  }
  return new Map([...seen].sort(([a], [b]) => a - b));
}

describe("bounded random walk", () => {
  it("starts at half of MAX, rounded down", () => {
    expect(firstDemand(9)).toBe(4);
    expect(firstDemand(10)).toBe(5);
    expect(firstDemand(1)).toBe(0);
  });

  it("steps anywhere in [−DELTA, +DELTA] away from the edges", () => {
    expect(stepRange(4, defaults)).toEqual([-3, 3]);
    expect(reachable(4)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("narrows the step range at the edges instead of clamping, so it does not stick", () => {
    expect(stepRange(0, defaults)).toEqual([0, 3]);
    expect(stepRange(1, defaults)).toEqual([-1, 3]);
    expect(stepRange(9, defaults)).toEqual([-3, 0]);
    expect(reachable(0)).toEqual([0, 1, 2, 3]);
    expect(reachable(9)).toEqual([6, 7, 8, 9]);
  });

  it("draws each allowed step with equal probability", () => {
    // From 0 the steps 0..3 each take a quarter of [0, 1).
    const from0 = [0, 0.2499, 0.25, 0.4999, 0.5, 0.7499, 0.75, 0.9999].map((r) =>
      nextDemand(0, defaults, sequence(r)),
    );
    expect(from0).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // From either edge each of the 4 allowed values takes a quarter, from the middle
    // each of the 7 a seventh: clamping a wider draw would pile the rest on the edge.
    expect(counts(0)).toEqual(new Map([0, 1, 2, 3].map((v) => [v, 210])));
    expect(counts(9)).toEqual(new Map([6, 7, 8, 9].map((v) => [v, 210])));
    expect(counts(4)).toEqual(new Map([1, 2, 3, 4, 5, 6, 7].map((v) => [v, 120])));
  });

  it("stays in range even if a random source returns exactly 1", () => {
    expect(nextDemand(9, defaults, () => 1)).toBe(9);
    expect(nextDemand(4, defaults, () => 1)).toBe(7);
  });

  it("refuses a current value outside [0, MAX]", () => {
    expect(() => nextDemand(10, defaults, Math.random)).toThrow(RangeError);
    expect(() => nextDemand(-1, defaults, Math.random)).toThrow(RangeError);
    expect(() => nextDemand(2.5, defaults, Math.random)).toThrow(RangeError);
  });

  it("property: never leaves [0, MAX] and never steps more than DELTA", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }).chain((max) =>
          fc.record({
            max: fc.constant(max),
            delta: fc.integer({ min: 1, max: 60 }),
            start: fc.integer({ min: 0, max }),
            draws: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
              maxLength: 200,
            }),
          }),
        ),
        ({ max, delta, start, draws }) => {
          let current = start;
          for (const draw of draws) {
            const next = nextDemand(current, { max, delta }, () => draw);
            expect(Number.isInteger(next)).toBe(true);
            expect(next).toBeGreaterThanOrEqual(0);
            expect(next).toBeLessThanOrEqual(max);
            expect(Math.abs(next - current)).toBeLessThanOrEqual(delta);
            current = next;
          }
        },
      ),
    );
  });

  it("property: from an edge the walk leaves with probability DELTA / (DELTA + 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), (delta) => {
        const max = 3 * delta;
        const draws = (delta + 1) * 100;
        const leaving = [0, max].map((edge) => {
          const stays = counts(edge, { max, delta }, draws).get(edge) ?? 0;
          return (draws - stays) / draws;
        });
        expect(leaving).toEqual([delta / (delta + 1), delta / (delta + 1)]);
      }),
    );
  });
});

describe("seeded random source", () => {
  it("mulberry32 is deterministic and uniform enough for the walk", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    const mean = draws.reduce((sum, d) => sum + d, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it("depends on the seed and on the version it replaces", () => {
    const first = (seed: string, version: number) => seededRandom(seed, version)();
    expect(first("42", 7)).toBe(first("42", 7));
    expect(first("42", 7)).not.toBe(first("42", 8));
    expect(first("42", 7)).not.toBe(first("43", 7));
  });

  it("replays the same walk from the same seed", () => {
    const walk = (seed: string) => {
      const values = [firstDemand(9)];
      for (let version = 1; version < 50; version++) {
        values.push(nextDemand(values.at(-1) ?? 0, defaults, seededRandom(seed, version)));
      }
      return values;
    };
    expect(walk("42")).toEqual(walk("42"));
    expect(walk("42")).not.toEqual(walk("7"));
  });
});
