import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);

/**
 * The benchmark runner's first invocation in a fresh process, after its cold import: what
 * the handler costs beyond the load run itself, first call and second. A cold start that
 * only moved work from the import into the first call would show here.
 */
export interface FirstInvocationSample {
  importMs: number;
  /** Wall time of the first handler call minus the run it measured. */
  firstOverheadMs: number;
  /** The same for a second call in the same process. */
  secondOverheadMs: number;
}

/** How long each invocation loads its target: the overhead, not the run, is the figure. */
export const RUN_SECONDS = 0.2;

// The target is a loopback server in the same process: its cost falls inside the run's
// 0.2 s, which is subtracted.
const probe = `
import { createServer } from "node:http";
const server = createServer((request, response) => {
  response.writeHead(200, { "content-length": 2 });
  response.end("ok");
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = "http://127.0.0.1:" + server.address().port + "/";
const context = {
  functionName: "BenchmarkRunnerFunction", functionVersion: "$LATEST", memoryLimitInMB: "1769",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:BenchmarkRunnerFunction",
  awsRequestId: "00000000-0000-4000-8000-000000000000", logGroupName: "g", logStreamName: "s",
  getRemainingTimeInMillis: () => 60000,
};
const started = performance.now();
const { handler } = await import(process.argv[1]);
const importMs = performance.now() - started;
const event = { url, durationSeconds: ${RUN_SECONDS}, connections: 4, warmupSeconds: 0 };
const overhead = async () => {
  const at = performance.now();
  const result = await handler(event, context);
  return performance.now() - at - result.durationSeconds * 1000;
};
const firstOverheadMs = await overhead();
const secondOverheadMs = await overhead();
server.close();
process.stdout.write("\\n" + JSON.stringify({ importMs, firstOverheadMs, secondOverheadMs }));
`;

/** Imports the runner's bundle in a new `node` process with `env` and invokes it twice. */
export async function firstInvocation(
  modulePath: string,
  env: NodeJS.ProcessEnv,
): Promise<FirstInvocationSample> {
  const { stdout } = await exec(
    process.execPath,
    ["--input-type=module", "--eval", probe, pathToFileURL(modulePath).href],
    {
      env: { ...env, POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as FirstInvocationSample;
}
