import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { FunctionSource } from "../../../local/template/functions";

const exec = promisify(execFile);

/** One fresh Node process: how long `import()` of the handler module took, and the CPU the whole process used. */
export interface ColdSample {
  importMs: number;
  /** user + system CPU of the whole process, start-up included, until the import resolved. */
  processCpuMs: number;
}

/**
 * The environment a Lambda sandbox gives the module: the template's plain-string
 * variables (Globals merged, intrinsics left out), NODE_OPTIONS among them, and the
 * variables the runtime itself sets.
 */
export function lambdaEnvironment(source: FunctionSource): NodeJS.ProcessEnv {
  const environment = source.properties.Environment;
  const declared =
    typeof environment === "object" && environment !== null && !Array.isArray(environment)
      ? environment.Variables
      : undefined;
  const variables: Record<string, string> = {};
  if (typeof declared === "object" && declared !== null && !Array.isArray(declared)) {
    for (const [name, value] of Object.entries(declared)) {
      if (typeof value === "string") variables[name] = value;
    }
  }
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_NAME: source.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
    AWS_ACCESS_KEY_ID: "AKIDCOLDSTART",
    AWS_SECRET_ACCESS_KEY: "cold-start",
    // nodejs22.x prints no Node-version notice; this Node 20 would, and it is not a figure.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...variables,
  };
}

const probe = `
const started = performance.now();
await import(process.argv[1]);
const importMs = performance.now() - started;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ importMs, processCpuMs: (cpu.user + cpu.system) / 1000 }));
`;

/** Imports `modulePath` in a new `node` process with `env`, as the runtime's first invocation would. */
export async function coldImport(modulePath: string, env: NodeJS.ProcessEnv): Promise<ColdSample> {
  const { stdout } = await exec(
    process.execPath,
    ["--input-type=module", "--eval", probe, pathToFileURL(modulePath).href],
    { env, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as ColdSample;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
