/**
 * DesiredCountSyncFunction: keeps every per-host service's desiredCount equal to the
 * number of eligible ACTIVE container instances. Triggered by EventBridge
 * `ECS Container Instance State Change` events and by a scheduled reconcile.
 *
 * The handler is thin: read the environment, classify the event, and hand over to the
 * core (`sync.ts`). Bad configuration or a malformed event throws before any API call.
 */

import type { ECSClient } from "@aws-sdk/client-ecs";
import type { Context } from "aws-lambda";
import { ecs } from "../lib/clients/ecs";
import type { Environment } from "../lib/config";
import { otherClusterReason } from "../lib/container-instance-event";
import { asError } from "../lib/errors";
import {
  type Log,
  logger,
  type MetricSink,
  metrics,
  powertoolsLog,
  powertoolsMetricSink,
} from "../lib/observability";
import { loadConfig } from "./config";
import { parseEvent } from "./event";
import { ignoredSummary, type SyncSummary, syncCluster } from "./sync";

export interface HandlerDeps {
  readonly ecs: ECSClient;
  readonly log: Log;
  readonly metrics: MetricSink;
  /** Read on every invocation (cheap), so tests can vary it; defaults to process.env. */
  readonly env?: () => Environment;
}

export function createHandler(deps: HandlerDeps): (event: unknown) => Promise<SyncSummary> {
  const readEnv = deps.env ?? (() => process.env);
  return async (event) => {
    const config = loadConfig(readEnv());
    const trigger = parseEvent(event);
    const { log } = deps;

    switch (trigger.kind) {
      case "ignored": {
        const why = `event ${trigger.source} / "${trigger.detailType}" is not handled`;
        log.info("event ignored", { cluster: config.cluster, reason: why });
        return ignoredSummary(config.cluster, "ignored", why, config.dryRun);
      }
      case "schedule":
        log.info("scheduled reconcile", { cluster: config.cluster, rule: trigger.rule });
        return syncCluster(deps, config, config.cluster, "schedule");
      case "container-instance-state-change": {
        const why = otherClusterReason(trigger.clusterArn, config.cluster);
        if (why !== undefined) {
          log.info("event ignored", {
            cluster: config.cluster,
            eventCluster: trigger.clusterArn,
            reason: why,
          });
          return ignoredSummary(
            config.cluster,
            "container-instance-state-change",
            why,
            config.dryRun,
            trigger.clusterArn,
          );
        }
        log.info("container instance state change", {
          cluster: trigger.clusterArn,
          containerInstanceArn: trigger.containerInstanceArn,
          ec2InstanceId: trigger.ec2InstanceId,
          status: trigger.status,
          agentConnected: trigger.agentConnected,
        });
        return syncCluster(deps, config, trigger.clusterArn, "container-instance-state-change");
      }
    }
  };
}

const run = createHandler({ ecs, log: powertoolsLog, metrics: powertoolsMetricSink(metrics) });

export const handler = async (event: unknown, context?: Context): Promise<SyncSummary> => {
  if (context !== undefined) logger.addContext(context);
  try {
    return await run(event);
  } catch (thrown) {
    logger.error("desired-count sync failed", asError(thrown));
    throw thrown;
  } finally {
    // Its metrics carry a Service dimension and go out at once; this flushes any other.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
