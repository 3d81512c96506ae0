/**
 * What a handler is invoked with in tests: a sample event from `events/` — the same files
 * `sam local invoke -e` and `npm run invoke` take — and a Lambda context.
 */
import { readFileSync } from "node:fs";
import type { Context } from "aws-lambda";

/** The folders of `events/`: one per function, and the state machine's inputs. */
export type EventFolder =
  | "benchmark-runner"
  | "demand-randomizer"
  | "deploy-and-benchmark"
  | "desired-count-sync"
  | "host-consolidator"
  | "priority-scaler";

/** A sample EventBridge event, with `detail` open for a test to change. */
export type EventBridgeSample = Record<string, unknown> & { detail: Record<string, unknown> };

const eventsFolder = new URL("../../events/", import.meta.url);

/** `events/<folder>/<name>.json`, parsed afresh on every call, so a test may change its copy. */
export function sampleEvent<T = Record<string, unknown>>(folder: EventFolder, name: string): T {
  return JSON.parse(readFileSync(new URL(`${folder}/${name}.json`, eventsFolder), "utf8")) as T;
}

export interface ContextOptions {
  /** What `getRemainingTimeInMillis()` answers, fixed (default 60 s). */
  readonly remainingMs?: number;
  readonly functionName?: string;
  readonly awsRequestId?: string;
}

/** A Lambda context as the runtime passes it; completion callbacks throw, as ours never use them. */
export function lambdaContext(options: ContextOptions = {}): Context {
  const functionName = options.functionName ?? "TestFunction";
  const unsupported = () => {
    throw new Error("callback-style completion is not used: handlers return a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: options.awsRequestId ?? "00000000-0000-4000-8000-000000000000",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2025/03/06/[$LATEST]00000000000040008000000000000000",
    getRemainingTimeInMillis: () => options.remainingMs ?? 60_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
