import { describe, expect, it } from "vitest";
import { decisiveSeconds } from "../../../../local/scenario/rollouts";

describe("decisiveSeconds: the bad release's load is sized by requests, not by time", () => {
  const run = { requests: 800, minSeconds: 4, maxSeconds: 15 };

  it("runs long enough for the requests at the measured throughput", () => {
    // 800 requests at 150/s: 5.33 s, rounded up so the count is reached
    expect(decisiveSeconds(150, run)).toBe(6);
    expect(decisiveSeconds(100, run)).toBe(8);
  });

  it("never shorter than the minimum, never longer than the maximum", () => {
    expect(decisiveSeconds(5_000, run)).toBe(4);
    expect(decisiveSeconds(20, run)).toBe(15);
  });

  it("an unknown or zero throughput takes the maximum", () => {
    expect(decisiveSeconds(undefined, run)).toBe(15);
    expect(decisiveSeconds(0, run)).toBe(15);
    expect(decisiveSeconds(Number.NaN, run)).toBe(15);
  });
});
