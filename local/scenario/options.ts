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
  /** Real seconds of demand walk watched between the joins and the drain. */
  walkSeconds: number;
  /** How long a controller may take to converge after a change. */
  convergeDeadlineMs: number;
  /** The deploy-and-benchmark input; undefined skips the phase. */
  deploy?: DeployInput;
  deployDeadlineMs: number;
  sampleIntervalMs: number;
}

export const defaultScenarioOptions: Omit<ScenarioOptions, "deploy"> = {
  hostSize: { cpu: 832, memory: 832 },
  hosts: { initial: 3, peak: 6, final: 2 },
  walkSeconds: 20,
  convergeDeadlineMs: 20_000,
  deployDeadlineMs: 90_000,
  sampleIntervalMs: 200,
};
