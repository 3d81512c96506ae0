/**
 * `npm start`: the whole system on one machine. Boots the local cloud with the tasks as
 * real processes, wires template.yaml into it, runs the scenario (hosts join, demand
 * walks, hosts leave, deploy-and-benchmark), writes report/index.html and exits 0 only
 * if every controller converged.
 */
import { relative } from "node:path";
import { writeReport } from "../report/write";
import { readDeployInput } from "../scenario/deploy";
import { scenarioParameters } from "../scenario/options";
import { summaryTable } from "../scenario/outcome";
import { consoleProgress } from "../scenario/progress";
import { runScenario } from "../scenario/scenario";
import { quietFunctionLogs } from "../scenario/system";
import { bootFromCommandLine, readCommandLine } from "./command-line";

const startedAt = Date.now();
const commandLine = readCommandLine(process.argv.slice(2), {
  name: "npm start",
  summary:
    "Boots the local cloud, plays the scenario (hosts 3 → 6 → 2, demand walks, demand up: hosts out,\ndemand down: hosts consolidated back, deploy-and-benchmark, its surge host consolidated)\nand writes report/index.html; exit 0 when every controller converged.",
  flags: ["port", "time-scale"],
  timeScale: 30,
});
quietFunctionLogs();
const progress = consoleProgress();

progress.phase(
  "boot",
  `local cloud on 127.0.0.1:${commandLine.port}, time ×${commandLine.timeScale}`,
);
const system = await bootFromCommandLine(commandLine, {
  // Reproducible demand: the same walk on every run unless DEMAND_SEED says otherwise.
  functionEnvironment: { DEMAND_SEED: process.env.DEMAND_SEED ?? "42" },
  parameters: scenarioParameters(commandLine.timeScale),
});
progress.info(
  `edge ${system.cloud.endpoint}, cluster ${system.names.cluster}, load balancer ${system.names.loadBalancerUrl}`,
);

let exitCode = 1;
try {
  const outcome = await runScenario(system, progress, { deploy: readDeployInput(system) });
  const path = writeReport(outcome.report);
  console.log(
    `\nSummary (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n${summaryTable(outcome)}`,
  );
  console.log(`\nreport: ${relative(process.cwd(), path)}`);
  if (outcome.ok) {
    exitCode = 0;
  } else {
    console.error(
      `\nNot converged:\n${outcome.failures.map((failure) => `  - ${failure}`).join("\n")}`,
    );
  }
} finally {
  await system.stop();
}
process.exit(exitCode);
