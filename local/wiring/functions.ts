import type { LocalClock } from "../clock";
import { functionFromTemplate } from "../lambda/definition";
import { LocalLambdaRuntime } from "../lambda/runtime";
import { resourcesOfType, type Template } from "../template/read";
import type { ResolveContext } from "../template/resolve";
import type { Wiring } from "./context";
import { scaledDurations } from "./state-machines";

/**
 * Lambda functions: every `AWS::Serverless::Function` registered with the local runtime,
 * its environment resolved to the local resources. The CLI's `invoke` registers one the
 * same way against a cloud that is already running.
 */

export interface FunctionRuntimeOptions {
  region: string;
  accountId: string;
  /** The edge every SDK client in a function talks to. */
  endpoint: string;
  /** Extra variables for every function (log level, metrics off); the template's own win. */
  environment?: Readonly<Record<string, string>>;
  /** Which functions; default every function in the template. */
  logicalIds?: readonly string[];
  /**
   * The cloud's clock: a function's `…_SECONDS` variables (the host consolidator's
   * CONSOLIDATE_AFTER_SECONDS, MIN_HOST_AGE_SECONDS) are durations it measures against
   * real timestamps (ECS's registeredAt, its own clock), so they are given in real
   * seconds, as the state machine's `…Seconds` substitutions are. Absent: as written.
   */
  clock?: LocalClock;
}

const isDurationVariable = (name: string) => name.endsWith("_SECONDS");

export function functionRuntime(
  template: Template,
  names: ResolveContext,
  options: FunctionRuntimeOptions,
): LocalLambdaRuntime {
  const { logicalIds, clock, ...runtimeOptions } = options;
  const lambda = new LocalLambdaRuntime(runtimeOptions);
  const ids =
    logicalIds ?? resourcesOfType(template, "AWS::Serverless::Function").map(([id]) => id);
  for (const id of ids) {
    const definition = functionFromTemplate(template, id, names);
    lambda.register(
      clock === undefined
        ? definition
        : {
            ...definition,
            environment: scaledDurations(definition.environment, clock, isDurationVariable),
          },
    );
  }
  return lambda;
}

/** How long stopping waits for invocations in flight, in real time. */
const drainTimeoutMs = 5_000;

/** Every function of the template on the cloud; stopping waits for invocations in flight. */
export function wireFunctions(
  wiring: Wiring,
  environment?: Readonly<Record<string, string>>,
): LocalLambdaRuntime {
  const { cloud } = wiring;
  const lambda = functionRuntime(wiring.template, wiring.names, {
    region: cloud.region,
    accountId: cloud.accountId,
    endpoint: cloud.endpoint,
    environment,
    logicalIds: wiring.resources("AWS::Serverless::Function").map(([id]) => id),
    clock: wiring.clock,
  });
  // Invocations in flight finish while the edge still answers (a schedule tick at
  // shutdown otherwise meets ECONNREFUSED); a long benchmark run is not waited for.
  wiring.onStop(() =>
    Promise.race([
      lambda.drain(),
      new Promise((resolveLater) => setTimeout(resolveLater, drainTimeoutMs).unref()),
    ]),
  );
  return lambda;
}
