/**
 * HostConsolidatorFunction: scales hosts in — terminates, through their Auto Scaling
 * group, hosts that are empty or whose tasks fit on the hosts that stay, within a
 * disruption budget. Runs every minute and on ECS task and container instance state
 * changes of its clusters.
 *
 * The handler is thin: classify the event and hand over to the core
 * (`consolidate.ts`), or say why the event is ignored. Bad configuration or a
 * malformed event throws before any API call.
 */

import { autoscaling } from "../lib/clients/autoscaling";
import { ecs } from "../lib/clients/ecs";
import { notHandledReason } from "../lib/controller";
import { type FunctionDefinition, type HandlerDeps, lambdaHandler } from "../lib/handler";
import type { TaskDefinitionCache } from "./calls";
import { type ConsolidatorConfig, loadConfig } from "./config";
import {
  type ConsolidationSummary,
  type ConsolidatorDeps,
  consolidate,
  ignoredSummary,
} from "./consolidate";
import { parseEvent } from "./event";

export const definition: FunctionDefinition<
  ConsolidatorConfig,
  HandlerDeps<ConsolidatorDeps>,
  ConsolidationSummary
> = {
  name: "host consolidator",
  loadConfig,
  run: async (event, config, deps) => {
    const trigger = parseEvent(event);
    if (trigger.kind === "ignored") {
      const why = notHandledReason(trigger);
      deps.log.info("event ignored", { reason: why });
      return ignoredSummary("ignored", why, config.dryRun);
    }
    return consolidate(deps, config, trigger);
  },
};

// Task definition revisions never change: one execution environment reads each once.
const definitions: TaskDefinitionCache = new Map();

// Its metrics carry a Cluster dimension and go out as they are recorded (lib/observability).
export const handler = lambdaHandler(definition, { deps: { ecs, autoscaling, definitions } });
