import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../local/clock";
import { ManualTimers } from "../../support/manual-timers";

describe("LocalClock", () => {
  it("turns simulated seconds into real milliseconds at its scale", () => {
    const clock = new LocalClock({ timeScale: 30 });
    expect(clock.realMs(60)).toBe(2_000);
    expect(new LocalClock().realMs(1.5)).toBe(1_500);
  });

  it("gives whole real seconds, never below one, for durations a state machine reads", () => {
    const clock = new LocalClock({ timeScale: 30 });
    expect(clock.realWholeSeconds(90)).toBe(3);
    expect(clock.realWholeSeconds(100)).toBe(3);
    expect(clock.realWholeSeconds(10)).toBe(1);
  });

  it("runs simulated time from its start at the scale", () => {
    // Prepare
    const timers = new ManualTimers(Date.UTC(2026, 0, 1));
    const clock = new LocalClock({ timeScale: 60, timers });

    // Act
    timers.advance(1_000);

    // Assess
    expect(new Date(clock.now()).toISOString()).toBe("2026-01-01T00:01:00.000Z");
  });

  it("fires a timer once its simulated delay has passed in real time", () => {
    const timers = new ManualTimers();
    const clock = new LocalClock({ timeScale: 60, timers });
    let fired = 0;
    clock.setTimer(() => fired++, 60_000);

    timers.advance(999);
    expect(fired).toBe(0);
    timers.advance(1);
    expect(fired).toBe(1);
  });

  it("cancels a timer", () => {
    const timers = new ManualTimers();
    const clock = new LocalClock({ timers });
    let fired = 0;
    clock.clearTimer(clock.setTimer(() => fired++, 10));
    timers.advance(100);
    expect(fired).toBe(0);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a time scale of %d", (scale) => {
    expect(() => new LocalClock({ timeScale: scale })).toThrow(RangeError);
  });
});
