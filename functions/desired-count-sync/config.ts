import { type ClusterSelection, clusterSelection } from "../lib/clusters";
import { boolean, type Environment, integer, list, optionalString } from "../lib/config";

export interface SyncConfig {
  /**
   * The clusters served (`CLUSTERS`, or `CLUSTER` as a one-cluster list; `all` for
   * `*`): the schedule reconciles each, events from any other cluster are ignored.
   */
  readonly clusters: ClusterSelection;
  /** Service names or ARNs from `PER_HOST_SERVICES`; `undefined` = discover by tag. */
  readonly services: readonly string[] | undefined;
  /** Tag key that marks a per-host service (value `true`) when discovering. */
  readonly tagKey: string;
  /** Safety cap on any desiredCount this function writes. */
  readonly maxDesiredCount: number;
  /** Plan and log, never call UpdateService. */
  readonly dryRun: boolean;
}

const DEFAULT_TAG_KEY = "microscale:per-host";
const DEFAULT_MAX_DESIRED_COUNT = 1000;

/** Reads and checks the environment; throws ConfigurationError naming the variable. */
export function loadConfig(env: Environment): SyncConfig {
  const services = list(env, "PER_HOST_SERVICES");
  return {
    clusters: clusterSelection(env),
    services: services === undefined ? undefined : [...new Set(services)],
    tagKey: optionalString(env, "PER_HOST_TAG_KEY") ?? DEFAULT_TAG_KEY,
    maxDesiredCount: integer(env, "MAX_DESIRED_COUNT", DEFAULT_MAX_DESIRED_COUNT, { min: 1 }),
    dryRun: boolean(env, "DRY_RUN", false),
  };
}
