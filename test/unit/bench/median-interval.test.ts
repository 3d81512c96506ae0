import { describe, expect, it } from "vitest";
import { medianIntervalIndexes } from "../../bench/benchmark-pinned";

/**
 * The interval `npm run bench benchmark` prints around its median ratio: the sign-test
 * bounds, checked against the binomial tables (Conover, Practical Nonparametric Statistics).
 */
describe("medianIntervalIndexes", () => {
  it("bounds the median of 16 pairs by the 4th and 13th smallest at 95 %", () => {
    expect(medianIntervalIndexes(16, 0.95)).toEqual({ low: 3, high: 12 });
  });

  it("takes the extremes when only they reach the confidence", () => {
    // P(X = 0) = 1/64 ≤ 2.5 %, P(X ≤ 1) = 7/64 > 2.5 %
    expect(medianIntervalIndexes(6, 0.95)).toEqual({ low: 0, high: 5 });
  });

  it("has no interval when even the extremes fall short", () => {
    // P(X = 0) = 1/32 > 2.5 %
    expect(medianIntervalIndexes(5, 0.95)).toBeUndefined();
  });

  it("narrows as the confidence asked for falls", () => {
    // 16 pairs at 80 %: P(X ≤ 4) = 3.8 % ≤ 10 %, P(X ≤ 5) = 10.5 % > 10 %: the 5th and 12th
    expect(medianIntervalIndexes(16, 0.8)).toEqual({ low: 4, high: 11 });
  });
});
