import type { DeployInput } from "./deploy";
import type { HostSize } from "./hosts";

/** What a scenario run does and how long it waits: the CLI's and the tests' knobs. */

export interface ScenarioOptions {
  /**
   * Every host's size. 832 = 3 worker slots (256 each) + the per-host agent (64): the
   * agent always fits on a new host even when the priority scaler fills its free slots
   * first, and the first host holds the web and backend tasks exactly.
   */
  hostSize: HostSize;
  hosts: { initial: number; peak: number; final: number };
  /**
   * The demand walk ends once P1/P2 have settled on `steps` demand steps (over at least
   * two values) before the next one came, or after `deadlineSeconds` of real time.
   */
  walk: { steps: number; deadlineSeconds: number };
  /** How long a controller may take to converge after a change. */
  convergeDeadlineMs: number;
  /**
   * Demand up to `highDemand` (hosts out for P1), then down to `lowDemand` (hosts back
   * by the host consolidator, within `consolidateDeadlineMs`); undefined skips both, and
   * the consolidation after the rollouts.
   */
  rightSizing?: { highDemand: number; lowDemand: number; consolidateDeadlineMs: number };
  /** The deploy-and-benchmark input; undefined skips the phase. */
  deploy?: DeployInput;
  /**
   * Laid over the deploy input's benchmark for both releases. The gate's verdict rests on
   * the error rate of the requests sent, so a short run needs a threshold well below the
   * bad release's 2 % and well above the good one's (web retries each backend call up to
   * 3 times: 0.02⁴ per request): 0.005.
   */
  releaseBenchmark: NonNullable<DeployInput["benchmark"]>;
  /**
   * The bad release's load, sized by requests (rollouts.ts `decisiveSeconds`): 800
   * requests at 2 % errors pass a 0.005 gate by chance with p ≈ 0.0004 (binomial); at
   * the 0.01 default it would take about 2,000 for the same odds.
   */
  refusal: { requests: number; maxSeconds: number };
  deployDeadlineMs: number;
  sampleIntervalMs: number;
}

export const defaultScenarioOptions: Omit<ScenarioOptions, "deploy"> = {
  hostSize: { cpu: 832, memory: 832 },
  hosts: { initial: 3, peak: 6, final: 2 },
  walk: { steps: 3, deadlineSeconds: 20 },
  convergeDeadlineMs: 20_000,
  rightSizing: { highDemand: 9, lowDemand: 1, consolidateDeadlineMs: 20_000 },
  releaseBenchmark: { durationSeconds: 4, warmupSeconds: 1, maxErrorRate: 0.005 },
  refusal: { requests: 800, maxSeconds: 15 },
  deployDeadlineMs: 90_000,
  sampleIntervalMs: 200,
};

/**
 * Template parameters the scenario boots with, as `sam deploy --parameter-overrides`
 * gives them: the host consolidator's clocks short enough to act within seconds — a
 * candidate for 30 s and hosts older than 60 s on the scenario's clock. The functions
 * read real time (a host's registeredAt, their own Date.now()), so the seconds are
 * divided by the time scale: 1 s and 2 s at ×30. One host draining at a time (the
 * default budget). The AWS defaults (600 s, 900 s) fit a real cluster.
 */
export function scenarioParameters(timeScale: number): Record<string, string> {
  const real = (scenarioSeconds: number) =>
    String(Math.max(1, Math.round(scenarioSeconds / timeScale)));
  return {
    ConsolidateAfterSeconds: real(30),
    MinHostAgeSeconds: real(60),
    DisruptionBudget: "1",
  };
}
