import type {
  BenchmarkFigures,
  ControllerOutcome,
  ScenarioReport,
  TimelinePoint,
} from "../report/html";
import { type DeployInput, type DeployOutcome, deployAndBenchmark, recordedRuns } from "./deploy";
import {
  activeHosts,
  deregisterHosts,
  drainHosts,
  type HostSize,
  joinHosts,
  scaleOutForUnplacedTasks,
  tasksOnHost,
} from "./hosts";
import {
  describeCounts,
  describePerHost,
  perHostConverged,
  prioritiesConverged,
  type Snapshot,
} from "./observe";
import type { ProgressReporter } from "./progress";
import { Recorder } from "./recorder";
import type { LocalSystem } from "./system";

/**
 * The `npm start` scenario, as phases the CLI runs in order and the integration tests
 * run one by one: hosts join (3 → 6) and the per-host service follows; demand walks and
 * P1/P2 follow within capacity; hosts drain and leave (6 → 2); a deploy-and-benchmark
 * execution rolls WebService and load-tests it through the local load balancer. Every
 * wait is a condition on the sampled state with a deadline; what missed its deadline
 * is named in the outcome.
 */

export interface ScenarioOptions {
  /**
   * Every host's size. 832 = 3 worker slots (256 each) + the per-host agent (64): the
   * agent always fits on a new host even when the priority scaler fills its free slots
   * first, and the first host holds the web and backend tasks exactly.
   */
  hostSize: HostSize;
  hosts: { initial: number; peak: number; final: number };
  /** Real seconds of demand walk watched between the joins and the drain. */
  walkSeconds: number;
  /** How long a controller may take to converge after a change. */
  convergeDeadlineMs: number;
  /** The deploy-and-benchmark input; undefined skips the phase. */
  deploy?: DeployInput;
  deployDeadlineMs: number;
  sampleIntervalMs: number;
}

export const defaultScenarioOptions: Omit<ScenarioOptions, "deploy"> = {
  hostSize: { cpu: 832, memory: 832 },
  hosts: { initial: 3, peak: 6, final: 2 },
  walkSeconds: 20,
  convergeDeadlineMs: 20_000,
  deployDeadlineMs: 90_000,
  sampleIntervalMs: 200,
};

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioContext {
  system: LocalSystem;
  recorder: Recorder;
  progress: ProgressReporter;
  options: ScenarioOptions;
  /** Every convergence check, per controller. */
  checks: Map<string, Check[]>;
  deployment?: DeployOutcome;
  demandSteps: { total: number; followed: number };
}

/** The template's logical ID of the function that moves demand. */
const demandRandomizerId = "DemandRandomizerFunction";

export const controllerNames = {
  perHost: "per-host sync (DesiredCountSyncFunction)",
  priorities: "priority scaler (PriorityScalerFunction)",
  demand: `demand randomizer (${demandRandomizerId})`,
  deploy: "deploy-and-benchmark (DeployAndBenchmarkStateMachine)",
} as const;

export function startScenario(
  system: LocalSystem,
  progress: ProgressReporter,
  options: Partial<ScenarioOptions> = {},
): ScenarioContext {
  const merged = { ...defaultScenarioOptions, ...options };
  const recorder = new Recorder(system, merged.sampleIntervalMs);
  recorder.start();
  return {
    system,
    recorder,
    progress,
    options: merged,
    checks: new Map(),
    demandSteps: { total: 0, followed: 0 },
  };
}

function check(context: ScenarioContext, controller: string, result: Check): boolean {
  const list = context.checks.get(controller) ?? [];
  list.push(result);
  context.checks.set(controller, list);
  context.progress.converged(result.what, result.ok, result.detail);
  return result.ok;
}

/** Waits until `converged` holds for the recorder's snapshots; records the outcome. */
async function expectConverged(
  context: ScenarioContext,
  controller: string,
  when: string,
  converged: (snapshot: Snapshot) => boolean,
  describe: (snapshot: Snapshot) => string,
): Promise<boolean> {
  const { ok, snapshot, seconds } = await context.recorder.until(
    converged,
    context.options.convergeDeadlineMs,
  );
  return check(context, controller, {
    what: when,
    ok,
    detail: `${describe(snapshot)}${ok ? ` (${seconds.toFixed(1)} s)` : " — did not converge"}`,
  });
}

/** Waits for the per-host service to follow the hosts; records the outcome. */
export function expectPerHost(context: ScenarioContext, when: string): Promise<boolean> {
  return expectConverged(context, controllerNames.perHost, when, perHostConverged, describePerHost);
}

/** Waits for P1/P2 to match the current demand within capacity; records the outcome. */
export function expectPriorities(context: ScenarioContext, when: string): Promise<boolean> {
  return expectConverged(
    context,
    controllerNames.priorities,
    when,
    prioritiesConverged,
    describeCounts,
  );
}

export async function hostsJoin(context: ScenarioContext): Promise<void> {
  const { system, progress, options } = context;
  progress.phase("hosts join", `${options.hosts.initial} → ${options.hosts.peak}`);
  // The first host alone, so the web and backend tasks land together on the host that stays.
  joinHosts(system, 1, options.hostSize);
  const first = await context.recorder.until(
    (s) => s.web.running === s.web.desired && s.web.desired > 0 && perHostConverged(s),
    options.convergeDeadlineMs,
  );
  progress.info(
    `first host: web ${first.snapshot.web.running}/${first.snapshot.web.desired} running, per-host ${first.snapshot.perHost.running}`,
  );
  joinHosts(system, options.hosts.initial - 1, options.hostSize);
  progress.info(`${options.hosts.initial - 1} more hosts register`);
  await expectPerHost(context, `${options.hosts.initial} hosts`);
  joinHosts(system, options.hosts.peak - options.hosts.initial, options.hostSize);
  progress.info(`${options.hosts.peak - options.hosts.initial} more hosts register`);
  await expectPerHost(context, `${options.hosts.peak} hosts`);
}

/** Watches the demand walk: every step, whether P1/P2 settled on it before the next one. */
export async function demandWalk(context: ScenarioContext): Promise<void> {
  const { progress, options, recorder } = context;
  progress.phase("demand walks", `${options.walkSeconds} s; P1 follows demand, P2 takes the rest`);
  const end = Date.now() + options.walkSeconds * 1000;
  let current: number | undefined = recorder.latest?.demand;
  let settled = false;
  let stepStarted = Date.now();
  const values = new Set<number>();
  while (Date.now() < end) {
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
  check(context, controllerNames.demand, {
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
  // The Auto Scaling group picks the hosts; the ones serving web and backend stay.
  const busy = (arn: string) =>
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
  const keep = [...active.filter(busy), ...active.filter((arn) => !busy(arn))].slice(
    0,
    options.hosts.final,
  );
  const leaving = active.filter((arn) => !keep.includes(arn));
  await drainHosts(system, leaving);
  progress.info(`UpdateContainerInstancesState DRAINING × ${leaving.length}`);
  await expectPerHost(context, `${options.hosts.final} ACTIVE hosts (${leaving.length} draining)`);
  const drained = await recorder.until(
    () => leaving.every((arn) => tasksOnHost(system, arn) === 0),
    options.convergeDeadlineMs / 2,
  );
  const left = leaving.reduce((sum, arn) => sum + tasksOnHost(system, arn), 0);
  await deregisterHosts(system, leaving);
  progress.info(
    drained.ok
      ? `drained in ${drained.seconds.toFixed(1)} s; DeregisterContainerInstance × ${leaving.length}`
      : `${left} tasks still on the draining hosts after ${drained.seconds.toFixed(1)} s (no free slot elsewhere); DeregisterContainerInstance force × ${leaving.length}`,
  );
  await expectPerHost(context, `${options.hosts.final} hosts`);
  await expectPriorities(context, `${options.hosts.final} hosts`);
}

export async function deployPhase(context: ScenarioContext, input: DeployInput): Promise<void> {
  const { system, progress, options } = context;
  progress.phase(
    "deploy and benchmark",
    `${input.service} → ${input.image ?? input.taskDefinition}, ${input.benchmark?.durationSeconds ?? 10} s load through the load balancer`,
  );
  const before = (await context.recorder.next()).web.taskDefinition;
  const stopScaling = scaleOutForUnplacedTasks(
    system,
    [input.service],
    options.hostSize,
    (service, hosts) =>
      progress.info(`managed scaling: ${service} has tasks no host can take → host ${hosts} joins`),
  );
  let outcome: DeployOutcome;
  try {
    outcome = await deployAndBenchmark(system, input, progress, options.deployDeadlineMs);
  } finally {
    stopScaling();
  }
  context.deployment = outcome;
  const web = (await context.recorder.next()).web;
  const runs = await recordedRuns(system, input.service);
  const recorded = runs.find((run) => run.executionArn === outcome.executionArn);
  const rolled = outcome.output?.taskDefinition;
  check(context, controllerNames.deploy, {
    what: "execution",
    ok: outcome.status === "SUCCEEDED" && recorded?.status === "SUCCEEDED",
    detail:
      outcome.status === "SUCCEEDED"
        ? `SUCCEEDED in ${outcome.seconds.toFixed(1)} s: ${short(before)} → ${short(rolled ?? "")}, running ${web.running}/${web.desired}, recorded in BenchmarkResultsTable: ${recorded !== undefined}`
        : `${outcome.status} ${outcome.error ?? ""}: ${outcome.cause ?? ""}`,
  });
  await expectPerHost(context, "after the rollout");
  await expectPriorities(context, "after the rollout");
}

function short(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

export interface ScenarioOutcome {
  ok: boolean;
  controllers: ControllerOutcome[];
  /** What did not converge, by controller, for the exit message. */
  failures: string[];
  benchmark?: BenchmarkFigures;
  deployment?: DeployOutcome;
  overCapacitySamples: number;
  samples: number;
  invocationErrors: Record<string, number>;
  report: ScenarioReport;
}

export function finishScenario(context: ScenarioContext, startedAt: number): ScenarioOutcome {
  context.recorder.stop();
  const { timeline, overCapacity } = context.recorder;
  check(context, controllerNames.priorities, {
    what: "P1 + P2 within capacity",
    ok: overCapacity.length === 0,
    detail: `${timeline.length - overCapacity.length} of ${timeline.length} samples${overCapacity.length > 0 ? `; over at t=${overCapacity.map((s) => s.t).join(", ")}` : ""}`,
  });
  const controllers: ControllerOutcome[] = [...context.checks].map(([name, checks]) => ({
    name,
    converged: checks.every((c) => c.ok),
    detail:
      checks.map((c) => `${c.what} ${c.ok ? "✓" : "✗"}`).join("; ") +
      (name === controllerNames.priorities
        ? `; followed ${context.demandSteps.followed} of ${context.demandSteps.total} demand steps before the next`
        : ""),
  }));
  const failures = [...context.checks].flatMap(([name, checks]) =>
    checks.filter((c) => !c.ok).map((c) => `${name}: ${c.what} — ${c.detail}`),
  );
  const invocationErrors: Record<string, number> = {};
  for (const record of context.system.wired.lambda.invocations) {
    if (record.outcome === "error") {
      invocationErrors[record.logicalId] = (invocationErrors[record.logicalId] ?? 0) + 1;
    }
  }
  const benchmark = context.deployment?.output?.result;
  const durationSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
  const report: ScenarioReport = {
    title: "Microscale — local cloud scenario",
    generatedAt: new Date().toISOString(),
    durationSeconds,
    timeline: timeline.map(toTimelinePoint),
    ...(benchmark === undefined ? {} : { benchmark }),
    ...(context.deployment === undefined
      ? {}
      : {
          deployment: {
            status: context.deployment.status,
            executionArn: context.deployment.executionArn,
            ...(context.deployment.cause === undefined
              ? {}
              : { detail: `${context.deployment.error}: ${context.deployment.cause}` }),
          },
        }),
    controllers,
  };
  return {
    ok: failures.length === 0,
    controllers,
    failures,
    ...(benchmark === undefined ? {} : { benchmark }),
    ...(context.deployment === undefined ? {} : { deployment: context.deployment }),
    overCapacitySamples: overCapacity.length,
    samples: timeline.length,
    invocationErrors,
    report,
  };
}

export function toTimelinePoint(snapshot: Snapshot): TimelinePoint {
  return {
    t: snapshot.t,
    ...(snapshot.demand === undefined ? {} : { demand: snapshot.demand }),
    capacity: snapshot.clusterCapacity,
    highPriorityDesired: snapshot.high.desired,
    highPriorityRunning: snapshot.high.running,
    lowPriorityDesired: snapshot.low.desired,
    lowPriorityRunning: snapshot.low.running,
    hosts: snapshot.hosts.active,
    perHostDesired: snapshot.perHost.desired,
    perHostRunning: snapshot.perHost.running,
  };
}

/** The whole scenario, phase after phase; a phase that misses a deadline does not stop the next. */
export async function runScenario(
  system: LocalSystem,
  progress: ProgressReporter,
  options: Partial<ScenarioOptions> = {},
): Promise<ScenarioOutcome> {
  const startedAt = Date.now();
  const context = startScenario(system, progress, options);
  try {
    await hostsJoin(context);
    await demandWalk(context);
    await hostsLeave(context);
    if (context.options.deploy !== undefined) await deployPhase(context, context.options.deploy);
  } catch (error) {
    check(context, "scenario", {
      what: "ran to the end",
      ok: false,
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  return finishScenario(context, startedAt);
}

/** The compact end-of-run table. */
export function summaryTable(outcome: ScenarioOutcome): string {
  const lines = outcome.controllers.map(
    (controller) =>
      `  ${controller.converged ? "✓" : "✗"} ${controller.name}\n      ${controller.detail}`,
  );
  if (outcome.benchmark !== undefined) {
    const b = outcome.benchmark;
    lines.push(
      `  benchmark: ${b.requestsPerSecond.toFixed(0)} req/s, p50 ${b.latencyMs.p50} ms, p99 ${b.latencyMs.p99} ms, ${b.requests.ok}/${b.requests.total} ok, ${b.errors} errors, ${b.non2xx} non-2xx`,
    );
  }
  const errors = Object.entries(outcome.invocationErrors);
  lines.push(
    `  function errors (retried by the next event or schedule): ${errors.length === 0 ? "none" : errors.map(([id, n]) => `${id} ${n}`).join(", ")}`,
  );
  return lines.join("\n");
}
