import type { ApiCalls } from "../lib/api-calls";
import { listClusterArns } from "../lib/clusters";
import { type ControllerSummary, PartialFailureError } from "../lib/controller";
import { asError } from "../lib/errors";
import type { SyncConfig } from "./config";
import { type SyncDeps, SyncFailedError, type SyncSummary, syncCluster } from "./sync";

/**
 * The scheduled reconcile: every cluster served — the listed ones, or each cluster
 * ListClusters finds for `CLUSTERS=*` — synced in turn. One cluster failing does not
 * stop the others; the invocation throws at the end so Lambda retries it, and the
 * retry re-reads every cluster (the sync is level-triggered).
 */

/** A cluster whose reconcile failed before it had a summary (its services unread). */
export interface ClusterFailure {
  readonly cluster: string;
  readonly error: string;
}

export interface ReconcileSummary extends ControllerSummary<"schedule"> {
  /** One result per cluster reconciled, in order. */
  readonly clusters: readonly (SyncSummary | ClusterFailure)[];
  /** Services whose desiredCount was written, over every cluster. */
  readonly changed: number;
  /** ListClusters, and the calls of every cluster with a summary. */
  readonly apiCalls: ApiCalls;
}

/** Some clusters could not be reconciled; the others were. Thrown so Lambda retries. */
export class ReconcileFailedError extends PartialFailureError<ReconcileSummary> {
  override readonly name = "ReconcileFailedError";
  constructor(summary: ReconcileSummary, causes: readonly Error[]) {
    super(`per-host reconcile failed for ${causes.length} problem(s)`, summary, causes);
  }
}

function added(total: ApiCalls, calls: Readonly<ApiCalls>): ApiCalls {
  for (const [action, count] of Object.entries(calls)) total[action] = (total[action] ?? 0) + count;
  return total;
}

export async function reconcileClusters(
  deps: SyncDeps,
  config: SyncConfig,
): Promise<ReconcileSummary> {
  const { log } = deps;
  const apiCalls: ApiCalls = {};
  const clusters =
    config.clusters === "all" ? await listClusterArns(deps.ecs, apiCalls) : config.clusters;
  const results: (SyncSummary | ClusterFailure)[] = [];
  const causes: Error[] = [];
  for (const cluster of clusters) {
    try {
      const summary = await syncCluster(deps, config, cluster, "schedule");
      results.push(summary);
      added(apiCalls, summary.apiCalls);
    } catch (thrown) {
      if (thrown instanceof SyncFailedError) {
        results.push(thrown.summary);
        added(apiCalls, thrown.summary.apiCalls);
        causes.push(...thrown.causes);
        continue;
      }
      const error = asError(thrown);
      log.error("cluster not reconciled", { cluster, error: error.message });
      results.push({ cluster, error: error.message });
      causes.push(error);
    }
  }
  const summary: ReconcileSummary = {
    trigger: "schedule",
    clusters: results,
    changed: results.reduce((sum, result) => sum + ("changed" in result ? result.changed : 0), 0),
    dryRun: config.dryRun,
    apiCalls,
  };
  if (causes.length > 0) {
    log.error("per-host reconcile incomplete", { ...summary });
    throw new ReconcileFailedError(summary, causes);
  }
  log.info("per-host reconcile done", {
    clusters: results.length,
    changed: summary.changed,
    apiCalls,
  });
  return summary;
}
