import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { type ApiCalls, sent } from "../lib/api-calls";
import { otherClusterReason } from "../lib/container-instance-event";
import { serviceName } from "../lib/ecs-names";
import { ConfigurationError, MissingDataError } from "../lib/errors";
import type { Observed } from "../lib/observability";
import { type DerivedCapacity, deriveCapacity, type TaskSizeCache } from "./capacity";
import type { ScalerConfig } from "./config";
import {
  type DemandReading,
  type DemandSource,
  readMetricDemand,
  readStoredDemand,
} from "./demand";
import { type ElasticCapacity, elasticCeiling } from "./elastic";
import { planScaling, type Role, type ServiceCounts } from "./plan";
import { newestRecord, parseTrigger, type Trigger } from "./trigger";

export interface ScalerDeps extends Observed {
  readonly ecs: ECSClient;
  readonly dynamodb: DynamoDBClient;
  readonly cloudwatch: CloudWatchClient;
  /** Elastic capacity reads the MaxSize of the cluster's Auto Scaling groups. */
  readonly autoscaling: AutoScalingClient;
  readonly now: () => Date;
  readonly taskSizes: TaskSizeCache;
}

type PerRole<T> = { readonly high: T; readonly low: T };

export interface ScalerSummary {
  readonly cluster: string;
  readonly trigger: Trigger["kind"];
  /** Stream batches only: how the records were used. */
  readonly records?: {
    readonly received: number;
    readonly demand: number;
    /** Demand records older than the stored version, ignored. */
    readonly stale: number;
    readonly removed: number;
    readonly otherKeys: number;
    readonly newestVersion: number | null;
  };
  readonly source: DemandSource["source"];
  readonly demand: number;
  readonly demandVersion?: number;
  readonly capacity: number;
  readonly capacitySource: "CAPACITY" | "cluster";
  readonly derivedCapacity?: DerivedCapacity;
  /** CAPACITY unset: what P1 may grow to once the groups are at MaxSize (./elastic.ts). */
  readonly elastic?: ElasticCapacity;
  readonly services: PerRole<string>;
  /** Desired counts before and after this invocation, and the target they head for. */
  readonly before: PerRole<number>;
  readonly after: PerRole<number>;
  readonly target: PerRole<number>;
  readonly running: PerRole<number>;
  readonly steps: readonly {
    readonly service: string;
    readonly role: Role;
    readonly from: number;
    readonly to: number;
  }[];
  /**
   * A grow waits for stopping tasks to free their slots; the next invocation resumes
   * it (the container instance state change ECS sends when they stop, at the latest
   * the reconcile schedule).
   */
  readonly deferred: boolean;
  readonly apiCalls: ApiCalls;
}

/**
 * A container instance state change the scaler did not act on, and why: it is about
 * another cluster than CLUSTER (nothing read), or there is no demand yet (hosts join
 * before the first demand write; only demand was read). Nothing changed: it has the
 * fields every summary has, with no steps and nothing deferred.
 */
export interface IgnoredSummary {
  readonly cluster: string;
  readonly trigger: "container-instance-state-change";
  readonly eventCluster: string;
  readonly ignored: string;
  readonly steps: readonly [];
  readonly deferred: false;
  readonly apiCalls: ApiCalls;
}

export type ScalerResult = ScalerSummary | IgnoredSummary;

async function describeWorkers(
  ecs: ECSClient,
  config: ScalerConfig,
  calls: ApiCalls,
): Promise<PerRole<Service>> {
  const { services = [], failures = [] } = await sent(calls, "ecs:DescribeServices", () =>
    ecs.send(
      new DescribeServicesCommand({
        cluster: config.cluster,
        services: [config.services.high, config.services.low],
      }),
    ),
  );
  const find = (role: Role): Service => {
    const id = config.services[role];
    const service = services.find((s) => s.serviceName === id || s.serviceArn === id);
    const variable = role === "high" ? "HIGH_PRIORITY_SERVICE" : "LOW_PRIORITY_SERVICE";
    if (service === undefined) {
      const failure = failures.find((f) => serviceName(f.arn ?? "") === serviceName(id));
      const reason = failure?.reason ?? "not returned by DescribeServices";
      throw new ConfigurationError(
        variable,
        `service ${id} in cluster ${config.cluster}: ${reason}`,
      );
    }
    if (service.status !== "ACTIVE") {
      throw new ConfigurationError(
        variable,
        `service ${id} in cluster ${config.cluster} is ${service.status}, not ACTIVE`,
      );
    }
    return service;
  };
  return { high: find("high"), low: find("low") };
}

function counts(service: Service): ServiceCounts {
  return {
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
  };
}

/**
 * One scaling decision: validate the trigger, read demand, read both services,
 * work out capacity, plan (./plan.ts) and apply the UpdateService steps in order.
 * Every read happens before the first write; bad input or bad demand throws before
 * any UpdateService.
 *
 * The schedule and a container instance state change re-plan alike: both re-read
 * demand and the cluster. The state change comes when a host joins or drains
 * (capacity moved) and when a task stops (a deferred grow may fit now), so the scaler
 * does not wait for the reconcile schedule. An event about another cluster is
 * ignored before any call.
 */
export async function scalePriorities(
  event: unknown,
  config: ScalerConfig,
  deps: ScalerDeps,
): Promise<ScalerResult> {
  const trigger = parseTrigger(event);
  const apiCalls: ApiCalls = {};

  const ignore = (eventCluster: string, reason: string): IgnoredSummary => {
    deps.log.info("event ignored", { cluster: config.cluster, eventCluster, reason, apiCalls });
    return {
      cluster: config.cluster,
      trigger: "container-instance-state-change",
      eventCluster,
      ignored: reason,
      steps: [],
      deferred: false,
      apiCalls,
    };
  };

  if (trigger.kind === "container-instance-state-change") {
    const otherCluster = otherClusterReason(trigger.clusterArn, config.cluster);
    if (otherCluster !== undefined) return ignore(trigger.clusterArn, otherCluster);
    deps.log.info("container instance state change: re-planning", {
      cluster: trigger.clusterArn,
      containerInstanceArn: trigger.containerInstanceArn,
      ec2InstanceId: trigger.ec2InstanceId,
      status: trigger.status,
      agentConnected: trigger.agentConnected,
    });
  }

  let reading: DemandReading;
  try {
    reading =
      config.demand.source === "dynamodb"
        ? await readStoredDemand(deps.dynamodb, config.demand.table, apiCalls)
        : await readMetricDemand(deps.cloudwatch, config.demand.metric, deps.now(), apiCalls);
  } catch (thrown) {
    // Hosts join (and their events arrive) before the first demand write: nothing to
    // plan yet, and no failure to retry. The schedule and the stream still fail on
    // missing demand, so a demand that never arrives stays visible.
    if (trigger.kind === "container-instance-state-change" && thrown instanceof MissingDataError) {
      return ignore(trigger.clusterArn, `no demand to plan for yet: ${thrown.message}`);
    }
    throw thrown;
  }

  let records: ScalerSummary["records"];
  if (trigger.kind === "stream") {
    const stored = reading.version;
    const stale =
      stored === undefined ? 0 : trigger.records.filter((r) => r.item.version < stored).length;
    records = {
      received: trigger.received,
      demand: trigger.records.length,
      stale,
      removed: trigger.removed,
      otherKeys: trigger.otherKeys,
      newestVersion: newestRecord(trigger.records)?.item.version ?? null,
    };
    if (stale > 0) {
      deps.log.info("ignoring stream records older than the stored demand item", {
        ...records,
        storedVersion: stored,
      });
    }
    if (trigger.removed > 0) {
      deps.log.info("ignoring REMOVE records: a deleted item carries no demand", {
        removed: trigger.removed,
      });
    }
  }

  const workers = await describeWorkers(deps.ecs, config, apiCalls);
  const current = { high: counts(workers.high), low: counts(workers.low) };
  let derived: DerivedCapacity | undefined;
  let elastic: ElasticCapacity | undefined;
  if (config.capacity === undefined) {
    derived = await deriveCapacity(
      deps.ecs,
      config.cluster,
      [workers.high, workers.low],
      deps.taskSizes,
      apiCalls,
    );
    elastic = await elasticCeiling(deps.ecs, deps.autoscaling, config.cluster, derived, apiCalls);
  }
  const capacity = config.capacity ?? derived?.capacity ?? 0;

  const plan = planScaling({
    demand: reading.demand,
    capacity,
    ...(elastic === undefined ? {} : { ceiling: elastic.ceiling }),
    ...(derived?.lowRoom === undefined ? {} : { lowRoom: derived.lowRoom }),
    ...current,
  });
  const steps = plan.steps.map((step) => ({ service: config.services[step.role], ...step }));
  for (const step of steps) {
    await sent(apiCalls, "ecs:UpdateService", () =>
      deps.ecs.send(
        new UpdateServiceCommand({
          cluster: config.cluster,
          service: step.service,
          desiredCount: step.to,
        }),
      ),
    );
    deps.log.info("desired count updated", { ...step });
  }
  if (plan.deferred.length > 0) {
    deps.log.info("grow deferred: stopping tasks still hold the slots it needs", {
      deferred: plan.deferred.map((role) => config.services[role]),
      target: plan.target,
      after: plan.after,
      running: { high: current.high.running, low: current.low.running },
    });
  }

  deps.metrics.record("Demand", "Count", reading.demand);
  deps.metrics.record("Capacity", "Count", capacity);
  if (elastic !== undefined) deps.metrics.record("CapacityCeiling", "Count", elastic.ceiling);
  deps.metrics.record("HighPriorityDesired", "Count", plan.after.high);
  deps.metrics.record("HighPriorityRunning", "Count", current.high.running);
  deps.metrics.record("LowPriorityDesired", "Count", plan.after.low);
  deps.metrics.record("LowPriorityRunning", "Count", current.low.running);

  const summary: ScalerSummary = {
    cluster: config.cluster,
    trigger: trigger.kind,
    ...(records === undefined ? {} : { records }),
    source: config.demand.source,
    demand: reading.demand,
    ...(reading.version === undefined ? {} : { demandVersion: reading.version }),
    capacity,
    capacitySource: derived === undefined ? "CAPACITY" : "cluster",
    ...(derived === undefined ? {} : { derivedCapacity: derived }),
    ...(elastic === undefined ? {} : { elastic }),
    services: config.services,
    before: { high: current.high.desired, low: current.low.desired },
    after: plan.after,
    target: plan.target,
    running: { high: current.high.running, low: current.low.running },
    steps,
    deferred: plan.deferred.length > 0,
    apiCalls,
  };
  deps.log.info("priority scaling done", { ...summary });
  return summary;
}
