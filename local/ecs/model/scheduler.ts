import type { EcsEvents } from "../events";
import type { Clusters } from "./clusters";
import type { Deployments } from "./deployments";
import type { LoadBalancerHealth } from "./load-balancer-health";
import { type PlacedCandidate, placementCandidates, type TaskPlacer } from "./placement-pass";
import type { ServiceRecord, TaskRecord } from "./records";
import { recordServiceEvent } from "./service-events";
import type { TaskLifecycle, TaskLifecycleListener } from "./task-lifecycle";

export interface SchedulerOptions {
  /** How often the scheduler reconciles even when nothing changed. */
  reconcileIntervalMs: number;
  /** How long STOPPED tasks (and INACTIVE services) stay describable (AWS: about an hour). */
  stoppedTaskRetentionMs: number;
}

/**
 * The service scheduler: every pass brings each service to its desired count within
 * its deployment configuration — scale in, launch what is missing (within
 * maximumPercent), replace old-deployment tasks and tasks on DRAINING instances
 * (keeping minimumHealthyPercent) — then lets the deployments settle. A pass runs on
 * a timer and soon after any change, many changes coalescing into one pass.
 */
export class Scheduler implements TaskLifecycleListener {
  private timer: NodeJS.Timeout | undefined;
  private queued = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly deps: {
      clusters: Clusters;
      tasks: TaskLifecycle;
      placer: TaskPlacer;
      deployments: Deployments;
      events: EcsEvents;
      loadBalancerHealth: LoadBalancerHealth;
      options: SchedulerOptions;
    },
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.reconcile(), this.deps.options.reconcileIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /** Reconciles soon (next macrotask), coalescing many changes into one pass. */
  changed(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.reconcile();
    });
  }

  /** A task stopped without being asked to: back off, and count it against the deployment. */
  failed(service: ServiceRecord, task: TaskRecord): void {
    service.consecutiveFailures++;
    // AWS warns once a service "is unable to consistently start tasks successfully".
    if (service.consecutiveFailures === 3) {
      this.deps.events.serviceAction(service, "SERVICE_TASK_START_IMPAIRED", "WARN");
    }
    const backoff =
      service.consecutiveFailures < 3
        ? 0
        : Math.min(50 * 2 ** (service.consecutiveFailures - 3), 3_000);
    service.launchNotBefore = Date.now() + backoff;
    recordServiceEvent(service, `has stopped 1 running tasks: (task ${task.id}).`);
    this.deps.deployments.taskFailed(service, task);
  }

  /** One pass over every service of every cluster. Cheap when nothing changed. */
  reconcile(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const cluster of this.deps.clusters.all()) {
      if (cluster.status !== "ACTIVE") continue;
      let candidates: PlacedCandidate[] | undefined;
      for (const service of cluster.services.values()) {
        if (service.status === "INACTIVE") continue;
        // Candidates are built lazily once per cluster and pass, and kept current as tasks land.
        candidates = this.reconcileService(service, now, candidates);
      }
    }
    if (now - this.lastPrune > 10_000) {
      this.lastPrune = now;
      this.prune(now);
    }
  }

  private prune(now: number): void {
    const retention = this.deps.options.stoppedTaskRetentionMs;
    for (const cluster of this.deps.clusters.all()) {
      for (const [arn, task] of cluster.tasks) {
        if (task.stoppedAt !== undefined && now - task.stoppedAt.getTime() > retention) {
          cluster.tasks.delete(arn);
        }
      }
      for (const [name, service] of cluster.services) {
        if (service.inactiveAt !== undefined && now - service.inactiveAt > retention) {
          cluster.services.delete(name);
        }
      }
    }
  }

  private reconcileService(
    service: ServiceRecord,
    now: number,
    cachedCandidates: PlacedCandidate[] | undefined,
  ): PlacedCandidate[] | undefined {
    const { tasks, placer, deployments } = this.deps;
    let candidates = cachedCandidates;
    // Counted afresh by this pass's placement.
    service.provisioning = 0;
    if (service.status === "DRAINING") {
      for (const task of service.tasks) {
        tasks.stop(task, `Service ${service.name} deleted`, "ServiceSchedulerInitiated");
      }
      if (service.tasks.size === 0) {
        service.status = "INACTIVE";
        service.inactiveAt = now;
        for (const deployment of service.deployments) deployment.status = "INACTIVE";
      }
      return candidates;
    }
    const primary = service.deployments[0];
    if (primary === undefined) return candidates;
    const desired = service.desiredCount;
    const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
    const live: TaskRecord[] = [];
    const good: TaskRecord[] = [];
    const replaceable: TaskRecord[] = [];
    for (const task of service.tasks) {
      if (task.desiredStatus !== "RUNNING") continue;
      live.push(task);
      if (task.instance.status !== "ACTIVE") replaceable.unshift(task);
      else if (task.deployment === primary) good.push(task);
      else replaceable.push(task);
    }
    const scalingReason = `Scaling activity initiated by (deployment ${primary.id})`;

    // 1. Scale in: pending tasks first, then from the instances holding the most.
    if (good.length > desired) {
      const surplus = good
        .sort((a, b) => Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING"))
        .slice(0, good.length - desired);
      for (const task of surplus) tasks.stop(task, scalingReason, "ServiceSchedulerInitiated");
      if (surplus.length > 0) {
        recordServiceEvent(service, `has stopped ${surplus.length} running tasks.`);
      }
      const kept = (task: TaskRecord) => task.desiredStatus === "RUNNING";
      good.splice(0, good.length, ...good.filter(kept));
      live.splice(0, live.length, ...live.filter(kept));
    }

    // 2. Launch what is missing, within maximumPercent.
    const need = desired - good.length;
    const maxTotal = Math.max(desired, Math.floor((desired * maximumPercent) / 100));
    let launched = 0;
    let roomBlocked = false;
    if (need > 0 && now >= service.launchNotBefore) {
      const room = maxTotal - live.length;
      roomBlocked = room < need;
      const count = Math.min(need, Math.max(room, 0));
      if (count > 0) {
        candidates ??= placementCandidates(service.cluster);
        launched = placer.place(service, primary, count, candidates, now);
      }
    }

    // 3. Stop old-deployment tasks and tasks on DRAINING instances, keeping minimumHealthyPercent.
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    // Healthy as ECS counts it: RUNNING and, behind a load balancer, passing its health check.
    // Asked once per task: each answer reads its target groups, and stopping one task
    // changes no other task's health.
    const passing = new Set(live.filter((task) => this.deps.loadBalancerHealth.passes(task)));
    let healthy = passing.size;
    let stopped = 0;
    // Replace first what is not healthy anyway; then as many healthy ones as health allows.
    const order = [...replaceable].sort((a, b) => Number(passing.has(a)) - Number(passing.has(b)));
    for (const task of order) {
      const running = passing.has(task);
      // Old tasks beyond what the new deployment still lacks are surplus whatever health says.
      const surplus = good.length + launched + (replaceable.length - stopped) > maxTotal;
      if (running && healthy - 1 < minHealthy && !surplus) continue;
      const onDraining = task.instance.status !== "ACTIVE";
      tasks.stop(
        task,
        onDraining ? "Container instance is being drained" : scalingReason,
        "ServiceSchedulerInitiated",
      );
      stopped++;
      if (running) healthy--;
    }
    // maximumPercent and minimumHealthyPercent can pin each other (100/100 with a draining host): yield one.
    if (roomBlocked && launched === 0 && stopped === 0 && order[0] !== undefined) {
      tasks.stop(order[0], scalingReason, "ServiceSchedulerInitiated");
    }

    // 4. Deployment bookkeeping and steady state.
    deployments.settle(service, primary, good, replaceable, now);
    return candidates;
  }
}
