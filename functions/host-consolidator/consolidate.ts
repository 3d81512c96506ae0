import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { ECSClient, TaskDefinition } from "@aws-sdk/client-ecs";
import { unselectedClusterReason } from "../lib/clusters";
import { type ControllerSummary, PartialFailureError } from "../lib/controller";
import { clusterName } from "../lib/ecs-names";
import { asError } from "../lib/errors";
import { EXPENDABLE_ROOM_ATTRIBUTE } from "../lib/expendable-room";
import type { Observed } from "../lib/observability";
import { ConsolidatorCalls, noApiCalls, type TaskDefinitionCache } from "./calls";
import type { ConsolidatorConfig } from "./config";
import type { GroupOutcome, HostDecision } from "./decisions";
import type { Trigger } from "./event";
import { planConsolidation } from "./plan";
import {
  buildSnapshot,
  CANDIDATE_ATTRIBUTE,
  type Classification,
  definitionsNeeded,
  servicesByName,
} from "./snapshot";

/**
 * The core: for each cluster, read everything (hosts, tasks, services, the groups),
 * decide (`plan.ts`), then write — candidate attributes, and terminations through the
 * Auto Scaling group so managed draining moves the tasks. Any failed or partial read
 * of a cluster means no write at all for it; the other clusters go on, and the
 * invocation then throws so Lambda retries.
 */

export type HostAction = "terminated" | "would-terminate" | "terminate-failed" | "kept";

export interface ClusterOutcome {
  readonly cluster: string;
  readonly hosts: readonly (HostDecision & { readonly action: HostAction })[];
  readonly groups: readonly GroupOutcome[];
  /** Cluster-wide reasons no host went (work waiting for a place, rollouts). */
  readonly hold: readonly string[];
  readonly candidates: number;
  /** EC2 instance IDs terminated (or that would be, in a dry run). */
  readonly terminated: readonly string[];
  readonly error?: string;
}

export interface ConsolidationSummary extends ControllerSummary<Trigger["kind"]> {
  readonly clusters: readonly ClusterOutcome[];
  readonly candidates: number;
  readonly consolidated: number;
}

export class ConsolidationFailedError extends PartialFailureError<ConsolidationSummary> {
  override readonly name = "ConsolidationFailedError";
  constructor(summary: ConsolidationSummary, causes: readonly Error[]) {
    super("host consolidation failed", summary, causes);
  }
}

export interface ConsolidatorDeps extends Observed {
  readonly ecs: ECSClient;
  readonly autoscaling: AutoScalingClient;
  readonly now?: () => Date;
  /** Kept by the handler across invocations (revisions are immutable). */
  readonly definitions?: TaskDefinitionCache;
}

export function ignoredSummary(
  trigger: Trigger["kind"],
  why: string,
  dryRun: boolean,
): ConsolidationSummary {
  return {
    trigger,
    ignored: why,
    dryRun,
    clusters: [],
    candidates: 0,
    consolidated: 0,
    apiCalls: noApiCalls(),
  };
}

export async function consolidate(
  deps: ConsolidatorDeps,
  config: ConsolidatorConfig,
  trigger: Exclude<Trigger, { kind: "ignored" }>,
): Promise<ConsolidationSummary> {
  const { log } = deps;
  const calls = new ConsolidatorCalls(deps.ecs, deps.autoscaling, deps.definitions);
  if (trigger.kind !== "schedule") {
    const why = unselectedClusterReason(config.clusters, trigger.clusterArn);
    if (why !== undefined) {
      log.info("event ignored", { eventCluster: trigger.clusterArn, reason: why });
      return ignoredSummary(trigger.kind, why, config.dryRun);
    }
  }
  const causes: Error[] = [];
  let clusters: readonly string[];
  if (trigger.kind !== "schedule") clusters = [trigger.clusterArn];
  else if (config.clusters !== "all") clusters = config.clusters;
  else clusters = await calls.listClusters();

  const outcomes: ClusterOutcome[] = [];
  for (const cluster of clusters) {
    outcomes.push(await consolidateCluster(deps, config, calls, cluster, causes));
  }
  const summary: ConsolidationSummary = {
    trigger: trigger.kind,
    dryRun: config.dryRun,
    clusters: outcomes,
    candidates: outcomes.reduce((sum, o) => sum + o.candidates, 0),
    consolidated: config.dryRun ? 0 : outcomes.reduce((sum, o) => sum + o.terminated.length, 0),
    apiCalls: { ...calls.apiCalls },
  };
  if (causes.length > 0) {
    log.error("host consolidation incomplete", { ...summary });
    throw new ConsolidationFailedError(summary, causes);
  }
  log.info("host consolidation done", { ...summary });
  return summary;
}

async function consolidateCluster(
  deps: ConsolidatorDeps,
  config: ConsolidatorConfig,
  calls: ConsolidatorCalls,
  cluster: string,
  causes: Error[],
): Promise<ClusterOutcome> {
  const { log, metrics } = deps;
  const classification: Classification = {
    expendableServices: config.expendableServices,
    perHostTagKey: config.perHostTagKey,
  };
  const now = deps.now?.() ?? new Date();
  let snapshot: ReturnType<typeof buildSnapshot>;
  try {
    const groupNames = config.autoScalingGroups ?? (await calls.capacityProviderGroups(cluster));
    const [instances, tasks, services, groups] = await Promise.all([
      calls.containerInstances(cluster),
      calls.tasks(cluster),
      calls.services(cluster),
      groupNames.length === 0 ? Promise.resolve([]) : calls.autoScalingGroups(groupNames),
    ]);
    const missing = groupNames.filter(
      (name) => !groups.some((g) => g.AutoScalingGroupName === name),
    );
    if (missing.length > 0)
      throw new Error(`Auto Scaling group(s) not found: ${missing.join(", ")}`);
    const byName = servicesByName(services);
    const definitions = new Map<string, TaskDefinition>();
    for (const arn of definitionsNeeded(tasks, byName, classification)) {
      definitions.set(arn, await calls.taskDefinition(arn));
    }
    snapshot = buildSnapshot(
      { cluster, instances, tasks, services, definitions, groups },
      classification,
    );
  } catch (thrown) {
    const error = asError(thrown);
    causes.push(error);
    log.error("cluster not read completely: no host marked or terminated", {
      cluster,
      error: error.message,
    });
    return {
      cluster,
      hosts: [],
      groups: [],
      hold: [],
      candidates: 0,
      terminated: [],
      error: error.message,
    };
  }

  const plan = planConsolidation(snapshot, config, now);
  const candidates = plan.hosts.filter((h) => h.candidate !== null).length;
  const actions = new Map<string, HostAction>();
  const terminated: string[] = [];
  let error: string | undefined;
  const failed = (what: string, thrown: unknown) => {
    const cause = asError(thrown);
    causes.push(cause);
    error ??= `${what}: ${cause.message}`;
    log.error(`${what} failed`, { cluster, error: cause.message });
  };

  if (config.dryRun) {
    for (const t of plan.terminate) {
      actions.set(t.containerInstanceArn, "would-terminate");
      terminated.push(t.ec2InstanceId);
    }
  } else {
    if (plan.mark.length > 0) {
      const values = new Map(plan.mark.map((m) => [m.containerInstanceArn, m.since.toISOString()]));
      await calls
        .putAttribute(cluster, CANDIDATE_ATTRIBUTE, values)
        .catch((e: unknown) => failed("PutAttributes", e));
    }
    if (plan.unmark.length > 0) {
      await calls
        .deleteAttribute(cluster, CANDIDATE_ATTRIBUTE, plan.unmark)
        .catch((e: unknown) => failed("DeleteAttributes", e));
    }
    if (plan.unroom.length > 0) {
      await calls
        .deleteAttribute(cluster, EXPENDABLE_ROOM_ATTRIBUTE, plan.unroom)
        .catch((e: unknown) => failed("DeleteAttributes", e));
    }
    // The scaler must know the room before a host drains: without it, it would grow
    // the expendable services into the slots the moving tasks need.
    let roomWritten = true;
    if (plan.room.length > 0) {
      const values = new Map(plan.room.map((r) => [r.containerInstanceArn, r.value]));
      await calls.putAttribute(cluster, EXPENDABLE_ROOM_ATTRIBUTE, values).catch((e: unknown) => {
        roomWritten = false;
        failed("PutAttributes", e);
      });
    }
    for (const t of roomWritten ? plan.terminate : []) {
      try {
        await calls.terminate(t.ec2InstanceId);
        actions.set(t.containerInstanceArn, "terminated");
        terminated.push(t.ec2InstanceId);
        log.info("host terminated", { cluster, ...t });
      } catch (thrown) {
        actions.set(t.containerInstanceArn, "terminate-failed");
        failed(`TerminateInstanceInAutoScalingGroup ${t.ec2InstanceId}`, thrown);
      }
    }
  }
  const name = clusterName(cluster);
  metrics.record("ConsolidationCandidates", "Count", candidates, { Cluster: name });
  metrics.record("HostsConsolidated", "Count", config.dryRun ? 0 : terminated.length, {
    Cluster: name,
  });
  const hosts = plan.hosts.map((h) => ({
    ...h,
    action: actions.get(h.containerInstanceArn) ?? "kept",
  }));
  for (const host of hosts) log.debug("host decision", { cluster, ...host });
  return {
    cluster,
    hosts,
    groups: plan.groups,
    hold: snapshot.hold,
    candidates,
    terminated,
    ...(error === undefined ? {} : { error }),
  };
}
