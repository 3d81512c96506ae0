import type {
  BenchmarkFigures,
  ControllerOutcome,
  ScenarioReport,
  TimelinePoint,
} from "../report/html";
import type { DeployOutcome } from "./deploy";
import type { Snapshot } from "./observe";
import { PROBE_INTERVAL_MS } from "./rollouts";
import {
  controllerNames,
  demandRandomizerId,
  recordCheck,
  type ScenarioContext,
} from "./run-context";

/**
 * How a scenario run ended: every controller's checks, the benchmark figures, the
 * report's timeline, and the compact table the CLI prints.
 */

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
  recordCheck(context, controllerNames.priorities, {
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
    timeScale: context.system.cloud.clock.timeScale,
    ...demandSeed(context),
    phases: context.phases,
    consolidations: [...context.recorder.consolidations],
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
    ...(context.rollout === undefined
      ? {}
      : {
          rollout: {
            intervalMs: PROBE_INTERVAL_MS,
            availability: context.rollout.availability,
            longestGapMs: context.rollout.longestGapMs,
            samples: context.rollout.samples,
          },
        }),
    ...(context.refusal === undefined
      ? {}
      : {
          refusal: {
            status: context.refusal.outcome.status,
            error: context.refusal.outcome.error,
            cause: context.refusal.outcome.cause,
            taskDefinition: context.refusal.taskDefinition,
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

/** The randomizer's DEMAND_SEED, when the run has one: the same seed replays the walk. */
function demandSeed(context: ScenarioContext): { seed?: string } {
  const { lambda } = context.system.wired;
  const randomizer = lambda.definitions.find((d) => d.logicalId === demandRandomizerId);
  const seed = randomizer === undefined ? undefined : lambda.environmentFor(randomizer).DEMAND_SEED;
  return seed === undefined ? {} : { seed };
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
    hostsDesired: snapshot.capacity.desired,
    ...(snapshot.capacity.reservation === undefined
      ? {}
      : { reservation: Math.round(snapshot.capacity.reservation) }),
    drainingHosts: snapshot.hosts.draining,
    perHostDesired: snapshot.perHost.desired,
    perHostRunning: snapshot.perHost.running,
  };
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
