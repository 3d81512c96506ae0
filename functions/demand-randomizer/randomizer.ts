import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ApiCalls } from "../lib/api-calls";
import { DEMAND_PK, getDemandItem, type StoredDemand } from "../lib/demand-item";
import { WriteConflictError } from "../lib/errors";
import type { Observed } from "../lib/observability";
import type { RandomizerConfig } from "./config";
import { firstDemand, nextDemand, type Random, seededRandom } from "./walk";
import { isConditionalCheckFailed, putDemandItem, successorOf } from "./write";

export interface RandomizerDeps extends Observed {
  readonly dynamodb: DynamoDBClient;
  readonly now: () => Date;
  /** The random source when DEMAND_SEED is unset. */
  readonly random: Random;
}

export interface RandomizerSummary {
  readonly table: string;
  /** The item this write replaced; null for the first write and for a reset. */
  readonly previous: { readonly value: number; readonly version: number } | null;
  readonly value: number;
  readonly version: number;
  /** value − previous value; null when there was no previous value. */
  readonly step: number | null;
  /** True when a corrupt item was replaced (DEMAND_RESET_ON_CORRUPT=true). */
  readonly reset: boolean;
  readonly seeded: boolean;
  /** Read-modify-write rounds; more than 1 means a concurrent writer won a round. */
  readonly attempts: number;
  readonly wrote: true;
  readonly apiCalls: ApiCalls;
}

interface Decision {
  readonly value: number;
  readonly previous: RandomizerSummary["previous"];
  readonly reset: boolean;
}

function decide(stored: StoredDemand, config: RandomizerConfig, deps: RandomizerDeps): Decision {
  switch (stored.state) {
    case "missing":
      return { value: firstDemand(config.max), previous: null, reset: false };
    case "valid": {
      const { value, version } = stored.item;
      const random = config.seed === undefined ? deps.random : seededRandom(config.seed, version);
      return {
        value: nextDemand(value, config, random),
        previous: { value, version },
        reset: false,
      };
    }
    case "corrupt":
      if (!config.resetOnCorrupt) throw stored.error;
      deps.log.warn("demand item is corrupt: resetting it because DEMAND_RESET_ON_CORRUPT=true", {
        problem: stored.error.message,
        storedItem: stored.raw,
        resetTo: firstDemand(config.max),
      });
      return { value: firstDemand(config.max), previous: null, reset: true };
  }
}

/**
 * One step of the walk: read the item, compute the next value, write it conditioned
 * on the version read. On a lost race (another writer got there first) it re-reads
 * and computes the step again from the new value, up to `maxAttempts` rounds, so
 * every successful write is exactly one step from the value it replaced.
 */
export async function randomizeDemand(
  config: RandomizerConfig,
  deps: RandomizerDeps,
): Promise<RandomizerSummary> {
  const apiCalls: ApiCalls = {};
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    const stored = await getDemandItem(deps.dynamodb, config.table, apiCalls, config);
    const decision = decide(stored, config, deps);
    const { precondition, version } = successorOf(stored);
    const item = { value: decision.value, version, updatedAt: deps.now().toISOString() };
    try {
      await putDemandItem(deps.dynamodb, config.table, apiCalls, item, precondition);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      deps.log.info("demand item changed since it was read: re-reading", {
        attempt,
        readVersion: stored.state === "valid" ? stored.item.version : null,
      });
      continue;
    }
    deps.metrics.record("Demand", "Count", item.value);
    const summary: RandomizerSummary = {
      table: config.table,
      previous: decision.previous,
      value: item.value,
      version: item.version,
      step: decision.previous === null ? null : item.value - decision.previous.value,
      reset: decision.reset,
      seeded: config.seed !== undefined,
      attempts: attempt,
      wrote: true,
      apiCalls,
    };
    deps.log.info("demand written", { ...summary });
    return summary;
  }
  throw new WriteConflictError(config.table, DEMAND_PK, config.maxAttempts);
}
