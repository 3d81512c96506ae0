import type { LocalClock } from "../clock";
import type { BusEvent, LocalEventBus } from "../eventbridge/bus";
import { compilePattern } from "../eventbridge/pattern";
import type { HealthCheckSettings, LocalLoadBalancer } from "./balancer";

/**
 * Keeps a load balancer's targets equal to a service's RUNNING tasks, the way ECS
 * registers tasks with a target group: it follows `ECS Task State Change` events
 * for the service's group (`service:<name>`), registering the container's host
 * port when a task reaches RUNNING and deregistering it as soon as the task is
 * asked to stop (desiredStatus STOPPED) — before SIGTERM, so no request is sent
 * to a stopping task.
 */

export interface ServiceTarget {
  clusterArn?: string;
  serviceName: string;
  containerName: string;
  containerPort: number;
}

interface NetworkBinding {
  containerPort?: number;
  hostPort?: number;
  bindIP?: string;
}

interface TaskDetail {
  taskArn: string;
  clusterArn: string;
  lastStatus: string;
  desiredStatus: string;
  containers?: { name: string; networkBindings?: NetworkBinding[] }[];
}

/** The host and port a task serves the target's container port on, if it has one yet. */
export function targetAddress(
  detail: TaskDetail,
  target: ServiceTarget,
): { host: string; port: number } | undefined {
  const container = detail.containers?.find((c) => c.name === target.containerName);
  const binding = container?.networkBindings?.find((b) => b.containerPort === target.containerPort);
  if (binding?.hostPort === undefined || binding.hostPort === 0) return undefined;
  const host = binding.bindIP && binding.bindIP !== "0.0.0.0" ? binding.bindIP : "127.0.0.1";
  return { host, port: binding.hostPort };
}

/** Applies one task's state to the balancer; exported for the initial sync and tests. */
export function applyTaskState(
  balancer: LocalLoadBalancer,
  detail: TaskDetail,
  target: ServiceTarget,
): void {
  const address = targetAddress(detail, target);
  if (detail.lastStatus === "RUNNING" && detail.desiredStatus === "RUNNING" && address) {
    balancer.register(detail.taskArn, address.host, address.port);
  } else if (detail.desiredStatus !== "RUNNING" || detail.lastStatus === "STOPPED") {
    void balancer.deregister(detail.taskArn);
  }
}

/** Subscribes the balancer to the service's task events; returns the unsubscribe. */
export function followServiceTasks(
  bus: LocalEventBus,
  balancer: LocalLoadBalancer,
  target: ServiceTarget,
): () => void {
  const matches = compilePattern({
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      group: [`service:${target.serviceName}`],
      ...(target.clusterArn ? { clusterArn: [target.clusterArn] } : {}),
    },
  });
  return bus.subscribe((event: BusEvent) => {
    if (matches(event)) applyTaskState(balancer, event.detail as TaskDetail, target);
  });
}

/** A target group's health check from its template properties, its seconds on the clock. */
export function healthCheckFromTargetGroup(
  properties: Readonly<Record<string, unknown>>,
  clock: LocalClock,
): Partial<HealthCheckSettings> {
  const seconds = (name: string) =>
    typeof properties[name] === "number" ? clock.realMs(properties[name] as number) : undefined;
  const count = (name: string) =>
    typeof properties[name] === "number" ? (properties[name] as number) : undefined;
  const matcher = (properties.Matcher as { HttpCode?: string } | undefined)?.HttpCode;
  const settings: Partial<HealthCheckSettings> = {
    path: typeof properties.HealthCheckPath === "string" ? properties.HealthCheckPath : undefined,
    intervalMs: seconds("HealthCheckIntervalSeconds"),
    // A timeout never shrinks below a real request's worth, whatever the scale.
    timeoutMs:
      typeof properties.HealthCheckTimeoutSeconds === "number"
        ? Math.max(1000, clock.realMs(properties.HealthCheckTimeoutSeconds as number))
        : undefined,
    healthyThreshold: count("HealthyThresholdCount"),
    unhealthyThreshold: count("UnhealthyThresholdCount"),
    matcher,
  };
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  ) as Partial<HealthCheckSettings>;
}

/**
 * The target group's `deregistration_delay.timeout_seconds` attribute, in (simulated)
 * seconds; undefined when it sets none (the balancer keeps ELB's default).
 */
export function deregistrationDelaySeconds(
  properties: Readonly<Record<string, unknown>>,
): number | undefined {
  const attributes = Array.isArray(properties.TargetGroupAttributes)
    ? (properties.TargetGroupAttributes as { Key?: unknown; Value?: unknown }[])
    : [];
  const value = attributes.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value;
  const seconds = Number(value);
  return value === undefined || Number.isNaN(seconds) ? undefined : seconds;
}
