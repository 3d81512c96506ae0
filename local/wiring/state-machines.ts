import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { LocalClock } from "../clock";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import { stepFunctionsApi } from "../stepfunctions/api";
import { LocalStepFunctions, type LoggingConfiguration } from "../stepfunctions/executions";
import { SdkIntegration } from "../stepfunctions/sdk-integration";
import {
  isObject,
  type JsonObject,
  projectRoot,
  resourcesOfType,
  type Template,
  withGlobals,
} from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";
import type { Wiring } from "./context";

/**
 * State machines: each `AWS::Serverless::StateMachine`'s ASL file with its
 * DefinitionSubstitutions resolved, run by the local Step Functions and served on the
 * edge; Lambda tasks go to the local runtime, `aws-sdk:*` tasks back through the edge.
 */

export interface StateMachinePlan {
  logicalId: string;
  name: string;
  definitionUri: string;
  substitutions: Record<string, string>;
  loggingConfiguration?: LoggingConfiguration;
  tracingConfiguration?: { enabled: boolean };
}

export function stateMachines(template: Template, context: ResolveContext): StateMachinePlan[] {
  return resourcesOfType(template, "AWS::Serverless::StateMachine").map(([id, resource]) => {
    const properties = withGlobals(template, resource);
    if (typeof properties.DefinitionUri !== "string") {
      throw new Error(`${id}: the local cloud needs DefinitionUri as a file path`);
    }
    const substitutions = resolveIntrinsics(properties.DefinitionSubstitutions ?? {}, context);
    return {
      logicalId: id,
      name: context.attributes?.[`${id}.Name`] ?? id,
      definitionUri: properties.DefinitionUri,
      ...stateMachineSettings(
        resolveIntrinsics(
          { Logging: properties.Logging ?? null, Tracing: properties.Tracing ?? null },
          context,
        ) as JsonObject,
      ),
      substitutions: Object.fromEntries(
        Object.entries(substitutions as JsonObject).map(([key, value]) => [key, String(value)]),
      ),
    };
  });
}

/** The template's `Logging` and `Tracing`, in DescribeStateMachine's words. */
function stateMachineSettings({ Logging, Tracing }: JsonObject): {
  loggingConfiguration?: LoggingConfiguration;
  tracingConfiguration?: { enabled: boolean };
} {
  const settings: ReturnType<typeof stateMachineSettings> = {};
  if (isObject(Logging)) {
    const level = String(Logging.Level ?? "OFF");
    const destinations = Array.isArray(Logging.Destinations) ? Logging.Destinations : [];
    settings.loggingConfiguration = {
      level: (["ALL", "ERROR", "FATAL"].includes(level)
        ? level
        : "OFF") as LoggingConfiguration["level"],
      includeExecutionData: Logging.IncludeExecutionData === true,
      destinations: destinations.flatMap((destination) => {
        const group = isObject(destination) ? destination.CloudWatchLogsLogGroup : undefined;
        return isObject(group) && typeof group.LogGroupArn === "string"
          ? [{ cloudWatchLogsLogGroup: { logGroupArn: group.LogGroupArn } }]
          : [];
      }),
    };
  }
  if (isObject(Tracing)) settings.tracingConfiguration = { enabled: Tracing.Enabled === true };
  return settings;
}

/**
 * Values whose name says they are durations in seconds (default: substitutions named
 * `…Seconds`, which the ASL reads into `SecondsPath` waits that aws-local-stepfunctions
 * cannot scale as it scales fixed `Seconds`; a function's `…_SECONDS` variables, see
 * functions.ts), in real seconds, so they run on the same clock as schedules, waits
 * and health checks.
 */
export function scaledDurations(
  values: Readonly<Record<string, string>>,
  clock: LocalClock,
  isDuration: (name: string) => boolean = (name) => name.endsWith("Seconds"),
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const seconds = Number(value);
      return isDuration(name) && value !== "" && Number.isFinite(seconds)
        ? [name, String(clock.realWholeSeconds(seconds))]
        : [name, value];
    }),
  );
}

export function wireStateMachines(wiring: Wiring, lambda: LocalLambdaRuntime): LocalStepFunctions {
  const { cloud } = wiring;
  const sdk = new SdkIntegration({ endpoint: cloud.endpoint, region: cloud.region });
  const stepFunctions = new LocalStepFunctions({
    region: cloud.region,
    accountId: cloud.accountId,
    lambda,
    sdk,
    clock: wiring.clock,
  });
  wiring.onStop(() => sdk.destroy());
  wiring.onStop(() => stepFunctions.stopAll());
  for (const machine of stateMachines(wiring.template, wiring.names)) {
    stepFunctions.createStateMachine({
      name: machine.name,
      definitionText: readFileSync(resolve(projectRoot, machine.definitionUri), "utf8"),
      substitutions: scaledDurations(machine.substitutions, wiring.clock),
      loggingConfiguration: machine.loggingConfiguration,
      tracingConfiguration: machine.tracingConfiguration,
    });
  }
  cloud.edge.route("AWSStepFunctions", stepFunctionsApi(stepFunctions), {
    namespace: "com.amazonaws.swf.service.v2.model",
  });
  return stepFunctions;
}
