import * as z from "zod/mini";
import { ValidationError } from "../lib/errors";
import type { Observed } from "../lib/observability";
import {
  type Baseline,
  DEFAULT_MAX_ERROR_RATE,
  errorRateOf,
  evaluateGate,
  type GateThresholds,
  type GateVerdict,
} from "./gate";
import type { LoadGenerator, LoadRun } from "./load";
import { round2 } from "./tally";

/**
 * The benchmark runner's core: validate the request, plan a warm-up and a measured
 * run that fit in the invocation's remaining time, drive the load generator, and
 * reduce its raw result to ApacheBench-style figures (`BenchmarkResult`: requests/s,
 * latency percentiles, request counts and failures of the measured run only) with the
 * performance gate's verdict on them (./gate.ts).
 */

/** More open sockets than this is a typo or a fork bomb, not a benchmark: Lambda allows 1,024 descriptors. */
const MAX_CONNECTIONS = 500;
/** Lambda's own ceiling is 900 s; a measured run can never be longer. */
const MAX_DURATION_SECONDS = 900;
/** Time kept back from the invocation's remaining time for summarising, logging and returning. */
export const SAFETY_MARGIN_MS = 5_000;
/** Below this the figures are noise: refuse rather than report them. */
const MIN_MEASURED_SECONDS = 1;
/** An open-loop rate above what one Lambda can send is a typo. */
const MAX_RATE_PER_SECOND = 100_000;
/** A generator using this share of one core or more is the bottleneck: its figures measure itself (autocannon's advice). */
const SATURATED_CPU_PERCENT = 90;
/**
 * More requests than this in flight on one connection only queue at the server: past a
 * few, pipelining saves no more reads and writes (docs/performance.md).
 */
const MAX_PIPELINING = 32;
/** Per-request timeout: a response slower than this counts as a timeout (and an error). */
const REQUEST_TIMEOUT_SECONDS = 10;

/** The URL's scheme, or undefined when it is not an absolute URL at all. */
function protocolOf(value: string): string | undefined {
  return URL.canParse(value) ? new URL(value).protocol : undefined;
}

const httpUrl = z.string({ error: "must be a string" }).check(
  z.superRefine((value, context) => {
    const protocol = protocolOf(value);
    if (protocol === undefined)
      context.addIssue({ code: "custom", message: "must be an absolute URL" });
    else if (protocol !== "http:" && protocol !== "https:") {
      context.addIssue({ code: "custom", message: `must use http or https, not ${protocol}` });
    }
  }),
);

const number = (...checks: z.core.$ZodCheck<number>[]) =>
  z.number({ error: "must be a number" }).check(...checks);
const positive = z.positive("must be positive");
const atMost = (limit: number) => z.maximum(limit, `must be at most ${limit}`);
const notNegative = z.nonnegative("must not be negative");
const integer = z.refine<number>(Number.isInteger, "must be an integer");

// zod/mini, not zod: the same checks and messages, at a fiftieth of the import cost
// (docs/performance.md: about 6 ms of cold start against 59 ms for the full entry).
const benchmarkRequestSchema = z.object({
  url: httpUrl,
  durationSeconds: z._default(number(positive, atMost(MAX_DURATION_SECONDS)), 10),
  connections: z._default(number(integer, positive, atMost(MAX_CONNECTIONS)), 10),
  pipelining: z._default(number(integer, positive, atMost(MAX_PIPELINING)), 1),
  warmupSeconds: z._default(number(notNegative, atMost(60)), 2),
  ratePerSecond: z.optional(number(positive, atMost(MAX_RATE_PER_SECOND))),
  // The gate's thresholds, passed on from the `benchmark` settings of the state machine's
  // input (events/deploy-and-benchmark/); its other fields (path) are not the runner's
  // and are dropped.
  maxErrorRate: z._default(number(notNegative, atMost(1)), DEFAULT_MAX_ERROR_RATE),
  maxP99Ms: z.optional(number(positive)),
  maxThroughputDrop: z.optional(number(notNegative, atMost(1))),
  baseline: z.optional(
    z.object({
      requestsPerSecond: number(positive),
      executionArn: z.optional(z.string({ error: "must be a string" })),
      taskDefinition: z.optional(z.string({ error: "must be a string" })),
    }),
  ),
});

export type BenchmarkRequest = z.infer<typeof benchmarkRequestSchema>;

/** Validates a runner event; the first problem becomes a ValidationError naming its field. */
export function parseBenchmarkRequest(event: unknown): BenchmarkRequest {
  const parsed = benchmarkRequestSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "event";
  throw new ValidationError(field, issue?.message ?? "is invalid");
}

/**
 * The figures a run reports, warm-up excluded. The state machine records them and acts
 * on the verdict (statemachines/deploy-and-benchmark.asl.json), so the shape is a contract.
 */
export interface BenchmarkResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number; ok: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  bytes: number;
  durationSeconds: number;
  /** (errors + timeouts + non-2xx) / total: the figure maxErrorRate is compared with. */
  errorRate: number;
  /** The performance gate's verdict on these figures. */
  gate: GateVerdict;
  /** Closed loop: each connection waits for its answer; open loop: a constant arrival rate, latency from when each request was due. */
  mode: "closed-loop" | "open-loop";
  /** Open loop only: the rate asked for (requestsPerSecond is what was achieved). */
  requestedRatePerSecond?: number;
  /** Open loop only: requests due but never sent, every connection being busy. */
  unsent?: number;
  /**
   * The runner's own CPU over the measured run (saturated: the figures measure the
   * generator, not the target), and the requests it kept in flight on each connection.
   */
  loadGenerator: { cpuPercent: number; saturated: boolean; pipelining: number };
}

/** Not one request of the measured run got a response. */
export class NothingAnsweredError extends Error {
  override readonly name = "NothingAnsweredError";
}

/** The invocation has too little time left for a meaningful measurement. */
export class BenchmarkBudgetError extends Error {
  override readonly name = "BenchmarkBudgetError";
}

export interface BenchmarkPlan {
  url: string;
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  ratePerSecond?: number;
  /** What will actually be measured: the request's duration, clamped to the time budget. */
  durationSeconds: number;
  /** True when the measured run was shortened to fit the invocation. */
  clamped: boolean;
  thresholds: GateThresholds;
  baseline?: Baseline;
}

/**
 * Fits the run into the invocation: warm-up + measured run + margin ≤ remaining time.
 * The measured run is clamped (and the result reports the duration actually measured)
 * rather than failing, because a shorter benchmark is still useful; only when less than
 * MIN_MEASURED_SECONDS would remain is it refused.
 */
export function planBenchmark(request: BenchmarkRequest, remainingMs: number): BenchmarkPlan {
  const budgetSeconds = (remainingMs - SAFETY_MARGIN_MS) / 1000 - request.warmupSeconds;
  if (budgetSeconds < MIN_MEASURED_SECONDS) {
    throw new BenchmarkBudgetError(
      `only ${Math.max(0, Math.floor(remainingMs))} ms left: a ${request.warmupSeconds} s warm-up, ` +
        `${MIN_MEASURED_SECONDS} s of measurement and a ${SAFETY_MARGIN_MS} ms margin do not fit; ` +
        "raise the function timeout or shorten the benchmark",
    );
  }
  const durationSeconds = Math.min(request.durationSeconds, Math.floor(budgetSeconds * 10) / 10);
  return {
    url: request.url,
    connections: request.connections,
    pipelining: request.pipelining,
    warmupSeconds: request.warmupSeconds,
    ratePerSecond: request.ratePerSecond,
    durationSeconds,
    clamped: durationSeconds < request.durationSeconds,
    thresholds: {
      maxErrorRate: request.maxErrorRate,
      maxP99Ms: request.maxP99Ms,
      maxThroughputDrop: request.maxThroughputDrop,
    },
    baseline: request.baseline,
  };
}

/** Process CPU (all threads) over wall time, as a percentage of one core. */
function cpuPercentSince(cpu: NodeJS.CpuUsage, startedAt: number): number {
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - startedAt;
  return wallMs > 0 ? Math.round((used.user + used.system) / 10 / wallMs) : 0;
}

/** Reduces a load run to the documented figures and judges them. */
function summarise(run: LoadRun, plan: BenchmarkPlan, cpuPercent: number): BenchmarkResult {
  const { durationSeconds, total } = run;
  const figures = {
    requestsPerSecond: durationSeconds > 0 ? round2(total / durationSeconds) : 0,
    latencyMs: run.latencyMs,
    requests: { total, ok: run.ok },
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx: run.non2xx,
    bytes: run.bytes,
    durationSeconds,
  };
  const openLoop =
    plan.ratePerSecond === undefined
      ? {}
      : { requestedRatePerSecond: plan.ratePerSecond, unsent: run.unsent ?? 0 };
  return {
    ...figures,
    errorRate: Math.round(errorRateOf(figures) * 1_000_000) / 1_000_000,
    gate: evaluateGate(figures, plan.thresholds, plan.baseline),
    mode: plan.ratePerSecond === undefined ? "closed-loop" : "open-loop",
    ...openLoop,
    loadGenerator: {
      cpuPercent,
      saturated: cpuPercent >= SATURATED_CPU_PERCENT,
      pipelining: plan.pipelining,
    },
  };
}

export interface BenchmarkDeps extends Observed {
  readonly load: LoadGenerator;
}

/**
 * Warm-up first (its figures are discarded: it opens connections and fills caches), then
 * the measured run, whose figures are the result.
 */
export async function runBenchmark(
  plan: BenchmarkPlan,
  { load, log, metrics }: BenchmarkDeps,
): Promise<BenchmarkResult> {
  log.info("benchmark starting", { plan });
  const common = {
    url: plan.url,
    connections: plan.connections,
    pipelining: plan.pipelining,
    timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    ratePerSecond: plan.ratePerSecond,
  };
  if (plan.warmupSeconds > 0) {
    const warmup = await load({ ...common, durationSeconds: plan.warmupSeconds });
    log.debug("warm-up finished", { requests: warmup.total, errors: warmup.errors });
  }
  if (plan.clamped) {
    log.warn("measured run shortened to fit the invocation", {
      durationSeconds: plan.durationSeconds,
    });
  }
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const run = await load({ ...common, durationSeconds: plan.durationSeconds });
  const result = summarise(run, plan, cpuPercentSince(cpu, startedAt));
  if (result.requests.ok + result.non2xx === 0) {
    // Figures of a run nobody answered measure nothing: the target is down or the URL wrong.
    throw new NothingAnsweredError(
      `no request to ${plan.url} was answered in ${plan.durationSeconds} s (${result.errors} errors, ${result.timeouts} timeouts)`,
    );
  }
  if (result.loadGenerator.saturated) {
    log.warn("the load generator saturated its CPU: the figures are a floor for the target", {
      cpuPercent: result.loadGenerator.cpuPercent,
    });
  }
  metrics.record("BenchmarkRequestsPerSecond", "None", result.requestsPerSecond);
  metrics.record("BenchmarkLatencyP99", "Milliseconds", result.latencyMs.p99);
  metrics.record("BenchmarkFailedRequests", "Count", result.requests.total - result.requests.ok);
  log.info("benchmark finished", { result });
  return result;
}
