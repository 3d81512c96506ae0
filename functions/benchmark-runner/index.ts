import { type FunctionDefinition, type HandlerDeps, lambdaHandler, noConfig } from "../lib/handler";
import {
  type BenchmarkDeps,
  type BenchmarkResult,
  parseBenchmarkRequest,
  planBenchmark,
  runBenchmark,
} from "./benchmark";
import { load } from "./load";

/**
 * BenchmarkRunnerFunction: load-tests `event.url` over HTTP and returns the figures.
 * It calls no AWS API, so it needs no IAM permissions beyond logging, and it reads no
 * environment variable: the request, and the time the invocation has left, say it all.
 * Bad input throws ValidationError before any request is sent.
 */
export const definition: FunctionDefinition<
  undefined,
  HandlerDeps<BenchmarkDeps>,
  BenchmarkResult
> = {
  name: "benchmark runner",
  loadConfig: noConfig,
  run: async (event, _config, deps, context) => {
    const request = parseBenchmarkRequest(event);
    const plan = planBenchmark(request, context.getRemainingTimeInMillis());
    return runBenchmark(plan, deps);
  },
};

export const handler = lambdaHandler(definition, { deps: { load } });
