import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { LocalClock } from "../clock";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import { stepFunctionsApi } from "../stepfunctions/api";
import { LocalStepFunctions } from "../stepfunctions/executions";
import { SdkIntegration } from "../stepfunctions/sdk-integration";
import {
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
      substitutions: Object.fromEntries(
        Object.entries(substitutions as JsonObject).map(([key, value]) => [key, String(value)]),
      ),
    };
  });
}

/**
 * Substitutions named `…Seconds` are durations (the ASL reads them into `SecondsPath`
 * waits, which aws-local-stepfunctions cannot scale as it scales fixed `Seconds`), so
 * they run on the same clock as schedules, waits and health checks.
 */
export function scaledDurations(
  substitutions: Readonly<Record<string, string>>,
  clock: LocalClock,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(substitutions).map(([name, value]) => {
      const seconds = Number(value);
      return name.endsWith("Seconds") && Number.isFinite(seconds)
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
    });
  }
  cloud.edge.route("AWSStepFunctions", stepFunctionsApi(stepFunctions), {
    namespace: "com.amazonaws.swf.service.v2.model",
  });
  return stepFunctions;
}
