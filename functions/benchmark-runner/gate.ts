/**
 * The performance gate: a release passes when its measured figures stay inside the
 * thresholds of the deploy-and-benchmark input. Pure arithmetic, so the state machine
 * only asks "PASSED or FAILED?" and the Cause it fails with comes from here.
 */

/** The default gate when the input sets no maxErrorRate: at most 1 % of requests may fail. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;

export interface GateThresholds {
  /** Errors, timeouts and non-2xx over all requests. */
  maxErrorRate: number;
  /** Highest acceptable p99 latency, in ms. */
  maxP99Ms?: number;
  /** Highest acceptable fall in requests/s against the baseline, as a fraction (0.2 = 20 %). */
  maxThroughputDrop?: number;
}

/** The last SUCCEEDED run of the same service, as BenchmarkResultsTable recorded it. */
export interface Baseline {
  requestsPerSecond: number;
  executionArn?: string;
  taskDefinition?: string;
}

/** What the gate needs of a run's figures. */
export interface GatedFigures {
  requestsPerSecond: number;
  latencyMs: { p99: number };
  /** Responses received (`ok` of them 2xx). */
  requests: { total: number; ok: number };
  /** Requests that got no response: connection errors and timeouts (autocannon's convention). */
  errors: number;
  /** The timeouts among `errors`. */
  timeouts: number;
  non2xx: number;
}

export type ThresholdName = keyof GateThresholds;

export interface GateCheck {
  threshold: ThresholdName;
  /** The threshold's value. */
  limit: number;
  /** The measured value compared with it (for maxThroughputDrop, the fall as a fraction). */
  measured: number;
  passed: boolean;
}

export interface GateVerdict {
  verdict: "PASSED" | "FAILED";
  checks: GateCheck[];
  /** Set when maxThroughputDrop was asked for: the run it was compared with, or null when there was none yet. */
  baseline?: Baseline | null;
  /** FAILED only: every missed threshold with its measured value, one sentence each. */
  cause?: string;
}

/**
 * Failed requests (no response, timed out or non-2xx) over all requests sent: the
 * responses plus the requests that got none. A run that sent nothing is all failure.
 */
export function errorRateOf(figures: GatedFigures): number {
  const sent = figures.requests.total + figures.errors;
  if (sent === 0) return 1;
  return (figures.errors + figures.non2xx) / sent;
}

/** 1 − measured / baseline: positive when slower, negative when faster. */
export function throughputDrop(requestsPerSecond: number, baseline: number): number {
  return 1 - requestsPerSecond / baseline;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;

function explain(check: GateCheck, figures: GatedFigures, baseline?: Baseline | null): string {
  switch (check.threshold) {
    case "maxErrorRate":
      return (
        `maxErrorRate ${check.limit} exceeded: error rate ${check.measured.toFixed(4)} ` +
        `(${figures.errors} errors of which ${figures.timeouts} timeouts, ${figures.non2xx} non-2xx; ` +
        `${figures.requests.total + figures.errors} requests).`
      );
    case "maxP99Ms":
      return `maxP99Ms ${check.limit} exceeded: p99 latency ${figures.latencyMs.p99} ms.`;
    case "maxThroughputDrop":
      return (
        `maxThroughputDrop ${check.limit} exceeded: ${figures.requestsPerSecond} requests/s is ` +
        `${percent(check.measured)} below the last SUCCEEDED run's ${baseline?.requestsPerSecond} ` +
        `(${baseline?.taskDefinition ?? "unknown task definition"}).`
      );
  }
}

/**
 * Compares the figures with every threshold given. maxThroughputDrop without a
 * baseline (the service's first recorded run) has nothing to compare with and is
 * reported as such, not failed.
 */
export function evaluateGate(
  figures: GatedFigures,
  thresholds: GateThresholds,
  baseline?: Baseline,
): GateVerdict {
  const checks: GateCheck[] = [];
  const errorRate = errorRateOf(figures);
  checks.push({
    threshold: "maxErrorRate",
    limit: thresholds.maxErrorRate,
    measured: Math.round(errorRate * 1_000_000) / 1_000_000,
    passed: errorRate <= thresholds.maxErrorRate && figures.requests.ok > 0,
  });
  if (thresholds.maxP99Ms !== undefined) {
    const p99 = figures.latencyMs.p99;
    checks.push({
      threshold: "maxP99Ms",
      limit: thresholds.maxP99Ms,
      measured: p99,
      passed: p99 <= thresholds.maxP99Ms,
    });
  }
  if (thresholds.maxThroughputDrop !== undefined && baseline !== undefined) {
    const drop = throughputDrop(figures.requestsPerSecond, baseline.requestsPerSecond);
    checks.push({
      threshold: "maxThroughputDrop",
      limit: thresholds.maxThroughputDrop,
      measured: Math.round(drop * 10_000) / 10_000,
      passed: drop <= thresholds.maxThroughputDrop,
    });
  }
  const missed = checks.filter((check) => !check.passed);
  const verdict: GateVerdict = { verdict: missed.length === 0 ? "PASSED" : "FAILED", checks };
  if (thresholds.maxThroughputDrop !== undefined) verdict.baseline = baseline ?? null;
  if (missed.length > 0) {
    verdict.cause = `Performance gate failed: ${missed.map((check) => explain(check, figures, baseline)).join(" ")}`;
  }
  return verdict;
}
