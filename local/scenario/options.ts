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
  releaseBenchmark: { durationSeconds: 4, warmupSeconds: 1, maxErrorRate: 0.005 },
  refusal: { requests: 800, maxSeconds: 15 },
  deployDeadlineMs: 90_000,
  sampleIntervalMs: 200,
};
