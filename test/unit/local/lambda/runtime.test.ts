import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  FunctionNotFoundError,
  FunctionTimeoutError,
  type LocalFunctionDefinition,
  LocalLambdaRuntime,
} from "../../../../local/lambda/runtime";
import { resolveHandlerModule } from "../../../../local/template/functions";

const here = dirname(fileURLToPath(import.meta.url));

function probe(
  name: string,
  overrides: Partial<LocalFunctionDefinition> = {},
): LocalFunctionDefinition {
  return {
    logicalId: `${name}Function`,
    functionName: `stack-${name}`,
    modulePath: join(here, "fixtures/probe.ts"),
    exportName: "handler",
    timeoutSeconds: 5,
    memorySizeMb: 128,
    environment: { PROBE_NAME: name },
    ...overrides,
  };
}

function runtime(): LocalLambdaRuntime {
  const local = new LocalLambdaRuntime({
    region: "eu-west-1",
    accountId: "000000000000",
    endpoint: "http://127.0.0.1:4566",
  });
  local.register(probe("A"));
  local.register(probe("B"));
  return local;
}

type ProbeResult = Record<string, unknown>;

describe("LocalLambdaRuntime", () => {
  it("runs the handler with the function's environment and a Lambda context", async () => {
    // Prepare
    const local = runtime();

    // Act
    const result = (await local.invoke("AFunction", {})) as ProbeResult;

    // Assess
    expect(result).toMatchObject({
      before: "A",
      endpoint: "http://127.0.0.1:4566",
      region: "eu-west-1",
      functionName: "stack-A",
      arn: "arn:aws:lambda:eu-west-1:000000000000:function:stack-A",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(result.remaining).toBeGreaterThan(4000);
    expect(result.remaining).toBeLessThanOrEqual(5000);
    expect(process.env.PROBE_NAME).toBeUndefined();
    expect(local.invocations).toEqual([
      expect.objectContaining({ logicalId: "AFunction", outcome: "success" }),
    ]);
  });

  it("keeps concurrent invocations' environments apart across awaits", async () => {
    const local = runtime();

    const [a, b] = (await Promise.all([
      local.invoke("AFunction", { delayMs: 30, setVariable: "from-A" }),
      local.invoke("stack-B", { delayMs: 5 }),
    ])) as [ProbeResult, ProbeResult];

    expect(a).toMatchObject({ before: "A", after: "A", set: "from-A" });
    expect(b).toMatchObject({ before: "B", after: "B" });
    expect(b.set).toBeUndefined();
    expect(process.env.PROBE_SET).toBeUndefined();
  });

  it("finds a function by ARN and rejects unknown names", async () => {
    const local = runtime();
    await expect(
      local.invoke("arn:aws:lambda:eu-west-1:000000000000:function:stack-B", {}),
    ).resolves.toMatchObject({ before: "B" });
    await expect(local.invoke("Nope", {})).rejects.toThrow(FunctionNotFoundError);
  });

  it("passes the handler's error through and records it", async () => {
    const local = runtime();
    await expect(local.invoke("AFunction", { fail: "bad input" })).rejects.toThrow(TypeError);
    expect(local.invocations[0]?.error).toEqual({
      errorType: "TypeError",
      errorMessage: "bad input",
    });
  });

  it("times out like Lambda", async () => {
    const local = new LocalLambdaRuntime({ region: "r", accountId: "1", endpoint: "http://x" });
    local.register(probe("Slow", { timeoutSeconds: 0.05 }));
    await expect(local.invoke("SlowFunction", { delayMs: 500 })).rejects.toThrow(
      FunctionTimeoutError,
    );
  });
});

describe("resolveHandlerModule", () => {
  it("finds the TypeScript source for CodeUri + Handler", () => {
    expect(resolveHandlerModule(here, "fixtures", "probe.handler")).toEqual({
      modulePath: join(here, "fixtures/probe.ts"),
      exportName: "handler",
    });
  });

  it("prefers esbuild EntryPoints and names what it tried when nothing is there", () => {
    expect(resolveHandlerModule(here, "fixtures", "x.handler", ["probe.ts"]).modulePath).toBe(
      join(here, "fixtures/probe.ts"),
    );
    expect(() => resolveHandlerModule(here, "fixtures", "missing.handler")).toThrow(/missing/);
  });
});

describe("functionFromTemplate", () => {
  it("merges Globals, resolves the environment and finds the source", async () => {
    // Prepare
    const { parseTemplate } = await import("../../../../local/template/read");
    const { functionFromTemplate } = await import("../../../../local/lambda/definition");
    const template = parseTemplate(`
Globals:
  Function:
    Timeout: 10
    Environment:
      Variables:
        POWERTOOLS_SERVICE_NAME: microscale
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  ProbeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fixtures
      Handler: probe.handler
      MemorySize: 256
      Environment:
        Variables:
          CLUSTER: !Ref Cluster
          TABLE_ARN: !Sub "arn:aws:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/t"
`);

    // Act
    const definition = functionFromTemplate(
      template,
      "ProbeFunction",
      {
        refs: {
          Cluster: "microscale",
          ProbeFunction: "microscale-ProbeFunction",
          "AWS::Region": "us-east-1",
          "AWS::AccountId": "000000000000",
        },
      },
      here,
    );

    // Assess
    expect(definition).toEqual({
      logicalId: "ProbeFunction",
      functionName: "microscale-ProbeFunction",
      modulePath: join(here, "fixtures/probe.ts"),
      exportName: "handler",
      timeoutSeconds: 10,
      memorySizeMb: 256,
      environment: {
        POWERTOOLS_SERVICE_NAME: "microscale",
        CLUSTER: "microscale",
        TABLE_ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/t",
      },
    });
  });
});
