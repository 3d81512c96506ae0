import { type ClusterSelection, clusterSelection } from "../lib/clusters";
import { boolean, type Environment, integer, list, optionalString } from "../lib/config";
import { serviceName } from "../lib/ecs-names";
import { ConfigurationError } from "../lib/errors";
import type { DisruptionBudget } from "./model";

export interface ConsolidatorConfig {
  /** Cluster names or ARNs; `all` (`CLUSTERS=*`) = every cluster of the account and Region. */
  readonly clusters: ClusterSelection;
  /** Auto Scaling group names; undefined = the groups behind each cluster's capacity providers. */
  readonly autoScalingGroups: readonly string[] | undefined;
  /** Service names whose tasks never keep a host alive. */
  readonly expendableServices: ReadonlySet<string>;
  /** Tag key (value `true`) that marks a per-host service. */
  readonly perHostTagKey: string;
  readonly consolidateAfterSeconds: number;
  readonly minHostAgeSeconds: number;
  readonly disruptionBudget: DisruptionBudget;
  /** Plan and log; write no attribute and terminate nothing. */
  readonly dryRun: boolean;
  readonly roomSettleSeconds: number;
}

const DEFAULT_TAG_KEY = "microscale:per-host";
const DEFAULT_CONSOLIDATE_AFTER_SECONDS = 600;
const DEFAULT_MIN_HOST_AGE_SECONDS = 900;
/**
 * The priority scaler's Lambda timeout (template Globals): no invocation that read the
 * hosts before a room was written can still write after this long. A shorter
 * CONSOLIDATE_AFTER_SECONDS shortens it too (the local cloud runs them on its fast clock).
 */
const SCALER_TIMEOUT_SECONDS = 30;

/** `3` (hosts) or `10%` (of the group, rounded up, as Karpenter's budgets). */
export function parseDisruptionBudget(raw: string | undefined): DisruptionBudget {
  if (raw === undefined) return { kind: "count", count: 1 };
  const count = /^\d+$/.exec(raw);
  if (count !== null) return { kind: "count", count: Number(raw) };
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw);
  if (percent?.[1] !== undefined && Number(percent[1]) <= 100) {
    return { kind: "percent", percent: Number(percent[1]) };
  }
  throw new ConfigurationError(
    "DISRUPTION_BUDGET",
    `expected a host count (e.g. 1) or a percent of the group up to 100% (e.g. 10%), got "${raw}"`,
  );
}

/** Reads and checks the environment; throws ConfigurationError naming the variable. */
export function loadConfig(env: Environment): ConsolidatorConfig {
  const groups = list(env, "AUTO_SCALING_GROUPS");
  const config = {
    clusters: clusterSelection(env),
    autoScalingGroups: groups === undefined ? undefined : [...new Set(groups)],
    expendableServices: new Set((list(env, "EXPENDABLE_SERVICES") ?? []).map(serviceName)),
    perHostTagKey: optionalString(env, "PER_HOST_TAG_KEY") ?? DEFAULT_TAG_KEY,
    consolidateAfterSeconds: integer(
      env,
      "CONSOLIDATE_AFTER_SECONDS",
      DEFAULT_CONSOLIDATE_AFTER_SECONDS,
      { min: 0 },
    ),
    minHostAgeSeconds: integer(env, "MIN_HOST_AGE_SECONDS", DEFAULT_MIN_HOST_AGE_SECONDS, {
      min: 0,
    }),
    disruptionBudget: parseDisruptionBudget(optionalString(env, "DISRUPTION_BUDGET")),
    dryRun: boolean(env, "DRY_RUN", false),
  };
  return {
    ...config,
    roomSettleSeconds: Math.min(SCALER_TIMEOUT_SECONDS, config.consolidateAfterSeconds),
  };
}
