/**
 * `npm run benchmark`: one deploy-and-benchmark execution on the local cloud. Boots it
 * with the tasks as processes, waits for WebService's steady state behind the load
 * balancer, starts the state machine with events/deploy-and-benchmark/deploy-image.json
 * (or the file given), and prints the result table. Exits 1 when the execution fails,
 * with its error and cause.
 *
 *   npm run benchmark [-- <input file>] [--hosts 3] [--port 4566]
 */

import {
  benchmarkTable,
  deployAndBenchmark,
  readDeployInput,
  recordedRuns,
  sampleInputPath,
} from "../scenario/deploy";
import { joinHosts, scaleOutForUnplacedTasks } from "../scenario/hosts";
import { defaultScenarioOptions } from "../scenario/options";
import { consoleProgress } from "../scenario/progress";
import { Recorder } from "../scenario/recorder";
import { quietFunctionLogs } from "../scenario/system";
import { bootFromCommandLine, readCommandLine } from "./command-line";

const commandLine = readCommandLine(process.argv.slice(2), { timeScale: 30 });
quietFunctionLogs();
const progress = consoleProgress();
const system = await bootFromCommandLine(commandLine, {
  // Reproducible demand: the same walk on every run unless DEMAND_SEED says otherwise.
  functionEnvironment: { DEMAND_SEED: process.env.DEMAND_SEED ?? "42" },
});

let exitCode = 1;
const recorder = new Recorder(system);
try {
  const input = readDeployInput(system, commandLine.positionals[0] ?? sampleInputPath);
  const { hostSize } = defaultScenarioOptions;
  const hosts = commandLine.hosts ?? defaultScenarioOptions.hosts.initial;
  progress.phase(
    "boot",
    `${system.cloud.endpoint}, ${hosts} hosts, time ×${commandLine.timeScale}`,
  );
  joinHosts(system, hosts, hostSize);
  recorder.start();
  const balancer = system.wired.loadBalancers.get("LoadBalancer");
  const steady = await recorder.until(
    (s) =>
      s.web.desired > 0 &&
      s.web.running === s.web.desired &&
      s.web.deployments === 1 &&
      (balancer?.healthyCount ?? 0) >= s.web.desired,
    30_000,
  );
  progress.converged(
    `${input.service} steady`,
    steady.ok,
    `running ${steady.snapshot.web.running}/${steady.snapshot.web.desired}, ${balancer?.healthyCount ?? 0} healthy targets`,
  );
  progress.phase(
    "deploy and benchmark",
    `${input.service} → ${input.image ?? input.taskDefinition}`,
  );
  const stopScaling = scaleOutForUnplacedTasks(system, [input.service], hostSize, (service, n) =>
    progress.info(`managed scaling: ${service} has tasks no host can take → host ${n} joins`),
  );
  const outcome = await deployAndBenchmark(system, input, progress).finally(stopScaling);
  const recorded = (await recordedRuns(system, input.service)).find(
    (run) => run.executionArn === outcome.executionArn,
  );
  console.log(`\n${outcome.executionArn}: ${outcome.status} in ${outcome.seconds.toFixed(1)} s`);
  if (outcome.status === "SUCCEEDED" && outcome.output !== undefined) {
    console.log(
      `${outcome.output.service}: ${outcome.output.previousTaskDefinition.split("/").pop()} → ${outcome.output.taskDefinition.split("/").pop()}, through ${system.names.loadBalancerUrl}\n`,
    );
    console.log(benchmarkTable(outcome.output.result));
    console.log(
      `\nrecorded in ${system.names.benchmarkResultsTable}: ${recorded?.status ?? "no item"}`,
    );
    exitCode = 0;
  } else {
    console.error(`error: ${outcome.error ?? "(none)"}\ncause: ${outcome.cause ?? "(none)"}`);
    if (recorded !== undefined) {
      console.error(
        `recorded in ${system.names.benchmarkResultsTable}: ${recorded.status}, rollback ${recorded.rollback}`,
      );
    }
  }
} finally {
  recorder.stop();
  await system.stop();
}
process.exit(exitCode);
