import type { DeployOutcome } from "./deploy";
import {
  describeCounts,
  describePerHost,
  perHostConverged,
  prioritiesConverged,
  type Snapshot,
} from "./observe";
import { defaultScenarioOptions, type ScenarioOptions } from "./options";
import type { ProbeSummary } from "./probe";
import type { ProgressReporter } from "./progress";
import { Recorder } from "./recorder";
import type { RefusedRelease } from "./rollouts";
import type { LocalSystem } from "./system";

/**
 * What a scenario run carries from phase to phase — the system, the recorder sampling
 * it, the progress output and every convergence check so far — and the checks
 * themselves: a condition on the sampled state with a deadline, its outcome recorded
 * per controller.
 */

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
  /** What the outside probe saw during the good rollout. */
  rollout?: ProbeSummary;
  /** The deliberately bad release the gate must refuse. */
  refusal?: RefusedRelease;
  demandSteps: { total: number; followed: number };
  /** When each phase began (seconds on the recorder's timeline): the report's markers. */
  phases: { t: number; label: string }[];
}

/** The template's logical ID of the function that moves demand. */
export const demandRandomizerId = "DemandRandomizerFunction";

export const controllerNames = {
  perHost: "per-host sync (DesiredCountSyncFunction)",
  priorities: "priority scaler (PriorityScalerFunction)",
  demand: `demand randomizer (${demandRandomizerId})`,
  deploy: "deploy-and-benchmark (DeployAndBenchmarkStateMachine)",
  scaleOut: "managed scaling (HostCapacityProvider)",
  consolidator: "host consolidator (HostConsolidatorFunction)",
} as const;

export function startScenario(
  system: LocalSystem,
  progress: ProgressReporter,
  options: Partial<ScenarioOptions> = {},
): ScenarioContext {
  const merged = { ...defaultScenarioOptions, ...options };
  const recorder = new Recorder(system, merged.sampleIntervalMs);
  recorder.start();
  const phases: ScenarioContext["phases"] = [];
  const startedAt = Date.now();
  return {
    system,
    recorder,
    // Every phase the progress announces is also marked on the report's time axis.
    progress: {
      info: (line) => progress.info(line),
      converged: (what, ok, detail) => progress.converged(what, ok, detail),
      phase: (name, what) => {
        phases.push({ t: Math.round((Date.now() - startedAt) / 100) / 10, label: name });
        progress.phase(name, what);
      },
    },
    options: merged,
    checks: new Map(),
    demandSteps: { total: 0, followed: 0 },
    phases,
  };
}

export function recordCheck(context: ScenarioContext, controller: string, result: Check): boolean {
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
  return recordCheck(context, controller, {
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
