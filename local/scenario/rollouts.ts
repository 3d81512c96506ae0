import {
  type DeployInput,
  type DeployOutcome,
  deployAndBenchmark,
  registerRevisionWithEnvironment,
  shortTaskDefinition,
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

/** How many requests the bad release's benchmark must send, and how long it may take. */
export interface DecisiveRun {
  requests: number;
  minSeconds: number;
  maxSeconds: number;
}

/**
 * Seconds of load that decide the bad release's verdict rather than leave it to chance:
 * its errors are random (2 % of backend calls), so what decides is how many requests are
 * sent, not for how long. Sized from the throughput the good release just measured on
 * this machine, within [minSeconds, maxSeconds]; an unknown throughput takes the most.
 */
export function decisiveSeconds(requestsPerSecond: number | undefined, run: DecisiveRun): number {
  if (requestsPerSecond === undefined || !(requestsPerSecond > 0)) return run.maxSeconds;
  const seconds = Math.ceil(run.requests / requestsPerSecond);
  return Math.min(run.maxSeconds, Math.max(run.minSeconds, seconds));
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
 * by ARN with the input's benchmark: the gate's maxErrorRate (0.01 unless the input
 * says otherwise) must refuse it.
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
  progress.info(`bad revision ${shortTaskDefinition(taskDefinition)}: web with BACKEND_RETRIES=0`);
  const outcome = await deployAndBenchmark(
    system,
    {
      service: input.service,
      desiredCount: input.desiredCount,
      taskDefinition,
      ...(input.benchmark === undefined ? {} : { benchmark: input.benchmark }),
    },
    progress,
    deadlineMs,
  );
  return { outcome, taskDefinition };
}
