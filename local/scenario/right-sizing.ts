import { setDemand } from "./demand";
import { activeHosts, hostFloor } from "./hosts";
import { belowDesired, perHostConverged, prioritiesConverged } from "./observe";
import {
  controllerNames,
  expectPriorities,
  recordCheck,
  type ScenarioContext,
} from "./run-context";

/**
 * The cluster right-sized both ways: P1's demand brings hosts out (elastic priorities:
 * its tasks that do not fit wait, managed scaling adds hosts), and the host consolidator
 * takes back the hosts nobody with priority needs — after demand falls, and the surge
 * host a rollout needed — down to the group's MinSize, while no non-expendable service
 * (web, backend, P1) runs fewer tasks than it wants.
 */

function rightSizing(context: ScenarioContext) {
  const settings = context.options.rightSizing;
  if (settings === undefined) throw new Error("the scenario runs without rightSizing options");
  return settings;
}

/** Demand to the top: P1 asks for more than the hosts hold, and hosts come out for it. */
export async function demandUp(context: ScenarioContext): Promise<void> {
  const { system, progress, options, recorder } = context;
  const before = activeHosts(system).length;
  const demand = rightSizing(context).highDemand;
  progress.phase(
    "demand up",
    `demand ${demand} on ${before} hosts: P1 asks for more than they hold, managed scaling adds hosts`,
  );
  await setDemand(system, demand);
  const out = await recorder.until(
    (s) =>
      s.demand === demand &&
      s.high.desired === demand &&
      s.high.running === demand &&
      s.hosts.active > before &&
      perHostConverged(s),
    options.convergeDeadlineMs,
  );
  const { hosts, capacity, high } = out.snapshot;
  recordCheck(context, controllerNames.scaleOut, {
    what: "hosts out for P1",
    ok: out.ok,
    detail: `hosts ${before} → ${hosts.active}, desired capacity ${capacity.desired}, P1 running ${high.running}/${high.desired}${out.ok ? ` (${out.seconds.toFixed(1)} s)` : " — P1 did not get its hosts"}`,
  });
  await expectPriorities(context, `demand ${demand}`);
}

/** Demand down: P1 shrinks, P2 only fills what is free, and the hosts go back. */
export async function demandDown(context: ScenarioContext): Promise<void> {
  const { system, progress } = context;
  const demand = rightSizing(context).lowDemand;
  progress.phase(
    "demand down",
    `demand ${demand}: the host consolidator takes back the hosts P1 no longer needs, down to MinSize ${hostFloor(system)}`,
  );
  const since = context.recorder.consolidations.length;
  await setDemand(system, demand);
  await expectConsolidated(context, "after demand down", since);
}

/** After the rollouts: the hosts managed scaling added for their surge go back. */
export async function surgeConsolidated(context: ScenarioContext, since: number): Promise<void> {
  context.progress.phase(
    "surge hosts consolidated",
    `the hosts the rollouts' surge needed go back, down to MinSize ${hostFloor(context.system)}`,
  );
  await expectConsolidated(context, "after the rollouts", since);
}

/**
 * Waits until the hosts are down to the group's MinSize, with none draining and the
 * per-host service and P1/P2 settled on them. A host whose tasks fit only in slots the
 * low-priority service holds goes too: the consolidator makes room first (P2 shrinks to
 * what the other hosts leave it), so MinSize is the bar. Records whether hosts came
 * back down to it by the consolidator's steps since `since` ("hosts never came back
 * down" names what kept the rest), whether web, backend or P1 ran short meanwhile, and
 * whether managed scaling launched a host while they went (the loop consolidation must
 * never cause).
 */
async function expectConsolidated(
  context: ScenarioContext,
  when: string,
  since: number,
): Promise<void> {
  const { system, recorder } = context;
  const floor = hostFloor(system);
  const latest = recorder.latest;
  const from = Math.max(
    latest === undefined ? 0 : latest.hosts.active + latest.hosts.draining,
    activeHosts(system).length,
  );
  const short: string[] = [];
  let samples = 0;
  const startedAt = system.cloud.clock.now();
  const down = await recorder.until(
    (s) =>
      s.hosts.active <= floor &&
      s.hosts.draining === 0 &&
      perHostConverged(s) &&
      prioritiesConverged(s),
    rightSizing(context).consolidateDeadlineMs,
    (s) => {
      samples++;
      const below = belowDesired(s);
      if (below.length > 0) short.push(`t=${s.t} s: ${below.join(", ")}`);
    },
  );
  const steps = recorder.consolidations.slice(since);
  const left = down.snapshot.hosts.active;
  const cameDown = from <= floor || steps.length > 0;
  const ok = down.ok && cameDown;
  const listed = steps.map((step) => `${step.ec2InstanceId} ${step.reason}`).join(", ");
  const kept =
    left > floor
      ? `; ${left - floor} above MinSize kept: ${[...new Set(recorder.latestConsolidatorRound?.reasons ?? [])].join(", ")}`
      : "";
  recordCheck(context, controllerNames.consolidator, {
    what: `hosts came back down ${when}`,
    ok,
    detail: ok
      ? `hosts ${from} → ${left} (MinSize ${floor}) in ${down.seconds.toFixed(1)} s, ${steps.length} consolidation steps${listed === "" ? "" : `: ${listed}`}`
      : `hosts never came back down: ${left} ACTIVE (+${down.snapshot.hosts.draining} draining) of ${from} after ${down.seconds.toFixed(1)} s, MinSize ${floor}, ${steps.length} consolidation steps${kept}`,
  });
  const launched = system.cloud.autoscaling
    .describeActivities(system.names.hostGroup)
    .filter((a) => a.startTime.getTime() >= startedAt && a.description.startsWith("Launching"));
  recordCheck(context, controllerNames.consolidator, {
    what: `no host launched ${when}`,
    ok: launched.length === 0,
    detail:
      launched.length === 0
        ? "managed scaling launched no host while they went"
        : `${launched.length} launched: ${launched.map((a) => a.description).join("; ")}`,
  });
  recordCheck(context, controllerNames.consolidator, {
    what: `no non-expendable service below desired ${when}`,
    ok: short.length === 0,
    detail:
      short.length === 0
        ? `web, backend and P1 ran their desired counts in all ${samples} samples`
        : `${short.length} of ${samples} samples short, first ${short[0]}`,
  });
}
