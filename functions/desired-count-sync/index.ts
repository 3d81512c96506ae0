/**
 * DesiredCountSyncFunction: keeps every per-host service's desiredCount equal to the
 * number of eligible ACTIVE container instances. Triggered by EventBridge
 * `ECS Container Instance State Change` events and by a scheduled reconcile.
 *
 * The handler is thin: classify the event and hand over to the core (`sync.ts`), or
 * say why the event is ignored. Bad configuration or a malformed event throws before
 * any API call.
 */

import { ecs } from "../lib/clients/ecs";
import { describeSelection, unselectedClusterReason } from "../lib/clusters";
import { notHandledReason } from "../lib/controller";
import type { TaskDefinitionCache } from "../lib/ecs-reads";
import { type FunctionDefinition, type HandlerDeps, lambdaHandler } from "../lib/handler";
import { loadConfig, type SyncConfig } from "./config";
import { parseEvent } from "./event";
import { type ReconcileSummary, reconcileClusters } from "./reconcile";
import { ignoredSummary, type SyncDeps, type SyncSummary, syncCluster } from "./sync";

export const definition: FunctionDefinition<
  SyncConfig,
  HandlerDeps<SyncDeps>,
  SyncSummary | ReconcileSummary
> = {
  name: "desired-count sync",
  loadConfig,
  run: async (event, config, deps) => {
    const trigger = parseEvent(event);
    const { log } = deps;
    const clusters = describeSelection(config.clusters);

    switch (trigger.kind) {
      case "ignored": {
        const why = notHandledReason(trigger);
        log.info("event ignored", { cluster: clusters, reason: why });
        return ignoredSummary(clusters, "ignored", why, config.dryRun);
      }
      case "schedule":
        log.info("scheduled reconcile", { clusters, rule: trigger.rule });
        return reconcileClusters(deps, config);
      case "container-instance-state-change": {
        const why = unselectedClusterReason(config.clusters, trigger.clusterArn);
        if (why !== undefined) {
          log.info("event ignored", {
            cluster: clusters,
            eventCluster: trigger.clusterArn,
            reason: why,
          });
          return ignoredSummary(
            clusters,
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
  },
};

// Task definition revisions never change: one execution environment reads each once.
const definitions: TaskDefinitionCache = new Map();

// Its metrics carry a Service dimension and go out as they are recorded (lib/observability).
export const handler = lambdaHandler(definition, { deps: { ecs, definitions } });
