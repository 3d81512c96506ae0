import { describe, expect, it } from "vitest";
import { summariseProbe } from "../../../../local/scenario/probe";

describe("summariseProbe", () => {
  it("reports the share of 2xx and the longest outage, from a failure to the next 2xx", () => {
    // Prepare: every 50 ms, with 503s at 100 and 150 ms and a refused request at 200 ms
    const statuses = [200, 200, 503, 503, 0, 200, 200];
    const samples = statuses.map((status, i) => ({ t: i * 50, status, latencyMs: 1 }));

    // Act
    const summary = summariseProbe(samples);

    // Assess
    expect(summary).toMatchObject({ sent: 7, ok: 4, longestGapMs: 150 });
    expect(summary.availability).toBeCloseTo(4 / 7, 10);
    expect(summary.failures.map((sample) => sample.t)).toEqual([100, 150, 200]);
  });

  it("counts failures up to the last probe, and no gap when every probe was 2xx", () => {
    const trailing = [200, 200, 503, 503].map((status, i) => ({
      t: i * 100,
      status,
      latencyMs: 1,
    }));
    expect(summariseProbe(trailing).longestGapMs).toBe(100);
    // a probe sent late (the process was busy) is not an outage
    const late = [0, 2_000, 2_050].map((t) => ({ t, status: 200, latencyMs: 1 }));
    expect(summariseProbe(late)).toMatchObject({ availability: 1, longestGapMs: 0 });
  });
});
