import { type DeployInput, recordedRuns, shortTaskDefinition } from "./deploy";
import { activeHosts, floorHosts, inGroup, joinHosts, limitHosts, protectHosts } from "./hosts";
import { describeCounts, perHostConverged, prioritiesConverged } from "./observe";
import { decisiveSeconds, flakyRelease, PROBE_INTERVAL_MS, probedRollout } from "./rollouts";
import {
  controllerNames,
  demandRandomizerId,
  expectPerHost,
  expectPriorities,
  recordCheck,
  type ScenarioContext,
} from "./run-context";

/**
 * The scenario's phases, each a change to the system and the convergence it waits for:
 * hosts join, demand walks, hosts drain and leave, a deploy-and-benchmark execution.
 */

export async function hostsJoin(context: ScenarioContext): Promise<void> {
  const { system, progress, options } = context;
  progress.phase("hosts join", `${options.hosts.initial} → ${options.hosts.peak}`);
  // Each join raises the group's MinSize with it: the operator's floor, which the host
  // consolidator never goes below, so the hosts chosen here stay until they are let go.
  const join = async (count: number) => {
    joinHosts(system, count);
    await floorHosts(system, Number.POSITIVE_INFINITY);
  };
  // The first host alone, so the web and backend tasks land together on the host that stays.
  await join(1);
  const first = await context.recorder.until(
    (s) => s.web.running === s.web.desired && s.web.desired > 0 && perHostConverged(s),
    options.convergeDeadlineMs,
  );
  progress.info(
    `first host: web ${first.snapshot.web.running}/${first.snapshot.web.desired} running, per-host ${first.snapshot.perHost.running}`,
  );
  await join(options.hosts.initial - 1);
  progress.info(`${options.hosts.initial - 1} more hosts register`);
  await expectPerHost(context, `${options.hosts.initial} hosts`);
  await join(options.hosts.peak - options.hosts.initial);
  progress.info(
    `${options.hosts.peak - options.hosts.initial} more hosts register (MinSize ${options.hosts.peak}: the consolidator keeps them)`,
  );
  await expectPerHost(context, `${options.hosts.peak} hosts`);
}

/**
 * Watches the demand walk: every step, whether P1/P2 settled on it before the next one.
 * It ends as soon as they have followed `walk.steps` steps over two values or more (a
 * condition, not a fixed span), or when `walk.deadlineSeconds` pass.
 */
export async function demandWalk(context: ScenarioContext): Promise<void> {
  const { progress, options, recorder } = context;
  const { steps, deadlineSeconds } = options.walk;
  progress.phase(
    "demand walks",
    `until P1/P2 follow ${steps} steps (at most ${deadlineSeconds} s); P1 follows demand, P2 takes the rest`,
  );
  const end = Date.now() + deadlineSeconds * 1000;
  let current: number | undefined = recorder.latest?.demand;
  let settled = false;
  let stepStarted = Date.now();
  const values = new Set<number>();
  const walked = () => context.demandSteps.followed >= steps && values.size >= 2;
  while (!walked() && Date.now() < end) {
    const snapshot = await recorder.next();
    if (snapshot.demand !== current) {
      if (current !== undefined && !settled) {
        progress.info(`demand ${current} → ${snapshot.demand} before P1/P2 settled`);
      }
      current = snapshot.demand;
      settled = false;
      stepStarted = Date.now();
      context.demandSteps.total++;
      if (current !== undefined) values.add(current);
    }
    if (!settled && prioritiesConverged(snapshot)) {
      settled = true;
      context.demandSteps.followed++;
      progress.info(
        `${describeCounts(snapshot)} ✓ ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`,
      );
    }
  }
  recordCheck(context, controllerNames.demand, {
    what: "demand moved",
    ok: values.size >= 2,
    detail: `${context.demandSteps.total} steps over ${values.size} values (${[...values].join(", ")})`,
  });
  // The walk ends: demand holds from here, so the checks that follow wait for the scaler
  // on a fixed target. On a faster clock the randomizer steps every second or two, quicker
  // than a throttled, serialized scaler settles under load.
  const { scheduler } = context.system.wired;
  for (const rule of scheduler.ruleNames()) {
    if (rule.startsWith(`${demandRandomizerId}.`)) scheduler.setEnabled(rule, false);
  }
  progress.info("demand holds: the randomizer's schedule is disabled");
  await expectPriorities(context, "after the walk");
}

export async function hostsLeave(context: ScenarioContext): Promise<void> {
  const { system, progress, options, recorder } = context;
  const active = activeHosts(system);
  progress.phase("hosts drain and leave", `${active.length} → ${options.hosts.final}`);
  // The hosts serving web and backend stay; the others leave the group, drained first.
  const busy = ({ arn }: { arn: string }) =>
    system.cloud.ecs
      .tasksOf(system.names.cluster)
      .some(
        (task) =>
          task.containerInstanceArn === arn &&
          task.lastStatus !== "STOPPED" &&
          [
            `service:${system.names.services.web}`,
            `service:${system.names.services.backend}`,
          ].includes(task.group ?? ""),
      );
  const keep = [...active.filter(busy), ...active.filter((host) => !busy(host))].slice(
    0,
    options.hosts.final,
  );
  const leaving = active.filter((host) => !keep.includes(host)).map((host) => host.ec2InstanceId);
  // The kept hosts are protected from scale in; the group shrinks to the final size (and
  // stays there while the controllers catch up, so managed scaling cannot relaunch hosts
  // for the tasks that wait meanwhile), then may grow to MaxHosts again.
  const kept = keep.map((host) => host.ec2InstanceId);
  await protectHosts(system, kept, true);
  await limitHosts(system, options.hosts.final, options.hosts.final);
  progress.info(
    `UpdateAutoScalingGroup MinSize and MaxSize ${options.hosts.final}: ${leaving.length} hosts scale in, managed draining sets them DRAINING`,
  );
  await expectPerHost(context, `${options.hosts.final} ACTIVE hosts (${leaving.length} draining)`);
  const gone = await recorder.until(
    () => leaving.every((id) => !inGroup(system, id)),
    options.convergeDeadlineMs,
  );
  progress.info(
    gone.ok
      ? `drained, deregistered and terminated in ${gone.seconds.toFixed(1)} s`
      : `${leaving.filter((id) => inGroup(system, id)).length} hosts still draining after ${gone.seconds.toFixed(1)} s`,
  );
  await expectPerHost(context, `${options.hosts.final} hosts`);
  await expectPriorities(context, `${options.hosts.final} hosts`);
  await limitHosts(system, system.names.maxHosts);
  await protectHosts(system, kept, false);
}

/**
 * Both sides of deploy-and-benchmark: the release rolled out while an outside probe
 * watches the load balancer (it must stay 2xx), then a bad revision — web without
 * backend retries — that the performance gate must refuse and roll back.
 */
export async function deployPhase(context: ScenarioContext, deploy: DeployInput): Promise<void> {
  const { system, progress, options } = context;
  const input = { ...deploy, benchmark: { ...deploy.benchmark, ...options.releaseBenchmark } };
  progress.phase(
    "deploy and benchmark",
    `${input.service} → ${input.image ?? input.taskDefinition}, ${input.benchmark.durationSeconds ?? 10} s load through the load balancer (gate: error rate ≤ ${input.benchmark.maxErrorRate ?? 0.01}), an outside probe every ${PROBE_INTERVAL_MS} ms`,
  );
  const before = (await context.recorder.next()).web.taskDefinition;
  // A surge that fits no host waits (PROVISIONING) and managed scaling adds the host.
  const hostsBefore = activeHosts(system).length;
  const { outcome, probe } = await probedRollout(system, input, progress, options.deployDeadlineMs);
  context.deployment = outcome;
  context.rollout = probe;
  const hostsAfter = activeHosts(system).length;
  if (hostsAfter > hostsBefore) {
    progress.info(`managed scaling: hosts ${hostsBefore} → ${hostsAfter} for the rollout's surge`);
  }
  const web = (await context.recorder.next()).web;
  const runs = await recordedRuns(system, input.service);
  const recorded = runs.find((run) => run.executionArn === outcome.executionArn);
  const rolled = outcome.output?.taskDefinition;
  recordCheck(context, controllerNames.deploy, {
    what: "execution",
    ok: outcome.status === "SUCCEEDED" && recorded?.status === "SUCCEEDED",
    detail:
      outcome.status === "SUCCEEDED"
        ? `SUCCEEDED in ${outcome.seconds.toFixed(1)} s: ${shortTaskDefinition(before)} → ${shortTaskDefinition(rolled)}, running ${web.running}/${web.desired}, recorded in BenchmarkResultsTable: ${recorded !== undefined}`
        : `${outcome.status} ${outcome.error ?? ""}: ${outcome.cause ?? ""}`,
  });
  const firstFailure = probe.failures[0];
  recordCheck(context, controllerNames.deploy, {
    what: "rollout kept serving",
    ok: probe.sent > 0 && firstFailure === undefined,
    detail: `${probe.ok}/${probe.sent} probes 2xx, longest gap ${probe.longestGapMs} ms${firstFailure === undefined ? "" : `; first failure ${firstFailure.status} at ${firstFailure.t} ms`}`,
  });

  const measured = outcome.output?.result.requestsPerSecond;
  const seconds = decisiveSeconds(measured, {
    ...options.refusal,
    minSeconds: input.benchmark.durationSeconds ?? 1,
  });
  progress.phase(
    "a bad release",
    `${input.service} with BACKEND_RETRIES=0: about 2 % 502s; ${seconds} s load, for ${options.refusal.requests} requests at the ${measured?.toFixed(0) ?? "unknown"} requests/s just measured`,
  );
  const good = (await context.recorder.next()).web.taskDefinition;
  const refusal = await flakyRelease(
    system,
    { ...input, benchmark: { ...input.benchmark, durationSeconds: seconds } },
    progress,
    options.deployDeadlineMs,
  );
  context.refusal = refusal;
  const back = await context.recorder.until(
    (s) =>
      s.web.taskDefinition === good && s.web.running === s.web.desired && s.web.deployments === 1,
    options.convergeDeadlineMs,
  );
  recordCheck(context, controllerNames.deploy, {
    what: "bad release refused",
    ok: refusal.outcome.error === "PerformanceGateFailed" && back.ok,
    detail: `${shortTaskDefinition(refusal.taskDefinition)}: ${refusal.outcome.status} ${refusal.outcome.error ?? ""}: ${refusal.outcome.cause ?? ""}; ${input.service} ${back.ok ? "back on" : "not back on"} ${shortTaskDefinition(good)}`,
  });
  await expectPerHost(context, "after the rollouts");
  await expectPriorities(context, "after the rollouts");
}
