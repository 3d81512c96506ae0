import { functionFromTemplate } from "../lambda/definition";
import { LocalLambdaRuntime } from "../lambda/runtime";
import { resourcesOfType, type Template } from "../template/read";
import type { ResolveContext } from "../template/resolve";
import type { Wiring } from "./context";

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
}

export function functionRuntime(
  template: Template,
  names: ResolveContext,
  options: FunctionRuntimeOptions,
): LocalLambdaRuntime {
  const { logicalIds, ...runtimeOptions } = options;
  const lambda = new LocalLambdaRuntime(runtimeOptions);
  const ids =
    logicalIds ?? resourcesOfType(template, "AWS::Serverless::Function").map(([id]) => id);
  for (const id of ids) lambda.register(functionFromTemplate(template, id, names));
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
