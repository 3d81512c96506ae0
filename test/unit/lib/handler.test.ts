import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { requiredString } from "../../../functions/lib/config";
import { ConfigurationError } from "../../../functions/lib/errors";
import { type FunctionDefinition, lambdaHandler, noConfig } from "../../../functions/lib/handler";
import type { Observed } from "../../../functions/lib/observability";
import { lambdaContext } from "../../support/events";
import { recordingObservability } from "../../support/recording";

interface EchoConfig {
  readonly table: string;
}
interface EchoDeps {
  readonly client: { readonly name: string };
}

/** Returns what it was given, so each test can see what the wrapper passed on. */
function echo(run?: FunctionDefinition<EchoConfig, EchoDeps, unknown>["run"]) {
  const calls: { event: unknown; config: EchoConfig; deps: EchoDeps & Observed }[] = [];
  const definition: FunctionDefinition<EchoConfig, EchoDeps, unknown> = {
    name: "echo",
    loadConfig: (env) => ({ table: requiredString(env, "TABLE") }),
    run:
      run ??
      (async (event, config, deps, context) => {
        calls.push({ event, config, deps });
        return { event, table: config.table, requestId: context.awsRequestId };
      }),
  };
  return { definition, calls };
}

/** One invocation of a handler whose core throws `failure`: what it rethrew and recorded. */
async function invokeFailingWith(failure: Error) {
  const { definition } = echo(async () => {
    throw failure;
  });
  const observability = recordingObservability();
  const handler = lambdaHandler(definition, {
    deps: { client: { name: "c" } },
    env: () => ({ TABLE: "demand" }),
    observability: () => observability,
  });
  const outcome = await handler({}, lambdaContext()).catch((thrown: unknown) => thrown);
  return { outcome, observability };
}

describe("lambdaHandler", () => {
  it("runs the definition with the config, the deps plus log and metrics, and the context", async () => {
    // Prepare
    const { definition, calls } = echo();
    const observability = recordingObservability();
    const client = { name: "client" };
    const handler = lambdaHandler(definition, {
      deps: { client },
      env: () => ({ TABLE: "demand" }),
      observability: () => observability,
    });
    const context = lambdaContext({ awsRequestId: "req-1" });

    // Act
    const result = await handler({ n: 1 }, context);

    // Assess
    expect(result).toEqual({ event: { n: 1 }, table: "demand", requestId: "req-1" });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.deps.client).toBe(client);
    expect(calls[0]?.deps.log).toBe(observability.log);
    expect(calls[0]?.deps.metrics).toBe(observability.metrics);
    expect(observability.contexts).toEqual([context]);
    expect(observability.flushes()).toBe(1);
    expect(observability.log.lines).toEqual([]);
  });

  it("reads the environment on every invocation, not once", async () => {
    const { definition } = echo();
    const env: Record<string, string> = { TABLE: "first" };
    const handler = lambdaHandler(definition, {
      deps: { client: { name: "c" } },
      env: () => env,
      observability: recordingObservability,
    });

    const first = await handler({}, lambdaContext());
    env.TABLE = "second";
    const second = await handler({}, lambdaContext());

    expect([first, second]).toMatchObject([{ table: "first" }, { table: "second" }]);
  });

  it("logs a failure naming the function, rethrows the same error and still flushes", async () => {
    // Prepare
    const failure = new RangeError("demand out of range");

    // Act
    const { outcome, observability } = await invokeFailingWith(failure);

    // Assess
    expect(outcome).toBe(failure);
    expect(observability.log.lines).toEqual([
      { level: "error", message: "echo failed", extra: { error: failure } },
    ]);
    expect(observability.flushes()).toBe(1);
  });

  it("points a failure's stack at the sources through the map beside the bundle", async () => {
    // Prepare: a one-segment map that sends line 1, column 1 of the bundle to src/core.ts.
    const folder = mkdtempSync(join(tmpdir(), "microscale-handler-"));
    const bundle = join(folder, "index.mjs");
    writeFileSync(
      `${bundle}.map`,
      JSON.stringify({ version: 3, sources: ["../../src/core.ts"], names: [], mappings: "AAAA" }),
    );
    const failure = new Error("boom");
    failure.stack = `Error: boom\n    at n (${pathToFileURL(bundle).href}:1:1)`;

    // Act
    const { outcome } = await invokeFailingWith(failure);

    // Assess: the same error, logged and rethrown with the source's location.
    expect(outcome).toBe(failure);
    expect(failure.stack).toBe("Error: boom\n    at n (src/core.ts:1:1)");
    rmSync(folder, { recursive: true, force: true });
  });

  it("fails on bad configuration before running the core", async () => {
    const run = vi.fn(async () => "ran");
    const { definition } = echo(run);
    const observability = recordingObservability();
    const handler = lambdaHandler(definition, {
      deps: { client: { name: "c" } },
      env: () => ({ TABLE: " " }),
      observability: () => observability,
    });

    const outcome = handler({}, lambdaContext());

    await expect(outcome).rejects.toThrow(ConfigurationError);
    await expect(outcome).rejects.toMatchObject({ variable: "TABLE" });
    expect(run).not.toHaveBeenCalled();
    expect(observability.log.lines.map((line) => line.message)).toEqual(["echo failed"]);
    expect(observability.flushes()).toBe(1);
  });

  it("asks for its observability on the first invocation, inside it, and once", async () => {
    const { definition } = echo();
    const observe = vi.fn(recordingObservability);
    const handler = lambdaHandler(definition, {
      deps: { client: { name: "c" } },
      env: () => ({ TABLE: "demand" }),
      observability: observe,
    });
    expect(observe).not.toHaveBeenCalled();

    await handler({}, lambdaContext());
    await handler({}, lambdaContext());

    expect(observe).toHaveBeenCalledTimes(1);
  });

  it("defaults to process.env", async () => {
    vi.stubEnv("TABLE", "from-process-env");
    const { definition } = echo();
    const handler = lambdaHandler(definition, {
      deps: { client: { name: "c" } },
      observability: recordingObservability,
    });

    await expect(handler({}, lambdaContext())).resolves.toMatchObject({
      table: "from-process-env",
    });
    vi.unstubAllEnvs();
  });

  it("noConfig: a function without environment settings gets undefined", () => {
    expect(noConfig()).toBeUndefined();
  });
});
