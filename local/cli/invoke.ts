/**
 * `npm run invoke -- <FunctionLogicalId> <event file>`: one function, through its real
 * handler, with its environment resolved from template.yaml to the local resources.
 * Against the local cloud already listening on the port (`npm run local`), or else
 * against one booted for the call (simulated tasks) and stopped after it. Prints the
 * handler's JSON result; a thrown error prints its type and message and exits 1.
 *
 *   npm run invoke -- PriorityScalerFunction events/priority-scaler/scheduled-reconcile.json
 */
import { readFileSync } from "node:fs";
import { demandRandomizerId } from "../scenario/run-context";
import { bootSystem, localTemplate, quietFunctionLogs } from "../scenario/system";
import { localAccountId, localRegion } from "../settings";
import { resourcesOfType } from "../template/read";
import { functionRuntime } from "../wiring/functions";
import { localResolveContext } from "../wiring/names";
import { localCloudAt, readCommandLine } from "./command-line";
import { seedDemand } from "./seed-demand";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const commandLine = readCommandLine(process.argv.slice(2), {
  name: "npm run invoke",
  arguments: "<FunctionLogicalId> <event file>",
  maxPositionals: 2,
  summary:
    "Invokes one function of template.yaml with the event, against `npm run local` when it is up,\nelse against a local cloud booted for the call; prints the handler's JSON result.",
  flags: ["port"],
  timeScale: 1,
});
const [logicalId, eventFile] = commandLine.positionals;
const template = localTemplate();
const functionIds = resourcesOfType(template, "AWS::Serverless::Function").map(([id]) => id);
if (logicalId === undefined || eventFile === undefined) {
  fail(
    `usage: npm run invoke -- <FunctionLogicalId> <event file>\nfunctions: ${functionIds.join(", ")}`,
  );
}
if (!functionIds.includes(logicalId)) {
  fail(
    `${logicalId} is not a function in template.yaml; valid logical IDs: ${functionIds.join(", ")}`,
  );
}
let event: unknown;
try {
  event = JSON.parse(readFileSync(eventFile, "utf8"));
} catch (error) {
  fail(`${eventFile}: ${error instanceof Error ? error.message : String(error)}`);
}
// Logs at WARN unless POWERTOOLS_LOG_LEVEL says otherwise, so the result stands out.
quietFunctionLogs();

const endpoint = `http://127.0.0.1:${commandLine.port}`;
let exitCode = 0;
const print = (outcome: { result: unknown } | { error: unknown }) => {
  if ("result" in outcome) {
    console.log(JSON.stringify(outcome.result, null, 2));
    return;
  }
  const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  console.error(`${error.name}: ${error.message}`);
  exitCode = 1;
};

if (await localCloudAt(endpoint, commandLine.port)) {
  console.error(`invoking ${logicalId} against the local cloud at ${endpoint}`);
  const lambda = functionRuntime(template, localResolveContext(template), {
    region: localRegion,
    accountId: localAccountId,
    endpoint,
    logicalIds: [logicalId],
  });
  await lambda.invoke(logicalId, event).then(
    (result) => print({ result }),
    (error: unknown) => print({ error }),
  );
} else {
  console.error(`no local cloud on ${endpoint}: booting one (simulated tasks) for this call`);
  const system = await bootSystem({ port: 0, runTasks: "simulated", timeScale: 1 });
  try {
    if (logicalId !== demandRandomizerId) await seedDemand(system);
    await system.wired.lambda.invoke(logicalId, event).then(
      (result) => print({ result }),
      (error: unknown) => print({ error }),
    );
  } finally {
    await system.stop();
  }
}
process.exit(exitCode);
