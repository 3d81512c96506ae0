import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../functions/host-consolidator/config";
import {
  type ConsolidationSummary,
  consolidate,
} from "../../../functions/host-consolidator/consolidate";
import type { Trigger } from "../../../functions/host-consolidator/event";
import { recordingLog, recordingMetrics } from "../desired-count-sync/harness";
import { FakeCluster } from "./fake-cluster";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export type EventName = "scheduled-tick" | "task-state-change" | "container-instance-state-change";

/** A sample event from events/host-consolidator/, as a fresh mutable object. */
export function sampleEvent(name: EventName): Record<string, unknown> & {
  detail: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(join(root, "events/host-consolidator", `${name}.json`), "utf8"));
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
  log: ReturnType<typeof recordingLog>;
  metrics: ReturnType<typeof recordingMetrics>;
  /** The decision for one host, by its EC2 instance ID. */
  host(ec2InstanceId: string): ConsolidationSummary["clusters"][number]["hosts"][number];
}

export async function run(
  c: FakeCluster,
  env: Record<string, string> = {},
  options: { now?: Date; trigger?: Exclude<Trigger, { kind: "ignored" }> } = {},
): Promise<Run> {
  const config = loadConfig({
    CLUSTERS: c.cluster,
    EXPENDABLE_SERVICES: "low-priority",
    ...env,
  });
  const log = recordingLog();
  const metrics = recordingMetrics();
  const summary = await consolidate(
    {
      ecs: c.ecs,
      autoscaling: c.autoscaling,
      log,
      metrics,
      now: () => options.now ?? c.now,
    },
    config,
    options.trigger ?? { kind: "schedule" },
  );
  return {
    summary,
    log,
    metrics,
    host(id) {
      const found = summary.clusters.flatMap((o) => o.hosts).find((h) => h.ec2InstanceId === id);
      if (found === undefined) throw new Error(`no decision for ${id}`);
      return found;
    },
  };
}
