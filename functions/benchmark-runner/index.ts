import autocannon from "autocannon";
import type { Context } from "aws-lambda";
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

/**
 * BenchmarkRunnerFunction: load-tests `event.url` over HTTP and returns the figures.
 * It calls no AWS API, so it needs no IAM permissions beyond logging.
 * Bad input throws ValidationError before any request is sent.
 */
export async function handler(
  event: unknown,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<BenchmarkResult> {
  const request = parseBenchmarkRequest(event);
  const plan = planBenchmark(request, context.getRemainingTimeInMillis());
  logger.info("benchmark starting", { plan });
  const result = await runBenchmark(plan, autocannonLoad, powertoolsLog);
  sink.record("BenchmarkRequestsPerSecond", "None", result.requestsPerSecond);
  sink.record("BenchmarkLatencyP99", "Milliseconds", result.latencyMs.p99);
  sink.record("BenchmarkFailedRequests", "Count", result.requests.total - result.requests.ok);
  metrics.publishStoredMetrics();
  logger.info("benchmark finished", { result });
  return result;
}
