import { describe, expect, it } from "vitest";
import { Tally } from "../../../functions/benchmark-runner/tally";

/** Within HdrHistogram's three significant digits of `expected`. */
const near = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.002 + 0.01);

describe("Tally", () => {
  it("counts 2xx as ok, any other status as non-2xx, and no answer as an error", () => {
    // Prepare
    const tally = new Tally();

    // Act
    for (const status of [200, 204, 299, 300, 404, 500, 199]) tally.record({ status }, 1);
    tally.record({ failed: "error" }, 0);
    tally.record({ failed: "timeout" }, 0);
    tally.received(512);
    tally.received(100);

    // Assess
    expect(tally.figures(2)).toMatchObject({
      total: 7,
      ok: 3,
      non2xx: 4,
      errors: 2,
      timeouts: 1,
      bytes: 612,
      durationSeconds: 2,
    });
  });

  it("reports percentiles and the maximum of 2xx latencies only, the last one included", () => {
    // Prepare: 1..100 ms in order, so the slowest is the last recorded; a slower non-2xx
    const tally = new Tally();
    for (let ms = 1; ms <= 100; ms++) tally.record({ status: 200 }, ms);
    tally.record({ status: 500 }, 5_000);

    // Act
    const { latencyMs } = tally.figures(1);

    // Assess
    near(latencyMs.p50, 50);
    near(latencyMs.p90, 90);
    near(latencyMs.p99, 99);
    near(latencyMs.max, 100);
  });

  it("keeps sub-millisecond latencies to the microsecond and reports zeros when nothing was answered", () => {
    const fast = new Tally();
    fast.record({ status: 200 }, 0.25);
    expect(fast.figures(1).latencyMs.max).toBe(0.25);
    expect(new Tally().figures(1).latencyMs).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
  });
});
