import {
  type DeployInput,
  type DeployOutcome,
  deployAndBenchmark,
  registerRevisionWithEnvironment,
} from "./deploy";
import { type ProbeSummary, startProbe } from "./probe";
import type { ProgressReporter } from "./progress";
import type { LocalSystem } from "./system";

/**
 * Both sides of deploy-and-benchmark, as `npm start` shows them: a good release rolled
 * out while an outside probe watches the load balancer (it must stay 2xx), and a bad
 * one — web without backend retries, about 2 % 502s — that the performance gate must
 * refuse and roll back.
 */

/** The probe's period: a rollout must keep answering 2xx to a probe this often (issue 11's guarantee). */
export const PROBE_INTERVAL_MS = 50;

export interface ProbedRollout {
  outcome: DeployOutcome;
  probe: ProbeSummary;
}

/** One deploy-and-benchmark execution with the probe running from its start to its end. */
export async function probedRollout(
  system: LocalSystem,
  input: DeployInput,
  progress: ProgressReporter,
  deadlineMs?: number,
): Promise<ProbedRollout> {
  const probe = startProbe(system.names.loadBalancerUrl, PROBE_INTERVAL_MS);
  const outcome = await deployAndBenchmark(system, input, progress, deadlineMs).catch(
    async (error: unknown) => {
      await probe.stop();
      throw error;
    },
  );
  const seen = await probe.stop();
  progress.info(
    `outside probe: ${seen.ok}/${seen.sent} answers 2xx every ${PROBE_INTERVAL_MS} ms, longest gap ${seen.longestGapMs} ms`,
  );
  return { outcome, probe: seen };
}

/** Environment of the deliberately bad revision: web passes the backend's 2 % failures on. */
export const flakyWebEnvironment = { BACKEND_RETRIES: "0" } as const;

export interface RefusedRelease {
  outcome: DeployOutcome;
  /** The revision the gate was asked to judge. */
  taskDefinition: string;
}

/**
 * Registers web's current task definition again with BACKEND_RETRIES=0 and deploys it
 * by ARN with a short benchmark: the gate's default maxErrorRate (0.01) must refuse it.
 */
export async function flakyRelease(
  system: LocalSystem,
  input: DeployInput,
  progress: ProgressReporter,
  deadlineMs?: number,
): Promise<RefusedRelease> {
  const taskDefinition = await registerRevisionWithEnvironment(
    system,
    input.service,
    flakyWebEnvironment,
  );
  progress.info(`bad revision ${taskDefinition.split("/").pop()}: web with BACKEND_RETRIES=0`);
  const outcome = await deployAndBenchmark(
    system,
    {
      service: input.service,
      desiredCount: input.desiredCount,
      taskDefinition,
      benchmark: { ...input.benchmark, durationSeconds: 4, warmupSeconds: 1 },
    },
    progress,
    deadlineMs,
  );
  return { outcome, taskDefinition };
}
