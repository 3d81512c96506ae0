import type { ConsolidationSummary } from "../../../functions/host-consolidator/consolidate";
import { definition } from "../../../functions/host-consolidator/index";
import { lambdaHandler } from "../../../functions/lib/handler";
import { type EventBridgeSample, lambdaContext, sampleEvent as sample } from "../../support/events";
import {
  type RecordingLog,
  type RecordingMetrics,
  recordingObservability,
} from "../../support/recording";
import { FakeCluster, type FakeHost } from "./fake-cluster";

export type EventName = "scheduled-tick" | "task-state-change" | "container-instance-state-change";

/** A sample event from events/host-consolidator/, as a fresh mutable object. */
export function sampleEvent(name: EventName): EventBridgeSample {
  return sample<EventBridgeSample>("host-consolidator", name);
}

export const NOW = new Date("2026-12-01T10:00:00.000Z");

/** A cluster with one Auto Scaling group `hosts` (MinSize 1) and the usual services. */
export function cluster(): FakeCluster {
  const c = new FakeCluster(NOW);
  c.addGroup({ name: "hosts", minSize: 1, maxSize: 10 });
  c.addService({ name: "agent", perHost: true, cpu: 128, memory: 128 });
  c.addService({ name: "web", cpu: 512, memory: 1024 });
  c.addService({ name: "low-priority", cpu: 512, memory: 1024 });
  return c;
}

export interface Run {
  summary: ConsolidationSummary;
  log: RecordingLog;
  metrics: RecordingMetrics;
  /** The decision for one host, by its EC2 instance ID. */
  host(ec2InstanceId: string): ConsolidationSummary["clusters"][number]["hosts"][number];
}

/** One invocation of the function's own definition behind the shared wrapper. */
export async function run(
  c: FakeCluster,
  env: Record<string, string> = {},
  options: { now?: Date; event?: unknown } = {},
): Promise<Run> {
  const observability = recordingObservability();
  const invoke = lambdaHandler(definition, {
    deps: { ecs: c.ecs, autoscaling: c.autoscaling, now: () => options.now ?? c.now },
    env: () => ({ CLUSTERS: c.cluster, EXPENDABLE_SERVICES: "low-priority", ...env }),
    observability: () => observability,
  });
  const summary = await invoke(options.event ?? sampleEvent("scheduled-tick"), lambdaContext());
  return {
    summary,
    log: observability.log,
    metrics: observability.metrics,
    host(id) {
      const found = summary.clusters.flatMap((o) => o.hosts).find((h) => h.ec2InstanceId === id);
      if (found === undefined) throw new Error(`no decision for ${id}`);
      return found;
    },
  };
}

/** Seconds a host has been a candidate in these tests: past CONSOLIDATE_AFTER_SECONDS (600). */
export const EXPIRED = 700;

/** Marks each host a candidate for EXPIRED seconds: it may go now if it still qualifies. */
export function markExpired(c: FakeCluster, ...hosts: FakeHost[]): void {
  for (const host of hosts) c.markSince(host, EXPIRED);
}

/**
 * The common case: a host that has been a candidate past CONSOLIDATE_AFTER_SECONDS,
 * added before an empty host of the same size its tasks may move to.
 */
export function expiredCandidate(c: FakeCluster): FakeHost {
  const host = c.addHost();
  c.addHost();
  markExpired(c, host);
  return host;
}
