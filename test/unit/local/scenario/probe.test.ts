import { describe, expect, it } from "vitest";
import { summariseProbe } from "../../../../local/scenario/probe";

describe("summariseProbe", () => {
  it("reports the share of 2xx and the longest time between two 2xx answers", () => {
    // Prepare: every 50 ms, with 503s at 100 and 150 ms and a refused request at 200 ms
    const statuses = [200, 200, 503, 503, 0, 200, 200];
    const samples = statuses.map((status, i) => ({ t: i * 50, status, latencyMs: 1 }));

    // Act
    const summary = summariseProbe(samples);

    // Assess
    expect(summary).toMatchObject({ sent: 7, ok: 4, longestGapMs: 200 });
    expect(summary.availability).toBeCloseTo(4 / 7, 10);
    expect(summary.failures.map((sample) => sample.t)).toEqual([100, 150, 200]);
  });

  it("counts failures at the start and the end as gaps too", () => {
    const samples = [0, 200, 200, 503].map((status, i) => ({ t: i * 100, status, latencyMs: 1 }));
    expect(summariseProbe(samples).longestGapMs).toBe(100);
    const none = [503, 503].map((status, i) => ({ t: i * 100, status, latencyMs: 1 }));
    expect(summariseProbe(none)).toMatchObject({ ok: 0, availability: 0, longestGapMs: 100 });
  });
});
