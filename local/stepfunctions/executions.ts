import "../polyfills";
import { randomUUID } from "node:crypto";
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  type StateMachineDefinition,
  StateMachine as StateMachineRunner,
} from "aws-local-stepfunctions";
import { LocalClock } from "../clock";
import { AwsError } from "../edge/errors";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import { parseSdkResource, type SdkIntegration, TaskError } from "./sdk-integration";

/**
 * Step Functions on the local cloud: state machines from the template's ASL files,
 * executed by aws-local-stepfunctions with every Task overridden — Lambda tasks go
 * to the local runtime, `aws-sdk:*` tasks to the one SDK integration — and
 * StartExecution / DescribeExecution / StopExecution / ListExecutions /
 * DescribeStateMachine / ListStateMachines served on the edge (JSON 1.0).
 */

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type AslState = { Type: string; Resource?: string; Seconds?: number; [key: string]: unknown };
type AslStates = Record<string, AslState>;

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** States entered, in order: what progress output and tests look at. */
  statesEntered: string[];
  done: Promise<void>;
  abort?: () => void;
}

interface LocalStateMachine {
  name: string;
  arn: string;
  definition: StateMachineDefinition;
  definitionText: string;
  roleArn: string;
  createdAt: number;
}

export interface StepFunctionsOptions {
  region: string;
  accountId: string;
  lambda: LocalLambdaRuntime;
  sdk: SdkIntegration;
  /** Every fixed `Wait` and `Retry` interval lasts what it does on this clock; default real time. */
  clock?: LocalClock;
  onStateEntered?(execution: Execution, stateName: string): void;
}

/** `${Name}` → value, as SAM's DefinitionSubstitutions do (values land inside JSON strings). */
export function substituteDefinition(
  text: string,
  substitutions: Readonly<Record<string, string>>,
): string {
  return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no DefinitionSubstitutions value for \${${name}}`);
    return JSON.stringify(value).slice(1, -1);
  });
}

/** Every Task state, with nested Parallel branches and Map processors. */
function taskStates(states: AslStates): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => {
    if (state.Type === "Task") return [[name, state]];
    if (state.Type === "Parallel") {
      const branches = (state.Branches as { States: AslStates }[] | undefined) ?? [];
      return branches.flatMap((branch) => taskStates(branch.States));
    }
    if (state.Type === "Map") {
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States: AslStates }
        | undefined;
      return processor ? taskStates(processor.States) : [];
    }
    return [];
  });
}

function allStates(states: AslStates): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => {
    const nested: [string, AslState][] = [];
    for (const branch of (state.Branches as { States: AslStates }[] | undefined) ?? []) {
      nested.push(...allStates(branch.States));
    }
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: AslStates } | undefined;
    if (processor) nested.push(...allStates(processor.States));
    return [[name, state], ...nested];
  });
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[^:]+:\d+:function:[^:]+/;

const errors = {
  stateMachineDoesNotExist: (arn: string) =>
    new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`),
  executionDoesNotExist: (arn: string) =>
    new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (arn: string) =>
    new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`),
  invalidArn: (arn: unknown) => new AwsError("InvalidArn", `Invalid Arn: '${String(arn)}'`),
  invalidExecutionInput: (message: string) => new AwsError("InvalidExecutionInput", message),
  validation: (message: string) => new AwsError("ValidationException", message),
};

export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly executions = new Map<string, Execution>();

  constructor(private readonly options: StepFunctionsOptions) {}

  createStateMachine(fields: {
    name: string;
    definitionText: string;
    substitutions?: Readonly<Record<string, string>>;
    roleArn?: string;
  }): string {
    const { region, accountId } = this.options;
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${fields.name}`;
    const definitionText = substituteDefinition(fields.definitionText, fields.substitutions ?? {});
    const definition = JSON.parse(definitionText) as StateMachineDefinition;
    for (const [name, state] of taskStates(definition.States as unknown as AslStates)) {
      // Fail at creation, as CreateStateMachine would, not in the middle of a run.
      this.taskHandler(name, state);
    }
    this.machines.set(arn, {
      name: fields.name,
      arn,
      definition,
      definitionText,
      roleArn: fields.roleArn ?? `arn:aws:iam::${accountId}:role/${fields.name}-role`,
      createdAt: Date.now() / 1000,
    });
    return arn;
  }

  get stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  startExecution(stateMachineArn: string, input = "{}", name: string = randomUUID()): Execution {
    const machine = this.machines.get(stateMachineArn);
    if (machine === undefined) throw errors.stateMachineDoesNotExist(stateMachineArn);
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch (error) {
      throw errors.invalidExecutionInput(`Invalid State Machine Execution Input: ${String(error)}`);
    }
    const { region, accountId } = this.options;
    const executionArn = `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
    if (this.executions.has(executionArn)) throw errors.executionAlreadyExists(executionArn);
    const startDate = Date.now() / 1000;
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      status: "RUNNING",
      startDate,
      input,
      statesEntered: [],
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);

    const runner = new StateMachineRunner(machine.definition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const run = runner.run(parsedInput, {
      overrides: this.overrides(machine),
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: parsedInput,
          StartTime: isoTime(startDate),
        },
        StateMachine: { Id: stateMachineArn, Name: machine.name },
      },
    });
    execution.abort = run.abort;
    const follow = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === "StateEntered") {
          execution.statesEntered.push(event.state.name);
          this.options.onStateEntered?.(execution, event.state.name);
        }
      }
    })().catch(() => {});
    execution.done = run.result
      .then(
        (output) => {
          execution.status = "SUCCEEDED";
          execution.output = JSON.stringify(output);
        },
        (error: unknown) => {
          if (error instanceof ExecutionAbortedError) {
            execution.status = "ABORTED";
            return;
          }
          if (error instanceof ExecutionTimeoutError) {
            execution.status = "TIMED_OUT";
            execution.error = "States.Timeout";
            return;
          }
          const { name: errorName, cause } = executionFailure(error);
          execution.status = "FAILED";
          execution.error = errorName;
          execution.cause = cause;
        },
      )
      .then(() => follow)
      .finally(() => {
        execution.stopDate = Date.now() / 1000;
      });
    return execution;
  }

  describeExecution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (execution === undefined) throw errors.executionDoesNotExist(executionArn);
    return execution;
  }

  /** Resolves when the execution has stopped, whatever its outcome. */
  async waitForExecution(executionArn: string): Promise<Execution> {
    const execution = this.describeExecution(executionArn);
    await execution.done;
    return execution;
  }

  stopExecution(executionArn: string): number {
    const execution = this.describeExecution(executionArn);
    if (execution.status === "RUNNING") execution.abort?.();
    return Date.now() / 1000;
  }

  /** Aborts every running execution (shutdown). */
  async stopAll(): Promise<void> {
    const running = [...this.executions.values()].filter((e) => e.status === "RUNNING");
    for (const execution of running) execution.abort?.();
    await Promise.all(running.map((execution) => execution.done));
  }

  /** The edge route for `AWSStepFunctions.*` (JSON 1.0; dates are epoch seconds). */
  handle = async (operation: string, input: unknown): Promise<unknown> => {
    const request = (input ?? {}) as Record<string, unknown>;
    const arnOf = (field: string): string => {
      const value = request[field];
      if (typeof value !== "string" || !value.startsWith("arn:")) throw errors.invalidArn(value);
      return value;
    };
    switch (operation) {
      case "StartExecution": {
        const name = request.name;
        if (name !== undefined && (typeof name !== "string" || !/^[\w-]{1,80}$/.test(name))) {
          throw errors.validation(`Invalid Name: '${String(name)}'`);
        }
        const execution = this.startExecution(
          arnOf("stateMachineArn"),
          typeof request.input === "string" ? request.input : "{}",
          name as string | undefined,
        );
        return { executionArn: execution.executionArn, startDate: execution.startDate };
      }
      case "DescribeExecution":
        return describeShape(this.describeExecution(arnOf("executionArn")));
      case "StopExecution":
        return { stopDate: this.stopExecution(arnOf("executionArn")) };
      case "ListExecutions": {
        const stateMachineArn = arnOf("stateMachineArn");
        if (!this.machines.has(stateMachineArn)) {
          throw errors.stateMachineDoesNotExist(stateMachineArn);
        }
        const filter = request.statusFilter;
        const executions = [...this.executions.values()]
          .filter((e) => e.stateMachineArn === stateMachineArn)
          .filter((e) => filter === undefined || e.status === filter)
          .reverse()
          .map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: e.startDate,
            ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate }),
          }));
        return { executions };
      }
      case "DescribeStateMachine": {
        const machine = this.machines.get(arnOf("stateMachineArn"));
        if (machine === undefined)
          throw errors.stateMachineDoesNotExist(String(request.stateMachineArn));
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: "ACTIVE",
          definition: machine.definitionText,
          roleArn: machine.roleArn,
          type: "STANDARD",
          creationDate: machine.createdAt,
        };
      }
      case "ListStateMachines":
        return {
          stateMachines: [...this.machines.values()].map((machine) => ({
            stateMachineArn: machine.arn,
            name: machine.name,
            type: "STANDARD",
            creationDate: machine.createdAt,
          })),
        };
      default:
        throw new AwsError(
          "UnknownOperationException",
          `The local Step Functions does not implement ${operation}`,
        );
    }
  };

  private overrides(machine: LocalStateMachine) {
    const states = allStates(machine.definition.States as unknown as AslStates);
    const clock = this.options.clock ?? new LocalClock();
    const taskResourceLocalHandlers = Object.fromEntries(
      taskStates(machine.definition.States as unknown as AslStates).map(([name, state]) => [
        name,
        this.taskHandler(name, state),
      ]),
    );
    if (clock.timeScale === 1) return { taskResourceLocalHandlers };
    const waitTimeOverrides = Object.fromEntries(
      states
        .filter(([, state]) => state.Type === "Wait" && typeof state.Seconds === "number")
        .map(([name, state]) => [name, clock.realMs(state.Seconds as number)]),
    );
    const retryIntervalOverrides = Object.fromEntries(
      states
        .filter(([, state]) => Array.isArray(state.Retry))
        .map(([name, state]) => [
          name,
          (state.Retry as { IntervalSeconds?: number }[]).map((retrier) =>
            clock.realMs(retrier.IntervalSeconds ?? 1),
          ),
        ]),
    );
    return { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides };
  }

  private taskHandler(name: string, state: AslState): (input: JsonValue) => Promise<JsonValue> {
    const resource = state.Resource ?? "";
    const sdkTarget = parseSdkResource(resource);
    if (sdkTarget !== undefined) {
      return async (input) => (await this.options.sdk.call(sdkTarget, input)) as JsonValue;
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
        const payload = await this.invokeFunction(
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
      return (input) => this.invokeFunction(resource, input);
    }
    throw new Error(
      `state ${name}: Resource ${resource} is neither a Lambda function nor aws-sdk:* — the local cloud cannot run it`,
    );
  }

  /** A function error surfaces as Step Functions reports it: its errorType, and a JSON cause. */
  private async invokeFunction(functionName: string, payload: JsonValue): Promise<JsonValue> {
    try {
      return (await this.options.lambda.invoke(functionName, payload)) as JsonValue;
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
}

function executionFailure(error: unknown): { name: string; cause: string } {
  // ExecutionError wraps the state's RuntimeError in `cause`.
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (inner instanceof Error) {
    const cause = typeof inner.cause === "string" ? inner.cause : inner.message;
    return { name: inner.name, cause };
  }
  return { name: "States.Runtime", cause: String(inner) };
}

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

function describeShape(execution: Execution): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}
