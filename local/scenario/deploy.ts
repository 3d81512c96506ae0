import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { BenchmarkFigures } from "../report/html";
import { projectRoot } from "../template/read";
import type { ProgressReporter } from "./progress";
import type { LocalSystem } from "./system";

/**
 * One deploy-and-benchmark execution through the Step Functions API on the edge, as a
 * user would start it, followed to its end with a deadline.
 */

export const sampleInputPath = resolve(
  projectRoot,
  "events/deploy-and-benchmark/deploy-image.json",
);

export interface DeployInput {
  service: string;
  desiredCount: number;
  taskDefinition?: string;
  image?: string;
  benchmark?: {
    durationSeconds?: number;
    connections?: number;
    path?: string;
    warmupSeconds?: number;
    ratePerSecond?: number;
    maxErrorRate?: number;
    maxP99Ms?: number;
    maxThroughputDrop?: number;
  };
}

/**
 * Registers a revision of the task definition a service runs now with environment
 * variables changed on its first container — a release to deploy by ARN (e.g. web
 * with BACKEND_RETRIES=0, about 2 % 502s). Returns the new revision's ARN.
 */
export async function registerRevisionWithEnvironment(
  system: LocalSystem,
  service: string,
  environment: Readonly<Record<string, string>>,
): Promise<string> {
  const { services = [] } = await system.clients.ecs.send(
    new DescribeServicesCommand({ cluster: system.names.cluster, services: [service] }),
  );
  const current = services[0]?.taskDefinition;
  if (current === undefined) throw new Error(`service ${service} not found`);
  const { taskDefinition } = await system.clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: current }),
  );
  if (taskDefinition?.family === undefined) throw new Error(`${current} has no family`);
  const [first, ...others] = taskDefinition.containerDefinitions ?? [];
  if (first === undefined) throw new Error(`${current} has no container`);
  const kept = (first.environment ?? []).filter(
    (entry) => !Object.hasOwn(environment, entry.name ?? ""),
  );
  const changed = Object.entries(environment).map(([name, value]) => ({ name, value }));
  const { taskDefinition: registered } = await system.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: taskDefinition.family,
      taskRoleArn: taskDefinition.taskRoleArn,
      executionRoleArn: taskDefinition.executionRoleArn,
      networkMode: taskDefinition.networkMode,
      requiresCompatibilities: taskDefinition.requiresCompatibilities,
      cpu: taskDefinition.cpu,
      memory: taskDefinition.memory,
      volumes: taskDefinition.volumes,
      placementConstraints: taskDefinition.placementConstraints,
      containerDefinitions: [{ ...first, environment: [...kept, ...changed] }, ...others],
    }),
  );
  if (registered?.taskDefinitionArn === undefined) throw new Error("no task definition ARN");
  return registered.taskDefinitionArn;
}

/**
 * A sample input with `service` resolved: the samples name the template's logical ID
 * (`WebService`), the state machine needs the service's name in the cluster.
 */
export function readDeployInput(system: LocalSystem, path = sampleInputPath): DeployInput {
  const input = JSON.parse(readFileSync(path, "utf8")) as DeployInput;
  const name = system.wired.attributes[`${input.service}.Name`];
  return name === undefined ? input : { ...input, service: name };
}

export interface DeployOutcome {
  executionArn: string;
  status: string;
  error?: string;
  cause?: string;
  /** The execution's output (SUCCEEDED only). */
  output?: {
    service: string;
    taskDefinition: string;
    previousTaskDefinition: string;
    result: BenchmarkFigures & { bytes?: number };
  };
  statesEntered: string[];
  seconds: number;
}

const statesWorthTelling = new Set([
  "RegisterTaskDefinition",
  "UpdateService",
  "RunBenchmark",
  "RecordResult",
  "RollBack",
  "RecordFailure",
]);

export async function deployAndBenchmark(
  system: LocalSystem,
  input: DeployInput,
  progress: ProgressReporter,
  deadlineMs = 120_000,
): Promise<DeployOutcome> {
  const started = Date.now();
  const { executionArn } = await system.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: system.names.stateMachineArn,
      input: JSON.stringify(input),
    }),
  );
  if (executionArn === undefined) throw new Error("StartExecution returned no executionArn");
  progress.info(`StartExecution ${executionArn.split(":").pop()}`);

  let told = 0;
  let polls = 0;
  for (;;) {
    // The states entered so far, from the local execution (the API has no history here).
    const states = system.wired.stepFunctions.describeExecution(executionArn).statesEntered;
    for (; told < states.length; told++) {
      const state = states[told] ?? "";
      if (state === "DescribeDeployment") polls++;
      if (statesWorthTelling.has(state)) {
        progress.info(
          `state ${state}${polls > 0 && state === "RunBenchmark" ? ` after ${polls} polls` : ""}`,
        );
      }
    }
    const described = await system.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== "RUNNING") {
      return {
        executionArn,
        status: described.status ?? "UNKNOWN",
        error: described.error,
        cause: described.cause,
        output:
          described.output === undefined
            ? undefined
            : (JSON.parse(described.output) as DeployOutcome["output"]),
        statesEntered: [
          ...system.wired.stepFunctions.describeExecution(executionArn).statesEntered,
        ],
        seconds: (Date.now() - started) / 1000,
      };
    }
    if (Date.now() - started > deadlineMs) {
      return {
        executionArn,
        status: "RUNNING",
        error: "ScenarioDeadline",
        cause: `still RUNNING after ${deadlineMs / 1000} s`,
        statesEntered: [...states],
        seconds: (Date.now() - started) / 1000,
      };
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, 250));
  }
}

/** The BenchmarkResultsTable items recorded for a service, newest first. */
export async function recordedRuns(
  system: LocalSystem,
  service: string,
): Promise<Record<string, string>[]> {
  const { Items = [] } = await system.clients.dynamodb.send(
    new QueryCommand({
      TableName: system.names.benchmarkResultsTable,
      KeyConditionExpression: "service = :service",
      ExpressionAttributeValues: { ":service": { S: service } },
      ScanIndexForward: false,
    }),
  );
  return Items.map((item) =>
    Object.fromEntries(
      Object.entries(item).map(([key, value]) => [
        key,
        value.S ?? value.N ?? JSON.stringify(value),
      ]),
    ),
  );
}

/** The result table the commands print. */
export function benchmarkTable(result: BenchmarkFigures): string {
  const rows: [string, string][] = [
    ["requests/s", result.requestsPerSecond.toFixed(1)],
    ["latency p50", `${result.latencyMs.p50} ms`],
    ["latency p90", `${result.latencyMs.p90} ms`],
    ["latency p99", `${result.latencyMs.p99} ms`],
    ["latency max", `${result.latencyMs.max} ms`],
    ["requests total / ok", `${result.requests.total} / ${result.requests.ok}`],
    [
      "errors / timeouts / non-2xx",
      `${result.errors} / ${result.timeouts ?? 0} / ${result.non2xx}`,
    ],
    ["measured", `${result.durationSeconds} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join("\n");
}
