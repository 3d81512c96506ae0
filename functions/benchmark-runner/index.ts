import autocannon from "autocannon";
import type { Context } from "aws-lambda";
import { asError } from "../lib/errors";
import { logger, metrics, powertoolsLog, powertoolsMetricSink } from "../lib/observability";
import {
  type BenchmarkResult,
  type LoadGenerator,
  parseBenchmarkRequest,
  planBenchmark,
  runBenchmark,
} from "./benchmark";

/** autocannon's promise form; one place, so the core never imports the library itself. */
const autocannonLoad: LoadGenerator = (options) => autocannon(options);

const sink = powertoolsMetricSink(metrics);

/** The part of the Lambda context the runner needs: its time budget. */
type TimeBudget = Pick<Context, "getRemainingTimeInMillis">;

/**
 * Lambda's context (and the local runtime's) always carries awsRequestId; tests that
 * call the handler directly pass only the time budget, which has nothing to log.
 */
function isInvocationContext(context: TimeBudget): context is Context {
  return "awsRequestId" in context;
}

/**
 * BenchmarkRunnerFunction: load-tests `event.url` over HTTP and returns the figures.
 * It calls no AWS API, so it needs no IAM permissions beyond logging.
 * Bad input throws ValidationError before any request is sent.
 */
export async function handler(event: unknown, context: TimeBudget): Promise<BenchmarkResult> {
  if (isInvocationContext(context)) logger.addContext(context);
  try {
    const request = parseBenchmarkRequest(event);
    const plan = planBenchmark(request, context.getRemainingTimeInMillis());
    logger.info("benchmark starting", { plan });
    const result = await runBenchmark(plan, autocannonLoad, powertoolsLog);
    sink.record("BenchmarkRequestsPerSecond", "None", result.requestsPerSecond);
    sink.record("BenchmarkLatencyP99", "Milliseconds", result.latencyMs.p99);
    sink.record("BenchmarkFailedRequests", "Count", result.requests.total - result.requests.ok);
    logger.info("benchmark finished", { result });
    return result;
  } catch (thrown) {
    logger.error("benchmark runner failed", asError(thrown));
    throw thrown;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
