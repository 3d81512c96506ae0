import type { JsonHandler } from "../edge/server";
import { stepFunctionsErrors as errors } from "./errors";
import type { Execution, ExecutionStatus, LocalStepFunctions } from "./executions";
import { historyPage } from "./history";

/**
 * The Step Functions API on the edge (`AWSStepFunctions.*`, JSON 1.0; dates are epoch
 * seconds): each operation checks its input, calls the model and shapes the answer as
 * AWS does — StartExecution, DescribeExecution, StopExecution, ListExecutions,
 * GetExecutionHistory, DescribeStateMachine, ListStateMachines.
 */

type Request = Record<string, unknown>;

export function stepFunctionsApi(stepFunctions: LocalStepFunctions): JsonHandler {
  return async (operation, input) => {
    const request = (input ?? {}) as Request;
    switch (operation) {
      case "StartExecution":
        return startExecution(stepFunctions, request);
      case "DescribeExecution":
        return describeExecutionShape(
          stepFunctions.describeExecution(arnField(request, "executionArn")),
        );
      case "StopExecution":
        return { stopDate: stepFunctions.stopExecution(arnField(request, "executionArn")) };
      case "ListExecutions": {
        const executions = stepFunctions.listExecutions(
          arnField(request, "stateMachineArn"),
          request.statusFilter as ExecutionStatus | undefined,
        );
        return { executions: executions.map(executionListItem) };
      }
      case "GetExecutionHistory": {
        const execution = stepFunctions.describeExecution(arnField(request, "executionArn"));
        const maxResults = request.maxResults;
        if (
          maxResults !== undefined &&
          (typeof maxResults !== "number" || maxResults < 0 || maxResults > 1000)
        ) {
          throw errors.validation("maxResults must be between 0 and 1000.");
        }
        return historyPage(execution.history.events, {
          executionArn: execution.executionArn,
          maxResults,
          reverseOrder: request.reverseOrder === true,
          nextToken: typeof request.nextToken === "string" ? request.nextToken : undefined,
          includeExecutionData: request.includeExecutionData !== false,
        });
      }
      case "DescribeStateMachine": {
        const machine = stepFunctions.describeStateMachine(arnField(request, "stateMachineArn"));
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: "ACTIVE",
          definition: machine.definitionText,
          roleArn: machine.roleArn,
          type: "STANDARD",
          creationDate: machine.createdAt,
          loggingConfiguration: machine.loggingConfiguration,
          tracingConfiguration: machine.tracingConfiguration,
        };
      }
      case "ListStateMachines":
        return {
          stateMachines: stepFunctions.listStateMachines().map((machine) => ({
            stateMachineArn: machine.arn,
            name: machine.name,
            type: "STANDARD",
            creationDate: machine.createdAt,
          })),
        };
      default:
        throw errors.unknownOperation(operation);
    }
  };
}

function arnField(request: Request, field: string): string {
  const value = request[field];
  if (typeof value !== "string" || !value.startsWith("arn:")) throw errors.invalidArn(value);
  return value;
}

function startExecution(stepFunctions: LocalStepFunctions, request: Request) {
  const name = request.name;
  if (name !== undefined && (typeof name !== "string" || !/^[\w-]{1,80}$/.test(name))) {
    throw errors.validation(`Invalid Name: '${String(name)}'`);
  }
  const execution = stepFunctions.startExecution(
    arnField(request, "stateMachineArn"),
    typeof request.input === "string" ? request.input : "{}",
    name as string | undefined,
  );
  return { executionArn: execution.executionArn, startDate: execution.startDate };
}

function executionListItem(execution: Execution): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
  };
}

function describeExecutionShape(execution: Execution): Record<string, unknown> {
  return {
    ...executionListItem(execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}
