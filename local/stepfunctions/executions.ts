import "../polyfills";
import { randomUUID } from "node:crypto";
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  type StateMachineDefinition,
  StateMachine as StateMachineRunner,
} from "aws-local-stepfunctions";
import { LocalClock } from "../clock";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import { type JsonValue, substituteDefinition, taskStates, timingOverrides } from "./definition";
import { stepFunctionsErrors as errors } from "./errors";
import { ExecutionHistory } from "./history";
import type { SdkIntegration } from "./sdk-integration";
import { type TaskHandler, taskHandler } from "./tasks";

/**
 * Step Functions on the local cloud, the state and its rules: state machines from the
 * template's ASL files, and their executions, run by aws-local-stepfunctions with every
 * Task overridden (tasks.ts). The edge serves it through api.ts.
 */

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
  /** What GetExecutionHistory answers. */
  history: ExecutionHistory;
  done: Promise<void>;
  abort?: () => void;
}

export interface LocalStateMachine {
  name: string;
  arn: string;
  definition: StateMachineDefinition;
  definitionText: string;
  roleArn: string;
  /** Epoch seconds. */
  createdAt: number;
  taskHandlers: Record<string, TaskHandler>;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: { enabled: boolean };
  /**
   * The definition validated and ready to run, made on the first StartExecution and
   * reused: validating it (asl-validator) takes 0.4–1.5 s of CPU on a busy machine,
   * which every execution paid while blocking the event loop — the load balancer, the
   * probes and the controllers with it.
   */
  runner?: StateMachineRunner;
}

/** DescribeStateMachine's loggingConfiguration (the template's `Logging`). */
export interface LoggingConfiguration {
  level: "ALL" | "ERROR" | "FATAL" | "OFF";
  includeExecutionData: boolean;
  destinations?: { cloudWatchLogsLogGroup: { logGroupArn: string } }[];
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

export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly clock: LocalClock;

  constructor(private readonly options: StepFunctionsOptions) {
    this.clock = options.clock ?? new LocalClock();
  }

  createStateMachine(fields: {
    name: string;
    definitionText: string;
    substitutions?: Readonly<Record<string, string>>;
    roleArn?: string;
    loggingConfiguration?: LoggingConfiguration;
    tracingConfiguration?: { enabled: boolean };
  }): string {
    const { region, accountId, lambda, sdk } = this.options;
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${fields.name}`;
    const definitionText = substituteDefinition(fields.definitionText, fields.substitutions ?? {});
    const definition = JSON.parse(definitionText) as StateMachineDefinition;
    // Every Task's handler now, so a resource the local cloud cannot run fails at
    // creation, as CreateStateMachine would, not in the middle of a run.
    const taskHandlers = Object.fromEntries(
      taskStates(definition).map(([name, state]) => [
        name,
        taskHandler(name, state, { lambda, sdk }),
      ]),
    );
    this.machines.set(arn, {
      name: fields.name,
      arn,
      definition,
      definitionText,
      roleArn: fields.roleArn ?? `arn:aws:iam::${accountId}:role/${fields.name}-role`,
      createdAt: Date.now() / 1000,
      taskHandlers,
      // What CreateStateMachine stores when neither is given.
      loggingConfiguration: fields.loggingConfiguration ?? {
        level: "OFF",
        includeExecutionData: false,
      },
      tracingConfiguration: fields.tracingConfiguration ?? { enabled: false },
    });
    return arn;
  }

  get stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  describeStateMachine(stateMachineArn: string): LocalStateMachine {
    const machine = this.machines.get(stateMachineArn);
    if (machine === undefined) throw errors.stateMachineDoesNotExist(stateMachineArn);
    return machine;
  }

  listStateMachines(): LocalStateMachine[] {
    return [...this.machines.values()];
  }

  startExecution(stateMachineArn: string, input = "{}", name: string = randomUUID()): Execution {
    const machine = this.describeStateMachine(stateMachineArn);
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch (error) {
      throw errors.invalidExecutionInput(`Invalid State Machine Execution Input: ${String(error)}`);
    }
    const { region, accountId } = this.options;
    const executionArn = `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    // StartExecution is idempotent: the same name and input while it runs answers the
    // running execution; a stopped one, or other input, is ExecutionAlreadyExists.
    if (existing !== undefined) {
      if (existing.status === "RUNNING" && existing.input === input) return existing;
      throw errors.executionAlreadyExists(executionArn);
    }
    const startDate = Date.now() / 1000;
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      status: "RUNNING",
      startDate,
      input,
      statesEntered: [],
      history: new ExecutionHistory(machine.roleArn),
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);

    machine.runner ??= new StateMachineRunner(machine.definition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const runner = machine.runner;
    const run = runner.run(parsedInput, {
      overrides: {
        taskResourceLocalHandlers: machine.taskHandlers,
        ...timingOverrides(machine.definition, this.clock),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: parsedInput,
          StartTime: new Date(startDate * 1000).toISOString(),
        },
        StateMachine: { Id: stateMachineArn, Name: machine.name },
      },
    });
    execution.abort = run.abort;
    const follow = (async () => {
      for await (const event of run.eventLogs) {
        execution.history.record(event);
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
        (error: unknown) => recordFailure(execution, error),
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

  /** A state machine's executions, the newest first, as ListExecutions orders them. */
  listExecutions(stateMachineArn: string, status?: ExecutionStatus): Execution[] {
    this.describeStateMachine(stateMachineArn);
    return [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn)
      .filter((e) => status === undefined || e.status === status)
      .reverse();
  }

  /** Resolves when the execution has stopped, whatever its outcome. */
  async waitForExecution(executionArn: string): Promise<Execution> {
    const execution = this.describeExecution(executionArn);
    await execution.done;
    return execution;
  }

  /** Returns the stop date (epoch seconds). */
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
}

/** An execution that did not succeed: aborted, timed out, or failed with the state's error. */
function recordFailure(execution: Execution, error: unknown): void {
  if (error instanceof ExecutionAbortedError) {
    execution.status = "ABORTED";
    return;
  }
  if (error instanceof ExecutionTimeoutError) {
    execution.status = "TIMED_OUT";
    execution.error = "States.Timeout";
    return;
  }
  // ExecutionError wraps the state's RuntimeError in `cause`.
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  execution.status = "FAILED";
  if (inner instanceof Error) {
    execution.error = inner.name;
    execution.cause = typeof inner.cause === "string" ? inner.cause : inner.message;
  } else {
    execution.error = "States.Runtime";
    execution.cause = String(inner);
  }
}
