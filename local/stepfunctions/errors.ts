import { AwsError } from "../edge/errors";

/** Step Functions' own error names and messages, as the API answers them. */
export const stepFunctionsErrors = {
  stateMachineDoesNotExist: (arn: string) =>
    new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`),
  executionDoesNotExist: (arn: string) =>
    new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (arn: string) =>
    new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`),
  invalidArn: (arn: unknown) => new AwsError("InvalidArn", `Invalid Arn: '${String(arn)}'`),
  invalidToken: (token: unknown) =>
    new AwsError("InvalidToken", `Invalid Token: '${String(token)}'`),
  invalidExecutionInput: (message: string) => new AwsError("InvalidExecutionInput", message),
  validation: (message: string) => new AwsError("ValidationException", message),
  unknownOperation: (operation: string) =>
    new AwsError(
      "UnknownOperationException",
      `The local Step Functions does not implement ${operation}`,
    ),
};
