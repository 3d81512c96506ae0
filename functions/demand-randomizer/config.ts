import { boolean, type Environment, integer, optionalString, requiredString } from "../lib/config";

export interface RandomizerConfig {
  readonly table: string;
  readonly max: number;
  readonly delta: number;
  /** DEMAND_SEED: when set, the walk is reproducible (see `seededRandom`). */
  readonly seed: string | undefined;
  /** DEMAND_RESET_ON_CORRUPT=true: replace a corrupt item with the first value, loudly. */
  readonly resetOnCorrupt: boolean;
  /** Read-modify-write attempts before giving up on a contended item. */
  readonly maxAttempts: number;
}

/** Reads and checks the environment; throws ConfigurationError naming the variable. */
export function loadConfig(env: Environment): RandomizerConfig {
  return {
    table: requiredString(env, "DEMAND_TABLE"),
    max: integer(env, "DEMAND_MAX", 9, { min: 1 }),
    delta: integer(env, "DEMAND_DELTA", 3, { min: 1 }),
    seed: optionalString(env, "DEMAND_SEED"),
    resetOnCorrupt: boolean(env, "DEMAND_RESET_ON_CORRUPT", false),
    maxAttempts: 5,
  };
}
