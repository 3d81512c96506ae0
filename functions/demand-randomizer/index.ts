import type { Context } from "aws-lambda";
import { dynamodb } from "../lib/clients/dynamodb";
import { asError } from "../lib/errors";
import { logger, metrics, powertoolsLog, powertoolsMetricSink } from "../lib/observability";
import { assertScheduledEvent } from "../lib/scheduled-event";
import { loadRandomizerConfig, type RandomizerSummary, randomizeDemand } from "./randomizer";

const metricSink = powertoolsMetricSink(metrics);

/**
 * DemandRandomizerFunction: on each scheduled event, moves the demand value one step
 * of the bounded random walk and writes it to DemandTable (see ./randomizer.ts).
 */
export async function handler(event: unknown, context?: Context): Promise<RandomizerSummary> {
  if (context !== undefined) logger.addContext(context);
  try {
    assertScheduledEvent(event);
    const config = loadRandomizerConfig(process.env);
    return await randomizeDemand(config, {
      dynamodb,
      log: powertoolsLog,
      metrics: metricSink,
      now: () => new Date(),
      random: Math.random,
    });
  } catch (thrown) {
    logger.error("demand randomizer failed", asError(thrown));
    throw thrown;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
