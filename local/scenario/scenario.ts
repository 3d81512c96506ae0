import type { ScenarioOptions } from "./options";
import { finishScenario, type ScenarioOutcome } from "./outcome";
import { demandWalk, deployPhase, hostsJoin, hostsLeave } from "./phases";
import type { ProgressReporter } from "./progress";
import { demandDown, demandUp, surgeConsolidated } from "./right-sizing";
import { recordCheck, startScenario } from "./run-context";
import type { LocalSystem } from "./system";

/**
 * The `npm start` scenario, as phases the CLI runs in order and the integration tests
 * run one by one: hosts join (3 → 6) and the per-host service follows; demand walks and
 * P1/P2 follow within capacity; hosts drain and leave (6 → 2); demand up brings hosts
 * out for P1 and demand down lets the host consolidator take them back; a
 * deploy-and-benchmark execution rolls WebService and load-tests it through the local
 * load balancer, and the hosts its surge needed are consolidated after it. Every
 * wait is a condition on the sampled state with a deadline; what missed its deadline
 * is named in the outcome.
 */

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
    const bothWays = context.options.rightSizing !== undefined;
    if (bothWays) {
      await demandUp(context);
      await demandDown(context);
    }
    if (context.options.deploy !== undefined) {
      const since = context.recorder.consolidations.length;
      await deployPhase(context, context.options.deploy);
      if (bothWays) await surgeConsolidated(context, since);
    }
  } catch (error) {
    recordCheck(context, "scenario", {
      what: "ran to the end",
      ok: false,
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  return finishScenario(context, startedAt);
}
