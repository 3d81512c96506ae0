import {
  type Environment,
  integer,
  list,
  oneOf,
  optionalInteger,
  optionalString,
  requiredString,
} from "../lib/config";
import { ConfigurationError } from "../lib/errors";
import type { DemandSource, MetricQuery } from "./demand";
import type { Role } from "./plan";

export interface ScalerConfig {
  readonly cluster: string;
  readonly services: Readonly<Record<Role, string>>;
  /** CAPACITY; undefined → derived from the cluster (./capacity.ts). */
  readonly capacity: number | undefined;
  readonly demand: DemandSource;
}

function dimensions(env: Environment): MetricQuery["dimensions"] {
  return (list(env, "DEMAND_METRIC_DIMENSIONS") ?? []).map((pair) => {
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (at < 0 || name === "" || value === "") {
      throw new ConfigurationError(
        "DEMAND_METRIC_DIMENSIONS",
        `expected Name=Value, got "${pair}"`,
      );
    }
    return { Name: name, Value: value };
  });
}

function metricQuery(env: Environment): MetricQuery {
  const period = integer(env, "DEMAND_METRIC_PERIOD", 60, { min: 1 });
  if (![1, 5, 10, 30].includes(period) && period % 60 !== 0) {
    throw new ConfigurationError(
      "DEMAND_METRIC_PERIOD",
      `must be 1, 5, 10, 30 or a multiple of 60, got ${period}`,
    );
  }
  return {
    namespace: requiredString(env, "DEMAND_METRIC_NAMESPACE"),
    name: requiredString(env, "DEMAND_METRIC_NAME"),
    dimensions: dimensions(env),
    stat: optionalString(env, "DEMAND_METRIC_STAT") ?? "Average",
    period,
  };
}

/** Reads and checks the environment; throws ConfigurationError naming the variable. */
export function loadConfig(env: Environment): ScalerConfig {
  const high = requiredString(env, "HIGH_PRIORITY_SERVICE");
  const low = requiredString(env, "LOW_PRIORITY_SERVICE");
  if (high === low) {
    throw new ConfigurationError("LOW_PRIORITY_SERVICE", "must differ from HIGH_PRIORITY_SERVICE");
  }
  const source = oneOf(env, "DEMAND_SOURCE", ["dynamodb", "cloudwatch"], "dynamodb");
  return {
    cluster: requiredString(env, "CLUSTER"),
    services: { high, low },
    capacity: optionalInteger(env, "CAPACITY", { min: 0 }),
    demand:
      source === "dynamodb"
        ? { source, table: requiredString(env, "DEMAND_TABLE") }
        : { source, metric: metricQuery(env) },
  };
}
