import { isLeaving } from "../lib/auto-scaling-groups";
import { formatExpendableRoom, roomWrittenAt } from "../lib/expendable-room";
import type { TaskRequirements } from "../lib/placement/requirements";
import { PlacementSimulation, type SimulatedHost } from "../lib/placement/simulation";
import type { PlacementFailureReason } from "../lib/placement/task-placement";
import type {
  CandidateKind,
  ClusterPlan,
  HostDecision,
  KeepReason,
  Termination,
} from "./decisions";
import type { ClusterSnapshot, DisruptionBudget, Group, Host, PlanSettings } from "./model";
import { expendable, groupsOnHost, movable, released, slots } from "./slots";

/**
 * The decision, pure: which hosts are candidates, which of them go now, and why every
 * other host stays. Same snapshot and clock, same plan.
 *
 * A host is **empty** when it runs only per-host, DAEMON and expendable tasks, and
 * **underutilized** when its other (movable) tasks all fit on the remaining hosts.
 * A candidate goes once it has been one for CONSOLIDATE_AFTER_SECONDS: empty hosts
 * first, then underutilized ones with the fewest tasks, each checked again against
 * the hosts that are left once those chosen before it are gone — never below the
 * group's MinSize, never beyond its disruption budget.
 *
 * Expendable tasks never keep a host alive, on the host or where its tasks would go: a
 * host whose movable tasks fit only in slots expendable tasks hold is a candidate too.
 * ECS has no preemption, so before such a host goes the room is made: the plan writes
 * the expendable-room attribute (functions/lib/expendable-room.ts) on it — the tasks
 * of each expendable service the other hosts hold once the moving tasks are placed —
 * and keeps it (`making-room`) until the priority scaler has lowered their count and
 * the moving tasks, with the host's own expendable ones, fit in the room there is now.
 * A host whose movable tasks move goes with the attribute too: while it drains, the
 * expendable services may shrink but not grow into the slots the moving tasks need.
 */

/** Hosts a group may have draining at once: a count, or a percent of its size rounded up. */
export function budgetFor(budget: DisruptionBudget, groupSize: number): number {
  return budget.kind === "count"
    ? budget.count
    : Math.ceil((groupSize * budget.percent) / 100 - 1e-9);
}

interface Assessed {
  readonly host: Host;
  readonly decision: Omit<HostDecision, "decision" | "reason" | "detail">;
  keep?: { reason: KeepReason; detail?: string };
  candidate: CandidateKind | null;
  since?: Date;
}

const arnOf = (host: Host) => host.capacity.containerInstanceArn;

function misfit(group: string, reason: PlacementFailureReason, after: boolean): string {
  const others = after ? "the hosts left once those chosen before it go" : "the other hosts";
  return `a ${group} task would fit on none of ${others} (${reason})`;
}

export function planConsolidation(
  snapshot: ClusterSnapshot,
  settings: PlanSettings,
  now: Date,
): ClusterPlan {
  const lifecycle = new Map<string, string>();
  const groupOf = new Map<string, Group>();
  for (const group of snapshot.groups) {
    groupOf.set(group.name, group);
    for (const instance of group.instances)
      lifecycle.set(instance.instanceId, instance.lifecycleState);
  }
  const inService = (host: Host) =>
    host.autoScalingGroup === undefined ||
    lifecycle.get(host.capacity.ec2InstanceId) === "InService";

  // Where tasks can go: ACTIVE hosts with a connected agent that are staying in service.
  const targetHosts = snapshot.hosts.filter(
    (h) => h.status === "ACTIVE" && h.capacity.agentConnected && inService(h),
  );
  const actual = targetHosts.map((h) => ({ capacity: h.capacity, groups: groupsOnHost(h) }));
  const simulation = new PlacementSimulation(actual);
  // The same hosts with every expendable slot free: built only if a host needs it, and
  // the same simulation when no expendable task runs on them.
  let withRoom: PlacementSimulation | undefined;
  let releasedHosts: SimulatedHost[] = actual;
  const room = () => {
    if (withRoom === undefined) {
      const any = targetHosts.some((h) => expendable(h).length > 0);
      releasedHosts = any ? targetHosts.map(released) : actual;
      withRoom = any ? new PlacementSimulation(releasedHosts) : simulation;
    }
    return withRoom;
  };

  const assessed: Assessed[] = snapshot.hosts.map((host) => {
    const moving = movable(host);
    const entry: Assessed = {
      host,
      candidate: null,
      decision: {
        containerInstanceArn: arnOf(host),
        ec2InstanceId: host.capacity.ec2InstanceId,
        ...(host.autoScalingGroup === undefined ? {} : { autoScalingGroup: host.autoScalingGroup }),
        status: host.status,
        tasks: host.tasks.length,
        movableTasks: moving.length,
        candidate: null,
      },
    };
    const keep = (reason: KeepReason, detail?: string) => {
      entry.keep = detail === undefined ? { reason } : { reason, detail };
      return entry;
    };
    if (host.status === "DRAINING") return keep("draining");
    if (host.status !== "ACTIVE") return keep("not-active", `status ${host.status}`);
    if (!inService(host)) {
      return keep(
        "terminating",
        `lifecycle ${lifecycle.get(host.capacity.ec2InstanceId) ?? "unknown"}`,
      );
    }
    if (host.autoScalingGroup === undefined) return keep("unmanaged");
    if (!host.capacity.agentConnected) return keep("agent-disconnected");
    const registeredAt = host.capacity.registeredAt?.getTime() ?? now.getTime();
    const age = (now.getTime() - registeredAt) / 1000;
    if (age < settings.minHostAgeSeconds) {
      return keep(
        "young",
        `${Math.floor(age)} s old, MIN_HOST_AGE_SECONDS ${settings.minHostAgeSeconds}`,
      );
    }
    const standalone = host.tasks.find((task) => task.role === "standalone");
    if (standalone !== undefined)
      return keep("standalone-task", `${standalone.group} (${standalone.taskArn})`);
    if (moving.length > 0) {
      const alone = new Set([arnOf(host)]);
      const fit = simulation.place(moving, alone);
      if (!fit.fits && (room() === simulation || !room().place(moving, alone).fits)) {
        return keep("busy", misfit(fit.group, fit.reason, false));
      }
    }
    entry.candidate = moving.length === 0 ? "empty" : "underutilized";
    entry.since = host.candidateSince ?? now;
    const waited = (now.getTime() - entry.since.getTime()) / 1000;
    if (waited < settings.consolidateAfterSeconds) {
      keep(
        "waiting",
        `${Math.ceil(settings.consolidateAfterSeconds - waited)} s of CONSOLIDATE_AFTER_SECONDS left`,
      );
    }
    return entry;
  });

  const drainingBefore = new Map<string, Set<string>>();
  for (const group of snapshot.groups) {
    const ids = new Set<string>();
    for (const instance of group.instances) {
      if (isLeaving(instance.lifecycleState)) ids.add(instance.instanceId);
    }
    drainingBefore.set(group.name, ids);
  }
  for (const host of snapshot.hosts) {
    if (host.status === "DRAINING" && host.autoScalingGroup !== undefined) {
      drainingBefore.get(host.autoScalingGroup)?.add(host.capacity.ec2InstanceId);
    }
  }
  const chosenIn = new Map<string, number>();

  const due = assessed
    .filter((a) => a.candidate !== null && a.keep === undefined)
    .sort(
      (a, b) =>
        Number(a.candidate === "underutilized") - Number(b.candidate === "underutilized") ||
        a.decision.movableTasks - b.decision.movableTasks ||
        (a.since?.getTime() ?? 0) - (b.since?.getTime() ?? 0) ||
        arnOf(a.host).localeCompare(arnOf(b.host)),
    );
  // Checked as one set: the tasks of every host chosen so far and this one's, on the
  // hosts that stay — so no task is counted on a host that leaves later in the round.
  const leaving = new Set<string>();
  const moving: TaskRequirements[] = [];
  /** The expendable tasks of the hosts leaving: they move too, if there is room. */
  const spare: TaskRequirements[] = [];
  const leavingEntries: Assessed[] = [];
  const terminate: Termination[] = [];
  for (const entry of due) {
    if (snapshot.hold.length > 0) {
      entry.keep = { reason: "hold", detail: snapshot.hold.join("; ") };
      continue;
    }
    const name = entry.host.autoScalingGroup ?? "";
    const group = groupOf.get(name);
    if (group === undefined) {
      entry.keep = { reason: "unmanaged" };
      continue;
    }
    const chosen = chosenIn.get(name) ?? 0;
    if (group.desiredCapacity - chosen - 1 < group.minSize) {
      entry.keep = {
        reason: "min-size",
        detail: `desired ${group.desiredCapacity - chosen}, MinSize ${group.minSize}`,
      };
      continue;
    }
    const allowed = budgetFor(settings.disruptionBudget, group.instances.length);
    const draining = (drainingBefore.get(name)?.size ?? 0) + chosen;
    if (draining >= allowed) {
      entry.keep = {
        reason: "budget",
        detail: `${draining} draining, DISRUPTION_BUDGET ${allowed}`,
      };
      continue;
    }
    const own = movable(entry.host);
    const ownSpare = expendable(entry.host);
    const without = new Set([...leaving, arnOf(entry.host)]);
    let makeRoom = false;
    if (own.length > 0) {
      const need = [...moving, ...own];
      const roomy = room().place(need, without);
      if (!roomy.fits) {
        entry.keep = { reason: "busy", detail: misfit(roomy.group, roomy.reason, true) };
        continue;
      }
      if (slots(releasedHosts, without, need) < need.length) {
        entry.keep = {
          reason: "busy",
          detail: `${need.length} tasks would move into fewer whole slots of the largest on the hosts left`,
        };
        continue;
      }
      // Every task that moves, its expendable ones too, in the room there is now, each
      // in a whole slot of the largest: then no replacement waits for another's slot,
      // whatever order and strategy ECS places them with.
      const all = [...need, ...spare, ...ownSpare];
      const today = simulation.place(all, without);
      const short = !today.fits || slots(actual, without, all) < all.length;
      if (short) {
        makeRoom = true;
        entry.keep = {
          reason: "making-room",
          detail: `${today.fits ? `${all.length} tasks would move into fewer whole slots of the largest` : misfit(today.group, today.reason, true)} until expendable tasks give up their slots`,
        };
      }
    }
    leaving.add(arnOf(entry.host));
    leavingEntries.push(entry);
    moving.push(...own);
    spare.push(...ownSpare);
    chosenIn.set(name, chosen + 1);
    if (makeRoom) continue;
    terminate.push({
      containerInstanceArn: arnOf(entry.host),
      ec2InstanceId: entry.host.capacity.ec2InstanceId,
      autoScalingGroup: name,
      kind: entry.candidate ?? "empty",
    });
  }

  // Hosts leave with tasks the scaler counts: the room the others keep for expendable
  // tasks once the moving tasks are placed. Every expendable service is held to it, one
  // with no task now at 0, so the scaler never counts a leaving host's slots (its C does
  // until the host is DRAINING, and its tasks' until they have moved).
  let expendableRoom: Map<string, number> | undefined;
  let roomValue: string | undefined;
  const counted = leavingEntries.filter(
    (entry) => movable(entry.host).length > 0 || expendable(entry.host).length > 0,
  );
  if (counted.length > 0 && settings.expendableServices.size > 0) {
    const everyExpendable = snapshot.hosts.flatMap(expendable);
    const { placed } = room().placeThenFill(moving, everyExpendable, leaving);
    // And in whole slots of the largest task, moving or expendable: what is left once
    // every moving task has one, shared out in name order.
    let left = slots(releasedHosts, leaving, [...moving, ...everyExpendable]) - moving.length;
    const computed = new Map<string, number>();
    for (const service of [...settings.expendableServices].sort()) {
      const n = Math.max(0, Math.min(placed.get(`service:${service}`) ?? 0, left));
      computed.set(service, n);
      left -= n;
    }
    expendableRoom = computed;
    const since =
      leavingEntries
        .map((entry) => roomWrittenAt(entry.host.expendableRoom, computed))
        .find((at) => at !== undefined) ?? now;
    roomValue = formatExpendableRoom(computed, since);
    // The scaler must have seen the room, and applied it, before a host goes: a scaler
    // that read the hosts before it was written would grow P2 into the slots that go or
    // that the moving tasks need.
    const written = (now.getTime() - since.getTime()) / 1000;
    const over = [...computed].filter(([s, n]) => (snapshot.expendableDesired.get(s) ?? 0) > n);
    const wait =
      written < settings.roomSettleSeconds
        ? `room written ${Math.floor(written)} s ago: the priority scaler has ${settings.roomSettleSeconds} s to see it`
        : over.length > 0
          ? `waiting for the priority scaler: ${over.map(([s, n]) => `${s} desired ${snapshot.expendableDesired.get(s)}, room ${n}`).join("; ")}`
          : undefined;
    if (wait !== undefined) {
      for (const entry of leavingEntries) {
        if (entry.keep !== undefined) continue;
        entry.keep = { reason: "making-room", detail: wait };
        const at = terminate.findIndex((t) => t.containerInstanceArn === arnOf(entry.host));
        if (at >= 0) terminate.splice(at, 1);
      }
    }
  }
  const roomed = new Set(roomValue === undefined ? [] : leavingEntries.map((e) => arnOf(e.host)));

  return {
    hosts: assessed.map((entry) => ({
      ...entry.decision,
      candidate: entry.candidate,
      ...(entry.since === undefined ? {} : { candidateSince: entry.since.toISOString() }),
      decision: entry.keep === undefined ? "terminate" : "keep",
      reason: entry.keep?.reason ?? entry.candidate ?? "empty",
      ...(entry.keep?.detail === undefined ? {} : { detail: entry.keep.detail }),
      ...(expendableRoom !== undefined && roomed.has(arnOf(entry.host))
        ? { expendableRoom: Object.fromEntries(expendableRoom) }
        : {}),
    })),
    groups: snapshot.groups.map((group) => ({
      name: group.name,
      minSize: group.minSize,
      desiredCapacity: group.desiredCapacity,
      draining: drainingBefore.get(group.name)?.size ?? 0,
      budget: budgetFor(settings.disruptionBudget, group.instances.length),
      terminating: terminate.filter((t) => t.autoScalingGroup === group.name).length,
    })),
    mark: assessed.flatMap((entry) =>
      entry.candidate !== null &&
      entry.host.candidateSince === undefined &&
      entry.since !== undefined
        ? [{ containerInstanceArn: arnOf(entry.host), since: entry.since }]
        : [],
    ),
    unmark: assessed
      .filter(
        (entry) => entry.candidate === null && entry.host.marked && entry.host.status === "ACTIVE",
      )
      .map((entry) => arnOf(entry.host)),
    room:
      roomValue === undefined
        ? []
        : leavingEntries
            .filter((entry) => entry.host.expendableRoom !== roomValue)
            .map((entry) => ({ containerInstanceArn: arnOf(entry.host), value: roomValue })),
    unroom: snapshot.hosts
      .filter(
        (host) =>
          host.status === "ACTIVE" && host.expendableRoom !== undefined && !roomed.has(arnOf(host)),
      )
      .map(arnOf),
    terminate,
  };
}
