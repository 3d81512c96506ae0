import type { ECSClient, Service } from "@aws-sdk/client-ecs";
import { batches } from "../lib/batches";
import { type ControllerSummary, PartialFailureError } from "../lib/controller";
import { DESCRIBE_SERVICES_BATCH } from "../lib/ecs-limits";
import { serviceName } from "../lib/ecs-names";
import type { TaskDefinitionCache } from "../lib/ecs-reads";
import { asError } from "../lib/errors";
import type { Observed } from "../lib/observability";
import type { SyncConfig } from "./config";
import { EcsCalls, noApiCalls } from "./ecs-calls";
import { type Eligibility, eligibleHosts, type UnfitHost } from "./eligible";
import { memberOfFilter } from "./placement";

/**
 * The core: make every per-host service's desiredCount equal the number of ACTIVE
 * container instances it may run on. Level-triggered — whatever event woke it, it
 * re-reads the cluster — so duplicated, late or reordered events cannot leave a wrong
 * count behind: the last invocation always writes the current truth.
 *
 * Cost per invocation (S services, N_f matching instances per distinct filter f, k_s
 * hosts service s does not run on):
 *   discovery only:  ⌈services in cluster / 100⌉ ListServices
 *   ⌈S / 10⌉ DescribeServices (discovery reads the tags in these same calls)
 *   Σ_f max(1, ⌈N_f / 100⌉) ListContainerInstances (cached per filter in one invocation)
 *   Σ_s max(1, ⌈k_s / 100⌉) ListContainerInstances of the hosts s does not run on (./eligible.ts)
 *   Σ_s with k_s > 0: ⌈k_s / 100⌉ DescribeContainerInstances + one DescribeTaskDefinition
 *     (kept across invocations: revisions never change)
 *   one UpdateService per service whose count is wrong.
 *
 * Disconnected agents: an instance whose agent is disconnected (`agentConnected:
 * false`) still counts while ECS keeps it ACTIVE. The agent reconnects several times
 * an hour as normal operation, its tasks keep running meanwhile, and scaling a replica
 * service in stops a task ECS chooses — usually on a healthy host, not the disconnected
 * one — only to start it again on reconnect. A host that is really gone is deregistered
 * or drained by its lifecycle hook, and then stops counting.
 */

export type Reason =
  | "in-sync" // desiredCount already right: nothing written
  | "scale-out" // desiredCount raised
  | "scale-in" // desiredCount lowered
  | "dry-run" // a change was needed and only planned (DRY_RUN=true)
  | "missing" // no such service in the cluster
  | "not-active" // the service is DRAINING or INACTIVE
  | "error"; // an API call failed for this service (the invocation throws at the end)

export interface ServiceOutcome {
  readonly service: string;
  /** desiredCount read from DescribeServices; null when the service was not read. */
  readonly before: number | null;
  /** desiredCount decided (written, or planned in a dry run); null when skipped. */
  readonly after: number | null;
  /**
   * ACTIVE container instances matching the service's memberOf constraints that its
   * task runs on or fits on (./eligible.ts).
   */
  readonly eligibleInstances: number | null;
  /** Whether an UpdateService was sent and succeeded. */
  readonly changed: boolean;
  readonly skipped?: true;
  readonly reason: Reason;
  /** `after` was limited by MAX_DESIRED_COUNT. */
  readonly capped?: true;
  readonly filter?: string;
  /** ACTIVE hosts its task neither runs on nor fits on: not counted (the runaway trap, docs/deploying.md). */
  readonly unfit?: readonly UnfitHost[];
  readonly error?: string;
}

export type TriggerKind = "container-instance-state-change" | "schedule" | "ignored";

export interface SyncSummary extends ControllerSummary<TriggerKind> {
  readonly cluster: string;
  /** The cluster an ignored event was about, when it is not `cluster` (the configured one). */
  readonly eventCluster?: string;
  readonly services: readonly ServiceOutcome[];
  /** Number of services whose desiredCount was written. */
  readonly changed: number;
}

/** Some services could not be synced; the others were. Thrown so Lambda retries. */
export class SyncFailedError extends PartialFailureError<SyncSummary> {
  override readonly name = "SyncFailedError";
  constructor(summary: SyncSummary, causes: readonly Error[]) {
    const failed = summary.services.filter((s) => s.reason === "error").map((s) => s.service);
    super(`per-host sync failed for ${failed.join(", ")}`, summary, causes);
  }
}

export interface SyncDeps extends Observed {
  readonly ecs: ECSClient;
  /** Kept by the handler across invocations (revisions are immutable). */
  readonly definitions?: TaskDefinitionCache;
}

export function ignoredSummary(
  cluster: string,
  trigger: TriggerKind,
  why: string,
  dryRun: boolean,
  eventCluster?: string,
): SyncSummary {
  return {
    cluster,
    trigger,
    ignored: why,
    ...(eventCluster === undefined ? {} : { eventCluster }),
    services: [],
    changed: 0,
    dryRun,
    apiCalls: noApiCalls(),
  };
}

interface Target {
  readonly name: string;
  readonly service: Service | undefined; // undefined = missing
}

/** PER_HOST_SERVICES: describe them, 10 per call, keeping the configured order. */
async function describeConfigured(
  calls: EcsCalls,
  cluster: string,
  identifiers: readonly string[],
): Promise<Target[]> {
  const byName = new Map<string, Service>();
  for (const batch of batches(identifiers, DESCRIBE_SERVICES_BATCH)) {
    const out = await calls.describeServices({ cluster, services: batch });
    for (const service of out.services ?? []) {
      if (service.serviceName !== undefined) byName.set(service.serviceName, service);
    }
    // `failures` (reason MISSING) need no handling: a name not found is missing.
  }
  return identifiers.map((id) => {
    const name = serviceName(id);
    return { name, service: byName.get(name) };
  });
}

/**
 * Tag discovery: ListServices, then DescribeServices with TAGS 10 at a time — the
 * same calls that read desiredCount and placement, so discovery costs only ListServices.
 */
async function discoverTagged(calls: EcsCalls, cluster: string, tagKey: string): Promise<Target[]> {
  const arns = await calls.listServiceArns(cluster);
  const targets: Target[] = [];
  for (const batch of batches(arns, DESCRIBE_SERVICES_BATCH)) {
    const out = await calls.describeServices({ cluster, services: batch, include: ["TAGS"] });
    for (const service of out.services ?? []) {
      const tagged = (service.tags ?? []).some(
        (tag) => tag.key === tagKey && tag.value?.trim().toLowerCase() === "true",
      );
      if (tagged) {
        targets.push({
          name: service.serviceName ?? serviceName(service.serviceArn ?? "?"),
          service,
        });
      }
    }
  }
  return targets;
}

export async function syncCluster(
  deps: SyncDeps,
  config: SyncConfig,
  cluster: string,
  trigger: Exclude<TriggerKind, "ignored">,
): Promise<SyncSummary> {
  const { log, metrics } = deps;
  const calls = new EcsCalls(deps.ecs, deps.definitions);
  const targets =
    config.services === undefined
      ? await discoverTagged(calls, cluster, config.tagKey)
      : await describeConfigured(calls, cluster, config.services);
  if (targets.length === 0) {
    log.warn("no per-host services", {
      cluster,
      ...(config.services === undefined ? { tagKey: config.tagKey } : {}),
    });
  }

  // One listing per distinct filter per invocation; a failure is cached too, so a
  // broken filter is not retried for every service that shares it.
  const listings = new Map<string, Promise<ReadonlySet<string>>>();
  const activeMatching = (filter: string | undefined): Promise<ReadonlySet<string>> => {
    const key = filter ?? "";
    let pending = listings.get(key);
    if (pending === undefined) {
      pending = calls.activeInstances(cluster, filter);
      pending.catch(() => {}); // handled by whoever awaits it
      listings.set(key, pending);
    }
    return pending;
  };

  const outcomes: ServiceOutcome[] = [];
  const causes: Error[] = [];
  for (const { name, service } of targets) {
    if (service === undefined) {
      log.warn("per-host service skipped: not found", {
        cluster,
        service: name,
        reason: "missing",
      });
      outcomes.push(skipped(name, null, "missing"));
      continue;
    }
    const before = service.desiredCount ?? 0;
    if (service.status !== "ACTIVE") {
      log.warn("per-host service skipped: not ACTIVE", {
        cluster,
        service: name,
        status: service.status,
        reason: "not-active",
      });
      outcomes.push(skipped(name, before, "not-active"));
      continue;
    }

    const filter = memberOfFilter(service.placementConstraints);
    const withFilter = filter === undefined ? {} : { filter };
    let eligibility: Eligibility;
    try {
      eligibility = await eligibleHosts(calls, cluster, service, activeMatching);
    } catch (thrown) {
      const error = asError(thrown);
      causes.push(error);
      log.error("counting container instances failed; service left unchanged", {
        cluster,
        service: name,
        ...withFilter,
        error: error.message,
      });
      outcomes.push({ ...skipped(name, before, "error"), ...withFilter, error: error.message });
      continue;
    }
    const { eligible, unfit } = eligibility;
    metrics.record("ActiveInstances", "Count", eligible, { Service: name });
    metrics.record("UnfitHosts", "Count", unfit.length, { Service: name });
    const unfitHosts = unfit.length === 0 ? {} : { unfit };
    if (unfit.length > 0) {
      log.warn("per-host task fits on some ACTIVE hosts nowhere: not counted", {
        cluster,
        service: name,
        unfit,
      });
    }

    const after = Math.min(eligible, config.maxDesiredCount);
    const capped = after < eligible ? ({ capped: true } as const) : {};
    const base = {
      service: name,
      before,
      after,
      eligibleInstances: eligible,
      ...capped,
      ...withFilter,
      ...unfitHosts,
    };
    if (after < eligible) {
      log.warn("desired count capped by MAX_DESIRED_COUNT", {
        cluster,
        service: name,
        eligibleInstances: eligible,
        maxDesiredCount: config.maxDesiredCount,
      });
    }

    if (before === after) {
      log.info("per-host service in sync", {
        cluster,
        service: name,
        before,
        after,
        reason: "in-sync",
      });
      outcomes.push({ ...base, changed: false, reason: "in-sync" });
      metrics.record("DesiredCountChanges", "Count", 0, { Service: name });
      continue;
    }
    const direction: Reason = after > before ? "scale-out" : "scale-in";
    if (config.dryRun) {
      log.info("dry run: desired count not written", {
        cluster,
        service: name,
        before,
        after,
        reason: "dry-run",
        wouldBe: direction,
      });
      outcomes.push({ ...base, changed: false, reason: "dry-run" });
      metrics.record("DesiredCountChanges", "Count", 0, { Service: name });
      continue;
    }
    try {
      await calls.updateDesiredCount(cluster, service.serviceArn ?? name, after);
    } catch (thrown) {
      const error = asError(thrown);
      causes.push(error);
      log.error("UpdateService failed", {
        cluster,
        service: name,
        before,
        after,
        error: error.message,
      });
      outcomes.push({ ...base, changed: false, reason: "error", error: error.message });
      continue;
    }
    log.info("desired count updated", { cluster, service: name, before, after, reason: direction });
    outcomes.push({ ...base, changed: true, reason: direction });
    metrics.record("DesiredCountChanges", "Count", 1, { Service: name });
  }

  // Also without a Service dimension: one alarm (UnfitHostsAlarm) for every per-host service.
  metrics.record(
    "UnfitHosts",
    "Count",
    outcomes.reduce((sum, o) => sum + (o.unfit?.length ?? 0), 0),
  );
  const summary: SyncSummary = {
    cluster,
    trigger,
    services: outcomes,
    changed: outcomes.filter((o) => o.changed).length,
    dryRun: config.dryRun,
    apiCalls: { ...calls.apiCalls },
  };
  if (causes.length > 0) {
    log.error("per-host sync incomplete", { ...summary });
    throw new SyncFailedError(summary, causes);
  }
  log.info("per-host sync done", { ...summary });
  return summary;
}

function skipped(service: string, before: number | null, reason: Reason): ServiceOutcome {
  return {
    service,
    before,
    after: null,
    eligibleInstances: null,
    changed: false,
    skipped: true,
    reason,
  };
}
