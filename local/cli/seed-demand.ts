import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { demandRandomizerId } from "../scenario/run-context";
import type { LocalSystem } from "../scenario/system";
import { projectRoot } from "../template/read";

/** The randomizer's own sample event: a tick of its schedule. */
const tickEvent = "events/demand-randomizer/scheduled-tick.json";

/**
 * The randomizer's schedule first fires one period after boot, and until then there is
 * no demand item, so the priority scaler's reconcile has nothing to read (MissingDataError,
 * as on a stack deployed a minute ago). The commands a newcomer runs first fire that tick
 * at boot instead: the randomizer writes the first demand (half of DEMAND_MAX) as it would.
 */
export async function seedDemand(system: LocalSystem): Promise<void> {
  const event: unknown = JSON.parse(readFileSync(resolve(projectRoot, tickEvent), "utf8"));
  await system.wired.lambda.invoke(demandRandomizerId, event);
}
