import { dynamodb } from "../lib/clients/dynamodb";
import { type FunctionDefinition, type HandlerDeps, lambdaHandler } from "../lib/handler";
import { assertScheduledEvent } from "../lib/scheduled-event";
import { loadConfig, type RandomizerConfig } from "./config";
import { type RandomizerDeps, type RandomizerSummary, randomizeDemand } from "./randomizer";

/**
 * DemandRandomizerFunction: on each scheduled event, moves the demand value one step
 * of the bounded random walk and writes it to DemandTable (see ./randomizer.ts).
 */
export const definition: FunctionDefinition<
  RandomizerConfig,
  HandlerDeps<RandomizerDeps>,
  RandomizerSummary
> = {
  name: "demand randomizer",
  loadConfig,
  run: async (event, config, deps) => {
    assertScheduledEvent(event);
    return randomizeDemand(config, deps);
  },
};

export const handler = lambdaHandler(definition, {
  deps: { dynamodb, now: () => new Date(), random: Math.random },
});
