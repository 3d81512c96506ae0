import type { Context } from "aws-lambda";
import { cloudwatch } from "../lib/clients/cloudwatch";
import { dynamodb } from "../lib/clients/dynamodb";
import { ecs } from "../lib/clients/ecs";
import { asError } from "../lib/errors";
import { logger, metrics, powertoolsLog, powertoolsMetricSink } from "../lib/observability";
import type { TaskSizeCache } from "./capacity";
import { loadScalerConfig, type ScalerResult, scalePriorities } from "./scaler";

const metricSink = powertoolsMetricSink(metrics);
/** Task definition revisions never change, so their sizes are kept across warm invocations. */
const taskSizes: TaskSizeCache = new Map();

/**
 * PriorityScalerFunction: on DemandTable stream records, on ECS container instance
 * state changes of its cluster and on the reconcile schedule, sets the desired counts of the high- and low-priority worker services
 * so that P1 follows demand and P2 takes the rest of the capacity (see ./plan.ts).
 */
export async function handler(event: unknown, context?: Context): Promise<ScalerResult> {
  if (context !== undefined) logger.addContext(context);
  try {
    const config = loadScalerConfig(process.env);
    return await scalePriorities(event, config, {
      ecs,
      dynamodb,
      cloudwatch,
      log: powertoolsLog,
      metrics: metricSink,
      now: () => new Date(),
      taskSizes,
    });
  } catch (thrown) {
    logger.error("priority scaler failed", asError(thrown));
    throw thrown;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
