import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { BenchmarkResult } from "../../functions/benchmark-runner/benchmark";
import { projectRoot } from "../template/read";
import type { ProgressReporter } from "./progress";
import type { LocalSystem, SystemNames } from "./system";

/**
 * One deploy-and-benchmark execution through the Step Functions API on the edge, as a
 * user would start it, followed to its end with a deadline.
 */

/**
 * What these helpers need of the cloud. A LocalSystem booted in this process is one;
 * a local cloud already running (`npm run local`) is another: SDK clients on its
 * edge and the names resolved from the template, without the in-process view of
 * the states an execution enters.
 */
export interface DeployTarget {
  clients: Pick<LocalSystem["clients"], "ecs" | "dynamodb" | "sfn">;
  names: Pick<SystemNames, "cluster" | "benchmarkResultsTable" | "stateMachineArn">;
  wired: {
    /** Template attributes resolved to local names (`WebService.Name` …). */
    attributes: Readonly<Record<string, string>>;
    stepFunctions?: { describeExecution(arn: string): { statesEntered: readonly string[] } };
  };
}

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
    pipelining?: number;
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
  system: DeployTarget,
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
export function readDeployInput(system: DeployTarget, path = sampleInputPath): DeployInput {
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
    result: BenchmarkResult;
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
  system: DeployTarget,
  input: DeployInput,
  progress: ProgressReporter,
  deadlineMs = 120_000,
): Promise<DeployOutcome> {
  const started = Date.now();
  // Only an in-process Step Functions tells the states entered so far (the local API has no history).
  const statesEntered = (arn: string) =>
    system.wired.stepFunctions?.describeExecution(arn).statesEntered ?? [];
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
    const states = statesEntered(executionArn);
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
        statesEntered: [...statesEntered(executionArn)],
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
  system: DeployTarget,
  service: string,
  limit?: number,
): Promise<Record<string, string>[]> {
  const { Items = [] } = await system.clients.dynamodb.send(
    new QueryCommand({
      TableName: system.names.benchmarkResultsTable,
      KeyConditionExpression: "service = :service",
      ExpressionAttributeValues: { ":service": { S: service } },
      ScanIndexForward: false,
      Limit: limit,
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
export function benchmarkTable(result: BenchmarkResult): string {
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
    ["error rate", `${(result.errorRate * 100).toFixed(2)} %`],
    [
      "load",
      result.mode === "open-loop"
        ? `open loop at ${result.requestedRatePerSecond} requests/s (${result.unsent ?? 0} unsent)`
        : "closed loop",
    ],
    ["measured", `${result.durationSeconds} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join("\n");
}

/** One recorded run as the history table shows it. */
export interface RunRow {
  date: string;
  taskDefinition: string;
  requestsPerSecond: string;
  p50: string;
  p99: string;
  errorRate: string;
  verdict: string;
}

/**
 * `arn:…:task-definition/microscale-web:7` → `microscale-web:7`, as the progress lines,
 * the checks and the history table show a revision; `-` when there is none.
 */
export function shortTaskDefinition(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "-";
}

/** A BenchmarkResultsTable item (as recordedRuns flattens it) → one table row. */
export function historyRow(run: Readonly<Record<string, string>>): RunRow {
  const number = (value: string | undefined, digits: number) =>
    value === undefined || Number.isNaN(Number(value)) ? "-" : Number(value).toFixed(digits);
  return {
    date: (run.startedAt ?? "-").replace("T", " ").replace(/\.\d+Z$/, "Z"),
    taskDefinition: shortTaskDefinition(run.taskDefinition),
    requestsPerSecond: number(run.requestsPerSecond, 1),
    p50: number(run.latencyP50Ms, 1),
    p99: number(run.latencyP99Ms, 1),
    errorRate: run.errorRate === undefined ? "-" : `${(Number(run.errorRate) * 100).toFixed(2)} %`,
    // A deployment that failed before the benchmark has no verdict: its error says why.
    verdict: run.verdict ?? run.error ?? run.status ?? "-",
  };
}

const columns: [keyof RunRow, string, "left" | "right"][] = [
  ["date", "date", "left"],
  ["taskDefinition", "task definition", "left"],
  ["requestsPerSecond", "requests/s", "right"],
  ["p50", "p50 ms", "right"],
  ["p99", "p99 ms", "right"],
  ["errorRate", "error rate", "right"],
  ["verdict", "verdict", "left"],
];

/** The last runs of a service, newest first, as a plain-text table. */
export function historyTable(runs: readonly Readonly<Record<string, string>>[]): string {
  const rows = runs.map(historyRow);
  const widths = columns.map(([key, title]) =>
    Math.max(title.length, ...rows.map((row) => row[key].length)),
  );
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.[2] === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd()}`;
  return [
    line(columns.map(([, title]) => title)),
    ...rows.map((row) => line(columns.map(([key]) => row[key]))),
  ].join("\n");
}
