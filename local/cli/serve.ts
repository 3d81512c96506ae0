/**
 * `npm run local`: the local cloud with template.yaml wired into it, kept up for
 * `aws --endpoint-url http://127.0.0.1:4566 …` and SDK clients (AWS_ENDPOINT_URL).
 * Starts with a few hosts so the services run; Ctrl-C stops every task and port.
 *
 *   npm run local [-- --port 4566] [--hosts 3] [--time-scale 1] [--quiet]
 */

import { joinHosts } from "../scenario/hosts";
import { defaultScenarioOptions } from "../scenario/options";
import { quietFunctionLogs } from "../scenario/system";
import { bootFromCommandLine, printInvocationError, readCommandLine } from "./command-line";
import { invocationLine } from "./invocation-line";
import { seedDemand } from "./seed-demand";

const commandLine = readCommandLine(process.argv.slice(2), {
  name: "npm run local",
  summary:
    "Keeps the local cloud up for the aws CLI and SDKs, at real time (×1) unless --time-scale;\none line per controller invocation unless --quiet. Ctrl-C (or SIGTERM) stops it.",
  flags: ["port", "time-scale", "hosts", "quiet"],
  timeScale: 1,
});
quietFunctionLogs();
const system = await bootFromCommandLine(commandLine);
if (!commandLine.quiet) {
  system.wired.lambda.onInvocation((record) => console.log(invocationLine(record)));
}
await seedDemand(system).catch((error: unknown) => printInvocationError("demand seed", error));
const hosts = commandLine.hosts ?? defaultScenarioOptions.hosts.initial;
joinHosts(system, hosts);

const { names, cloud } = system;
const endpoint = cloud.endpoint;
const aws = `aws --endpoint-url ${endpoint} --region ${cloud.region}`;
const lines = [
  `Microscale local cloud: ${endpoint} (region ${cloud.region}, account ${cloud.accountId})`,
  `time ×${commandLine.timeScale}, ${hosts} hosts of ${defaultScenarioOptions.hostSize.cpu} CPU units / ${defaultScenarioOptions.hostSize.memory} MiB, tasks as processes`,
  "",
  `cluster            ${names.cluster}`,
  `per-host service   ${names.services.perHost}`,
  `web service        ${names.services.web}   (load balancer ${names.loadBalancerUrl})`,
  `backend service    ${names.services.backend}`,
  `worker services    ${names.services.highPriority} (P1), ${names.services.lowPriority} (P2)`,
  `tables             ${names.demandTable}, ${names.benchmarkResultsTable}`,
  `state machine      ${names.stateMachineArn}`,
  `functions          ${names.functions.join(", ")}`,
  "",
  "Try (any credentials do, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test):",
  `  ${aws} ecs list-services --cluster ${names.cluster}`,
  `  ${aws} ecs describe-services --cluster ${names.cluster} --services ${names.services.perHost} ${names.services.highPriority} ${names.services.lowPriority}`,
  `  ${aws} ecs list-container-instances --cluster ${names.cluster} --status ACTIVE`,
  `  ${aws} dynamodb get-item --table-name ${names.demandTable} --key '{"pk":{"S":"demand"}}'`,
  `  ${aws} stepfunctions start-execution --state-machine-arn ${names.stateMachineArn} --input file://events/deploy-and-benchmark/deploy-image.json`,
  `  curl ${names.loadBalancerUrl}/`,
  `  AWS_ENDPOINT_URL=${endpoint} node your-script.mjs   # SDK v3 clients`,
  `  npm run invoke -- PriorityScalerFunction events/priority-scaler/scheduled-reconcile.json`,
  "",
  "Ctrl-C stops it.",
];
console.log(lines.join("\n"));
// Stay up: the edge server and the schedules keep the event loop alive.
