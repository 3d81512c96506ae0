import { autoscaling } from "../lib/clients/autoscaling";
import { cloudwatch } from "../lib/clients/cloudwatch";
import { dynamodb } from "../lib/clients/dynamodb";
import { ecs } from "../lib/clients/ecs";
import { type FunctionDefinition, type HandlerDeps, lambdaHandler } from "../lib/handler";
import type { TaskSizeCache } from "./capacity";
import { loadConfig, type ScalerConfig } from "./config";
import { type ScalerDeps, type ScalerResult, scalePriorities } from "./scaler";

/**
 * PriorityScalerFunction: on DemandTable stream records, on ECS container instance
 * state changes of its cluster and on the reconcile schedule, sets the desired counts
 * of the high- and low-priority worker services so that P1 follows demand and P2 takes
 * the rest of the capacity (see ./plan.ts) — with CAPACITY unset, P1 up to what the
 * Auto Scaling groups' MaxSize can hold (./elastic.ts). The core reads the event itself: each of
 * the three triggers decides what it reads (./trigger.ts).
 */
export const definition: FunctionDefinition<ScalerConfig, HandlerDeps<ScalerDeps>, ScalerResult> = {
  name: "priority scaler",
  loadConfig,
  run: (event, config, deps) => scalePriorities(event, config, deps),
};

/** Task definition revisions never change, so their sizes are kept across warm invocations. */
const taskSizes: TaskSizeCache = new Map();

export const handler = lambdaHandler(definition, {
  deps: { ecs, dynamodb, cloudwatch, autoscaling, now: () => new Date(), taskSizes },
});
