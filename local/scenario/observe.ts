import { freeSlots, taskSize, workerSlot } from "../../functions/priority-scaler/capacity";
import type { LocalSystem } from "./system";

/**
 * What the scenario watches, read from the ECS control plane in-process (the same
 * shapes the API returns, but no request, so injected faults never blind the
 * observer), the DemandTable stream, and the controllers' own invocation results.
 */

export interface ServiceCounts {
  desired: number;
  running: number;
  pending: number;
  /** Deployments listed (1 when steady). */
  deployments: number;
  taskDefinition: string;
}

export interface Snapshot {
  /** Seconds since the observer started. */
  t: number;
  hosts: { active: number; draining: number };
  /** The hosts' Auto Scaling group and managed scaling's last CapacityProviderReservation. */
  capacity: { desired: number; reservation: number | undefined };
  perHost: ServiceCounts;
  web: ServiceCounts;
  backend: ServiceCounts;
  high: ServiceCounts;
  low: ServiceCounts;
  /** The stored demand value (undefined until the first write). */
  demand: number | undefined;
  /** Worker slots the ACTIVE hosts hold now, by the priority scaler's own rule. */
  clusterCapacity: number;
  /** The capacity the priority scaler derived on its latest completed invocation. */
  scalerCapacity: number | undefined;
}

interface ScalerResult {
  capacity?: number;
}

/** One completed priority scaler invocation: when it ran (epoch ms) and the capacity it planned for. */
export interface ScalerDecision {
  startedAt: number;
  endedAt: number;
  capacity: number;
}

/** One host the host consolidator terminated: the report marks each on its time axis. */
export interface ConsolidationStep {
  /** Seconds since the observer started, when the consolidator's invocation ended. */
  t: number;
  ec2InstanceId: string;
  /** Why it was chosen: `empty` or `underutilized`. */
  reason: string;
  /** Tasks it still ran, which managed draining moves. */
  tasks: number;
}

/** The template's logical ID of the host consolidator. */
export const hostConsolidatorId = "HostConsolidatorFunction";

/** What the scenario reads of the consolidator's summary (functions/host-consolidator). */
export interface ConsolidatorResult {
  clusters?: {
    cluster?: string;
    hosts?: { ec2InstanceId?: string; action?: string; reason?: string; tasks?: number }[];
  }[];
}

/**
 * The hosts one consolidator invocation terminated in the cluster (a dry run's are not).
 * Its summary names the cluster as the trigger did: the name on a schedule, the ARN on
 * an ECS event — `cluster` lists both.
 */
export function consolidationSteps(
  result: ConsolidatorResult | undefined,
  cluster: readonly string[],
  t: number,
): ConsolidationStep[] {
  return (result?.clusters ?? [])
    .filter((outcome) => cluster.includes(outcome.cluster ?? ""))
    .flatMap((outcome) => outcome.hosts ?? [])
    .filter((host) => host.action === "terminated")
    .map((host) => ({
      t,
      ec2InstanceId: host.ec2InstanceId ?? "",
      reason: host.reason ?? "",
      tasks: host.tasks ?? 0,
    }));
}

export class Observer {
  private readonly started = Date.now();
  private demand: number | undefined;
  private seenInvocations = 0;
  /** Every host the consolidator terminated in this cluster, in order. */
  readonly consolidations: ConsolidationStep[] = [];
  /** Every decision of the priority scaler so far, in the order they completed. */
  readonly scalerDecisions: ScalerDecision[] = [];
  /** Why the consolidator's latest round kept or chose each host of this cluster. */
  latestRound: { t: number; reasons: string[] } | undefined;
  private readonly taskSizes = new Map<string, ReturnType<typeof taskSize>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly system: LocalSystem) {
    this.unsubscribe = system.cloud.dynamodb.subscribeStream(
      system.names.demandTable,
      (records) => {
        for (const record of records) {
          const value = record.dynamodb?.NewImage?.value?.N;
          if (value !== undefined) this.demand = Number(value);
        }
      },
    );
  }

  stop(): void {
    this.unsubscribe();
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private service(name: string): ServiceCounts {
    const shape = this.system.cloud.ecs.describeService(this.system.names.cluster, name);
    return {
      desired: shape?.desiredCount ?? 0,
      running: shape?.runningCount ?? 0,
      pending: shape?.pendingCount ?? 0,
      deployments: shape?.deployments?.length ?? 0,
      taskDefinition: shape?.taskDefinition ?? "",
    };
  }

  private async sizeOf(arn: string): Promise<ReturnType<typeof taskSize> | undefined> {
    if (arn === "") return undefined;
    let size = this.taskSizes.get(arn);
    if (size === undefined) {
      // In-process, like describeService: the API's shape without a request.
      const described = this.system.cloud.ecs.describeTaskDefinition(arn);
      if (described === undefined) return undefined;
      size = taskSize(described);
      this.taskSizes.set(arn, size);
    }
    return size;
  }

  /** The scaler's decisions and the consolidator's terminations, from the invocation records so far. */
  followControllers(): void {
    const records = this.system.wired.lambda.invocations;
    for (; this.seenInvocations < records.length; this.seenInvocations++) {
      const record = records[this.seenInvocations];
      if (record?.outcome !== "success") continue;
      if (record.logicalId === "PriorityScalerFunction") {
        const capacity = (record.result as ScalerResult | undefined)?.capacity;
        if (typeof capacity === "number") {
          const endedAt = record.startedAt + record.durationMs;
          this.scalerDecisions.push({ startedAt: record.startedAt, endedAt, capacity });
        }
      } else if (record.logicalId === hostConsolidatorId) {
        this.followConsolidator(record.result as ConsolidatorResult | undefined, record);
      }
    }
  }

  private followConsolidator(
    result: ConsolidatorResult | undefined,
    record: { startedAt: number; durationMs: number },
  ): void {
    const t = Math.round((record.startedAt + record.durationMs - this.started) / 100) / 10;
    const names = [this.system.names.cluster, this.system.names.clusterArn];
    this.consolidations.push(...consolidationSteps(result, names, t));
    const outcome = result?.clusters?.find((c) => names.includes(c.cluster ?? ""));
    if (outcome !== undefined) {
      this.latestRound = { t, reasons: (outcome.hosts ?? []).map((host) => host.reason ?? "") };
    }
  }

  async snapshot(): Promise<Snapshot> {
    const { cluster, services } = this.system.names;
    const instances = this.system.cloud.ecs.containerInstancesOf(cluster);
    const high = this.service(services.highPriority);
    const low = this.service(services.lowPriority);
    this.followControllers();
    const sizes = [
      await this.sizeOf(high.taskDefinition),
      await this.sizeOf(low.taskDefinition),
    ].filter((size) => size !== undefined);
    const slot = sizes.length > 0 ? workerSlot(sizes) : undefined;
    const free =
      slot === undefined
        ? 0
        : instances.reduce((sum, instance) => sum + freeSlots(instance, slot), 0);
    return {
      t: Math.round(this.elapsedSeconds * 10) / 10,
      hosts: {
        active: instances.filter((instance) => instance.status === "ACTIVE").length,
        draining: instances.filter((instance) => instance.status === "DRAINING").length,
      },
      capacity: {
        desired:
          this.system.cloud.autoscaling.group(this.system.names.hostGroup)?.desiredCapacity ?? 0,
        reservation: this.system.cloud.managedScaling
          .latest()
          .find((figures) => figures.cluster === cluster)?.reservation,
      },
      perHost: this.service(services.perHost),
      web: this.service(services.web),
      backend: this.service(services.backend),
      high,
      low,
      demand: this.demand,
      clusterCapacity: free + high.running + high.pending + low.running + low.pending,
      scalerCapacity: this.scalerDecisions.at(-1)?.capacity,
    };
  }
}

/** One task per ACTIVE host, all running, nothing pending. */
export function perHostConverged(snapshot: Snapshot): boolean {
  const { perHost, hosts } = snapshot;
  return (
    perHost.desired === hosts.active && perHost.running === perHost.desired && perHost.pending === 0
  );
}

/**
 * P1 = min(demand, C), P2 = C − P1, both running what they want, and the scaler's
 * latest decision made for this C. The counts alone pass samples that are not settled:
 * C reads 0 before the hosts or the worker task definitions are known (every count 0
 * is "P1 = min(demand, 0)"), and it reads low while shrunk tasks are stopping (they
 * hold their slots but are no longer counted), until the scaler sees them gone.
 */
export function prioritiesConverged(snapshot: Snapshot): boolean {
  const { demand, clusterCapacity: capacity, scalerCapacity, high, low } = snapshot;
  if (demand === undefined || scalerCapacity !== capacity) return false;
  if (demand > 0 && capacity === 0) return false;
  const p1 = Math.min(demand, capacity);
  return (
    high.desired === p1 &&
    low.desired === capacity - p1 &&
    high.running === high.desired &&
    low.running === low.desired &&
    high.pending + low.pending === 0
  );
}

/**
 * The scaler's safety rule: P2 only ever has the slots P1 leaves free, so P2 desired is
 * never above capacity − P1 desired (0 when P1 asks for more than there is: with elastic
 * capacity P1 may, and its tasks wait for the hosts managed scaling adds). With a fixed
 * budget P1 ≤ capacity, and this is P1 + P2 ≤ capacity. "Capacity" is the larger of
 * what the cluster holds now and what the scaler last derived: a host that leaves lowers
 * the first at once, before the scaler has been told.
 */
export function withinCapacity(snapshot: Snapshot): boolean {
  const capacity = Math.max(snapshot.clusterCapacity, snapshot.scalerCapacity ?? 0);
  return snapshot.low.desired <= Math.max(0, capacity - snapshot.high.desired);
}

/**
 * withinCapacity, or within the capacity of a scaler decision in flight when the sample's
 * counts were read (`at`, epoch ms): a sample can read the desired counts an invocation
 * has just written while that invocation has not yet returned the capacity it planned
 * them for (longer the busier the machine). Counts above the capacity of every decision
 * that could have written them are over, however brief.
 */
export function withinDecidedCapacity(
  snapshot: Snapshot,
  at: number,
  decisions: readonly ScalerDecision[],
): boolean {
  // withinCapacity only grows with the capacity it is given: the largest decision decides.
  const inFlight = decisions
    .filter((decision) => decision.startedAt <= at && at <= decision.endedAt)
    .map((decision) => decision.capacity);
  return withinCapacity({
    ...snapshot,
    scalerCapacity: Math.max(snapshot.scalerCapacity ?? 0, ...inFlight),
  });
}

/** The services whose tasks must never drop below their desired count while hosts go. */
export const nonExpendable = ["web", "backend", "high"] as const;

/** Each non-expendable service running fewer tasks than it wants in this sample. */
export function belowDesired(snapshot: Snapshot): string[] {
  return nonExpendable
    .filter((key) => snapshot[key].running < snapshot[key].desired)
    .map((key) => `${key} ${snapshot[key].running}/${snapshot[key].desired}`);
}

export function describeCounts(snapshot: Snapshot): string {
  const { high, low, demand, clusterCapacity } = snapshot;
  return `demand ${demand ?? "–"}, capacity ${clusterCapacity}: P1 desired ${high.desired} running ${high.running}, P2 desired ${low.desired} running ${low.running}`;
}

export function describePerHost(snapshot: Snapshot): string {
  const { perHost, hosts } = snapshot;
  return `hosts ${hosts.active}${hosts.draining > 0 ? ` (+${hosts.draining} draining)` : ""}, per-host desired ${perHost.desired} running ${perHost.running}`;
}
