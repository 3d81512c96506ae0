/**
 * `npm run benchmark`: one deploy-and-benchmark execution, its verdict, and the last
 * runs of the service as a table. Against the local cloud already listening on the port
 * (`npm run local`), like `npm run invoke`; else it boots one with the tasks as
 * processes, waits for WebService's steady state behind the load balancer, and stops it
 * afterwards. The input is events/deploy-and-benchmark/deploy-image.json or the file
 * given. Exits 1 when the execution fails (a refused release included), with its error
 * and cause.
 *
 *   npm run benchmark [-- <input file>] [--hosts 3] [--port 4566]
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import {
  benchmarkTable,
  type DeployInput,
  type DeployTarget,
  deployAndBenchmark,
  historyTable,
  readDeployInput,
  recordedRuns,
  sampleInputPath,
  shortTaskDefinition,
} from "../scenario/deploy";
import { joinHosts } from "../scenario/hosts";
import { defaultScenarioOptions } from "../scenario/options";
import { consoleProgress } from "../scenario/progress";
import { Recorder } from "../scenario/recorder";
import { type LocalSystem, localTemplate, quietFunctionLogs, required } from "../scenario/system";
import { localClientConfig } from "../settings";
import { localResolveContext } from "../wiring/names";
import { bootFromCommandLine, localCloudAt, readCommandLine } from "./command-line";

/** How many of the service's runs the history table shows. */
const HISTORY_RUNS = 10;

const commandLine = readCommandLine(process.argv.slice(2), {
  name: "npm run benchmark",
  arguments: "[<input file>]",
  maxPositionals: 1,
  summary:
    "One deploy-and-benchmark execution and the service's last runs, against `npm run local` when it\nis up, else against a local cloud booted for it; exit 1 when the execution failed.",
  flags: ["port", "time-scale", "hosts"],
  timeScale: 30,
});
quietFunctionLogs();
const progress = consoleProgress();
const inputPath = commandLine.positionals[0] ?? sampleInputPath;
const endpoint = `http://127.0.0.1:${commandLine.port}`;

/** Clients on a running local cloud's edge, with the names the template gives it. */
function connect(): DeployTarget & { destroy(): void } {
  const { refs, attributes } = localResolveContext(localTemplate());
  const name = (key: string) => required(refs, key);
  const config = localClientConfig(endpoint);
  const clients = {
    ecs: new ECSClient(config),
    dynamodb: new DynamoDBClient(config),
    sfn: new SFNClient(config),
  };
  return {
    clients,
    names: {
      cluster: name("Cluster"),
      benchmarkResultsTable: name("BenchmarkResultsTable"),
      stateMachineArn: name("DeployAndBenchmarkStateMachine"),
    },
    wired: { attributes: attributes ?? {} },
    destroy: () => {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** Boots the local cloud and waits for the service to run steady behind the load balancer. */
async function bootAndSettle(): Promise<{ system: LocalSystem; input: DeployInput }> {
  const system = await bootFromCommandLine(commandLine, {
    // Reproducible demand: the same walk on every run unless DEMAND_SEED says otherwise.
    functionEnvironment: { DEMAND_SEED: process.env.DEMAND_SEED ?? "42" },
  });
  const input = readDeployInput(system, inputPath);
  const hosts = commandLine.hosts ?? defaultScenarioOptions.hosts.initial;
  progress.phase(
    "boot",
    `${system.cloud.endpoint}, ${hosts} hosts, time ×${commandLine.timeScale}`,
  );
  joinHosts(system, hosts);
  const recorder = new Recorder(system);
  recorder.start();
  const balancer = system.wired.loadBalancers.get("LoadBalancer");
  const steady = await recorder
    .until(
      (s) =>
        s.web.desired > 0 &&
        s.web.running === s.web.desired &&
        s.web.deployments === 1 &&
        (balancer?.healthyCount ?? 0) >= s.web.desired,
      30_000,
    )
    .finally(() => recorder.stop());
  progress.converged(
    `${input.service} steady`,
    steady.ok,
    `running ${steady.snapshot.web.running}/${steady.snapshot.web.desired}, ${balancer?.healthyCount ?? 0} healthy targets`,
  );
  return { system, input };
}

/** One execution, its verdict, and the service's history; the exit code. */
async function deployAndReport(target: DeployTarget, input: DeployInput): Promise<number> {
  progress.phase(
    "deploy and benchmark",
    `${input.service} → ${input.image ?? input.taskDefinition}`,
  );
  const outcome = await deployAndBenchmark(target, input, progress);
  console.log(`\n${outcome.executionArn}: ${outcome.status} in ${outcome.seconds.toFixed(1)} s`);
  const succeeded = outcome.status === "SUCCEEDED" && outcome.output !== undefined;
  if (succeeded && outcome.output !== undefined) {
    const { output } = outcome;
    console.log(
      `${output.service}: ${shortTaskDefinition(output.previousTaskDefinition)} → ${shortTaskDefinition(output.taskDefinition)}: gate PASSED\n`,
    );
    console.log(benchmarkTable(output.result));
  } else {
    console.error(`error: ${outcome.error ?? "(none)"}\ncause: ${outcome.cause ?? "(none)"}`);
  }
  const runs = await recordedRuns(target, input.service, HISTORY_RUNS);
  console.log(
    `\nlast ${runs.length} runs of ${input.service} in ${target.names.benchmarkResultsTable}, newest first:\n${historyTable(runs)}`,
  );
  return succeeded ? 0 : 1;
}

let exitCode = 1;
if (await localCloudAt(endpoint, commandLine.port)) {
  progress.phase("connect", `the local cloud at ${endpoint} (npm run local)`);
  const target = connect();
  try {
    exitCode = await deployAndReport(target, readDeployInput(target, inputPath));
  } finally {
    target.destroy();
  }
} else {
  // A surge no host can take waits for managed scaling, which adds the host.
  const { system, input } = await bootAndSettle();
  try {
    exitCode = await deployAndReport(system, input);
  } finally {
    await system.stop();
  }
}
process.exit(exitCode);
