/**
 * Priority scaling as a pure function: from demand, capacity and the two services'
 * counts to the ordered UpdateService steps.
 *
 * Targets: P1 (high priority) = min(demand, C), P2 (low priority) = C − P1.
 *
 * Elastic capacity (a `ceiling` above C: the slots the cluster can hold once its
 * groups are at MaxSize, ./elastic.ts): P1 = min(demand, ceiling) and may grow past
 * C — the tasks that do not fit yet go PROVISIONING and managed scaling adds hosts —
 * while P2 = max(0, C − P1) gets only the slots free after P1 and never asks for more.
 *
 * Order: every shrink first (P2 before P1: the background work gives way first),
 * then every grow (P1 before P2). Desired counts therefore never sum above C after
 * any step that grows.
 *
 * A scale still in flight (running ≠ desired). Running below desired is a grow
 * in progress: its slots are already counted in desired, nothing to do. Running
 * above desired is a shrink in progress (or a deployment's surge): ECS stops tasks
 * asynchronously and they hold their slots, still counted as running, until they
 * have stopped. So a service occupies its desired tasks plus that excess, and a
 * grow may only use slots nobody occupies:
 *
 *     new desired + its own excess still stopping ≤ C − slots the other occupies
 *
 * and not more than its target. Whatever does not fit yet is *deferred*: the
 * shrink is applied at once, the grow (or the part that does not fit) waits for the
 * next invocation: the container instance state change ECS sends as each stopping
 * task frees its slot (or the next stream record; the reconcile schedule if an event
 * was missed). The cluster is never asked to hold more than C worker tasks at once,
 * so P1's new tasks never sit unplaced behind P2 tasks that have not stopped yet.
 *
 * Hosts leaving (`lowRoom`, the host consolidator's room for P2 on a host it drains or
 * makes room to drain): P2's target is at most that room. ECS cannot preempt P2 for
 * the tasks that move off the host, so P2 gives up the slots first; the shrink goes
 * first, as always, and P2 grows back once no host is leaving.
 *
 * Idempotent: when desired already equals the target, there are no steps.
 */
export type Role = "high" | "low";

export interface ServiceCounts {
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
}

export interface PlanInput {
  readonly demand: number;
  readonly capacity: number;
  /** Elastic mode: what P1 may grow to (≥ capacity); fixed capacity when absent. */
  readonly ceiling?: number;
  /** P2's ceiling while hosts leave (the host consolidator's room); none when absent. */
  readonly lowRoom?: number;
  readonly high: ServiceCounts;
  readonly low: ServiceCounts;
}

export interface Step {
  readonly role: Role;
  readonly from: number;
  readonly to: number;
}

export interface Plan {
  readonly target: Readonly<Record<Role, number>>;
  /** The UpdateService calls to make, in this order. */
  readonly steps: readonly Step[];
  /** Desired counts once the steps are applied. */
  readonly after: Readonly<Record<Role, number>>;
  /** Services whose grow waits for slots that other tasks still occupy. */
  readonly deferred: readonly Role[];
}

const other = (role: Role): Role => (role === "high" ? "low" : "high");

/** Tasks beyond the desired count as read: being stopped, or a deployment's surge. */
function excess(counts: ServiceCounts): number {
  return Math.max(0, counts.running + counts.pending - counts.desired);
}

/**
 * Slots a service holds once its desired count is `desired`: the tasks it wants
 * plus the excess still stopping, and never less than the tasks that exist now.
 */
function occupied(counts: ServiceCounts, desired: number): number {
  return Math.max(desired + excess(counts), counts.running + counts.pending);
}

export function planScaling(input: PlanInput): Plan {
  const { demand, capacity } = input;
  const ceiling = Math.max(capacity, input.ceiling ?? capacity);
  const room = input.lowRoom ?? 0;
  for (const [name, value] of Object.entries({ demand, capacity, ceiling, lowRoom: room })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
    }
  }
  const high = Math.min(demand, ceiling);
  const free = Math.max(0, capacity - high);
  const target = { high, low: Math.min(free, input.lowRoom ?? free) };

  const desired = { high: input.high.desired, low: input.low.desired };
  const steps: Step[] = [];
  const deferred: Role[] = [];

  for (const role of ["low", "high"] as const) {
    if (target[role] < desired[role]) {
      steps.push({ role, from: desired[role], to: target[role] });
      desired[role] = target[role];
    }
  }
  for (const role of ["high", "low"] as const) {
    if (target[role] <= desired[role]) continue;
    const rest = other(role);
    const held = occupied(input[rest], desired[rest]);
    // P1 may ask for hosts the cluster does not have yet; P2 never does. While P2's
    // tasks are still stopping, P1 waits for their slots rather than for a new host.
    const limit = role === "high" && held === desired[rest] ? ceiling : capacity;
    const room = limit - held - excess(input[role]);
    const to = Math.min(target[role], room);
    if (to > desired[role]) {
      steps.push({ role, from: desired[role], to });
      desired[role] = to;
    }
    if (desired[role] < target[role]) deferred.push(role);
  }
  return { target, steps, after: desired, deferred };
}
