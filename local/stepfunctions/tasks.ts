import { randomUUID } from "node:crypto";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import type { AslState, JsonValue } from "./definition";
import { parseSdkResource, type SdkIntegration, TaskError } from "./sdk-integration";

/**
 * What runs each Task state locally (aws-local-stepfunctions runs none itself): a
 * Lambda function ARN or `lambda:invoke` goes to the local runtime, `aws-sdk:*` to the
 * one SDK integration. Any other resource fails when the state machine is created.
 */

export type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

export interface TaskTargets {
  lambda: LocalLambdaRuntime;
  sdk: SdkIntegration;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[^:]+:\d+:function:[^:]+/;

export function taskHandler(name: string, state: AslState, targets: TaskTargets): TaskHandler {
  const resource = state.Resource ?? "";
  const sdkTarget = parseSdkResource(resource);
  if (sdkTarget !== undefined) {
    return async (input) => (await targets.sdk.call(sdkTarget, input)) as JsonValue;
  }
  if (LAMBDA_INVOKE.test(resource)) {
    return async (input) => {
      const parameters = (input ?? {}) as { FunctionName?: string; Payload?: JsonValue };
      if (typeof parameters.FunctionName !== "string") {
        throw new TaskError(
          "States.Runtime",
          `${name}: lambda:invoke needs Parameters.FunctionName`,
        );
      }
      const requestId = randomUUID();
      const payload = await invokeFunction(
        targets.lambda,
        parameters.FunctionName,
        parameters.Payload ?? {},
      );
      return {
        ExecutedVersion: "$LATEST",
        Payload: payload,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: 200,
      };
    };
  }
  if (LAMBDA_FUNCTION.test(resource)) {
    return (input) => invokeFunction(targets.lambda, resource, input);
  }
  throw new Error(
    `state ${name}: Resource ${resource} is neither a Lambda function nor aws-sdk:* — the local cloud cannot run it`,
  );
}

/** A function error surfaces as Step Functions reports it: its errorType, and a JSON cause. */
async function invokeFunction(
  lambda: LocalLambdaRuntime,
  functionName: string,
  payload: JsonValue,
): Promise<JsonValue> {
  try {
    return (await lambda.invoke(functionName, payload)) as JsonValue;
  } catch (error) {
    const thrown = error instanceof Error ? error : new Error(String(error));
    if (thrown.name === "ResourceNotFoundException") {
      throw new TaskError("Lambda.ResourceNotFoundException", thrown.message);
    }
    const cause = JSON.stringify({
      errorType: thrown.name,
      errorMessage: thrown.message,
      trace: (thrown.stack ?? "").split("\n"),
    });
    throw new TaskError(thrown.name, cause);
  }
}
