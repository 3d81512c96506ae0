import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import { Edge } from "../../../../local/edge/server";
import { FaultInjector } from "../../../../local/faults/faults";
import { LocalLambdaRuntime } from "../../../../local/lambda/runtime";
import { localClientConfig } from "../../../../local/settings";
import { stepFunctionsApi } from "../../../../local/stepfunctions/api";
import { substituteDefinition } from "../../../../local/stepfunctions/definition";
import { LocalStepFunctions } from "../../../../local/stepfunctions/executions";
import {
  parseSdkResource,
  SdkIntegration,
  sdkErrorName,
} from "../../../../local/stepfunctions/sdk-integration";

const here = dirname(fileURLToPath(import.meta.url));
const region = "us-east-1";
const accountId = "000000000000";

let edge: Edge;
let endpoint: string;
let stepFunctions: LocalStepFunctions;
let sdk: SdkIntegration;
let stateMachineArn: string;

beforeAll(async () => {
  edge = new Edge(new FaultInjector());
  endpoint = await edge.listen(0, "127.0.0.1");
  const lambda = new LocalLambdaRuntime({ region, accountId, endpoint });
  lambda.register({
    logicalId: "EchoFunction",
    functionName: "stack-EchoFunction",
    modulePath: join(here, "fixtures/echo-function.ts"),
    exportName: "handler",
    timeoutSeconds: 5,
    memorySizeMb: 128,
    environment: { ECHO_TAG: "from-template" },
  });
  sdk = new SdkIntegration({ endpoint, region });
  stepFunctions = new LocalStepFunctions({
    region,
    accountId,
    lambda,
    sdk,
    clock: new LocalClock({ timeScale: 600 }),
  });
  edge.route("AWSStepFunctions", stepFunctionsApi(stepFunctions), {
    namespace: "com.amazonaws.swf.service.v2.model",
  });
  stateMachineArn = stepFunctions.createStateMachine({
    name: "stack-Machine",
    definitionText: readFileSync(join(here, "fixtures/machine.asl.json"), "utf8"),
    substitutions: {
      EchoFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:stack-EchoFunction`,
    },
  });
});

afterAll(async () => {
  sdk.destroy();
  await stepFunctions.stopAll();
  await edge.close();
});

function client(): SFNClient {
  return new SFNClient(localClientConfig(endpoint, { region }));
}

async function runToEnd(input: object) {
  const sfn = client();
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  await stepFunctions.waitForExecution(started.executionArn as string);
  return sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
}

describe("LocalStepFunctions through the edge", () => {
  it("runs aws-sdk, Lambda and lambda:invoke tasks and maps SDK errors to Step Functions names", async () => {
    // Act
    const described = await runToEnd({ value: 7 });

    // Assess
    expect(described.status).toBe("SUCCEEDED");
    expect(described.startDate).toBeInstanceOf(Date);
    const output = JSON.parse(described.output ?? "{}");
    expect(output.self).toEqual({ name: "stack-Machine", status: "ACTIVE" });
    expect(output.direct).toEqual({ echoed: 7, env: "from-template" });
    expect(output.invoked).toEqual({ payload: { echoed: 7, env: "from-template" }, status: 200 });
    expect(output.missing.Error).toBe("Sfn.ExecutionDoesNotExistException");
  });

  it("surfaces a function's error type so Catch can match it", async () => {
    const described = await runToEnd({ value: 1, fail: "value too big" });

    // The direct task has no Catch: the execution fails with the function's error.
    expect(described.status).toBe("FAILED");
    expect(described.error).toBe("ValidationError");
    expect(JSON.parse(described.cause ?? "{}")).toMatchObject({
      errorType: "ValidationError",
      errorMessage: "value too big",
    });
  });

  it("answers DescribeExecution for an unknown execution with the real error class", async () => {
    await expect(
      client().send(
        new DescribeExecutionCommand({
          executionArn: `arn:aws:states:${region}:${accountId}:execution:x:y`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it("records the states entered, in order", async () => {
    const sfn = client();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: "{}", name: "ordered" }),
    );
    const execution = await stepFunctions.waitForExecution(executionArn as string);
    expect(execution.statesEntered).toEqual([
      "DescribeSelf",
      "Echo",
      "Pause",
      "EchoViaInvoke",
      "LookUpMissing",
      "Done",
    ]);
  });
});

describe("listing and stopping through the edge", () => {
  it("stops a running execution and lists executions newest first, filtered by status", async () => {
    // Prepare: a machine that waits as long as its input says (SecondsPath is not scaled).
    const sfn = client();
    const holdArn = stepFunctions.createStateMachine({
      name: "stack-Hold",
      definitionText: JSON.stringify({
        StartAt: "Hold",
        States: {
          Hold: { Type: "Wait", SecondsPath: "$.wait", Next: "Done" },
          Done: { Type: "Succeed" },
        },
      }),
    });
    const start = (name: string, wait: number) =>
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: holdArn,
          input: JSON.stringify({ wait }),
          name,
        }),
      );
    const first = await start("listed-first", 0);
    await stepFunctions.waitForExecution(first.executionArn as string);
    const second = await start("listed-second", 3_600);

    // Act
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: second.executionArn }));
    await stepFunctions.waitForExecution(second.executionArn as string);
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: holdArn }));
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: holdArn, statusFilter: "ABORTED" }),
    );

    // Assess
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect((all.executions ?? []).map((execution) => [execution.name, execution.status])).toEqual([
      ["listed-second", "ABORTED"],
      ["listed-first", "SUCCEEDED"],
    ]);
    expect((aborted.executions ?? []).map((execution) => execution.name)).toEqual([
      "listed-second",
    ]);
    await expect(
      sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:missing`,
        }),
      ),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });
});

describe("GetExecutionHistory, idempotent StartExecution and the machine's settings", () => {
  it("answers the history in AWS's event types, ids chained, paged and reversible", async () => {
    const sfn = client();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{"value":3}', name: "history" }),
    );
    await stepFunctions.waitForExecution(executionArn as string);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = (events ?? []).map((event) => event.type);
    expect(types.slice(0, 3)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskStateExited"]);
    expect(types).toContain("WaitStateEntered");
    expect(types.at(-1)).toBe("ExecutionSucceeded");
    expect((events ?? []).map((event) => [event.id, event.previousEventId])).toEqual(
      (events ?? []).map((_, index) => [index + 1, index]),
    );
    expect(events?.[0]?.executionStartedEventDetails?.input).toBe('{"value":3}');
    expect(events?.[1]?.stateEnteredEventDetails?.name).toBe("DescribeSelf");
    const newest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
    );
    expect(newest.events?.map((event) => event.type)).toEqual([
      "ExecutionSucceeded",
      "SucceedStateExited",
    ]);
    expect(newest.nextToken).toBeDefined();
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        nextToken: newest.nextToken,
      }),
    );
    expect([...(newest.events ?? []), ...(rest.events ?? [])].map((event) => event.id)).toEqual(
      (events ?? []).map((event) => event.id).reverse(),
    );
  });

  it("refuses a nextToken it did not issue, or issued for another order, with InvalidToken", async () => {
    const sfn = client();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{"value":1}', name: "forged-token" }),
    );
    await stepFunctions.waitForExecution(executionArn as string);
    const history = (request: { reverseOrder?: boolean; nextToken?: string }) =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1, ...request }));
    const { nextToken } = await history({ reverseOrder: true });
    // The offset 1 in the form the local cloud once issued: an unsigned base64url number.
    const forged = Buffer.from("1").toString("base64url");
    await expect(history({ nextToken: forged })).rejects.toBeInstanceOf(InvalidToken);
    await expect(history({ nextToken })).rejects.toBeInstanceOf(InvalidToken);
    await expect(history({ reverseOrder: true, nextToken })).resolves.toHaveProperty("events");
  });

  it("answers the running execution for the same name and input, and refuses other input", async () => {
    const sfn = client();
    const holdArn = stepFunctions.createStateMachine({
      name: "stack-Idempotent",
      definitionText: JSON.stringify({
        StartAt: "Hold",
        States: { Hold: { Type: "Wait", SecondsPath: "$.wait", End: true } },
      }),
    });
    const start = (input: string) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: holdArn, input, name: "once" }));
    const first = await start('{"wait":3600}');
    const again = await start('{"wait":3600}');
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(start('{"wait":1}')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await stepFunctions.waitForExecution(first.executionArn as string);
    await expect(start('{"wait":3600}')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it("describes the machine's logging and tracing configuration", async () => {
    const logged = stepFunctions.createStateMachine({
      name: "stack-Logged",
      definitionText: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      loggingConfiguration: {
        level: "ERROR",
        includeExecutionData: true,
        destinations: [
          {
            cloudWatchLogsLogGroup: {
              logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:g:*",
            },
          },
        ],
      },
    });
    const described = await client().send(
      new DescribeStateMachineCommand({ stateMachineArn: logged }),
    );
    expect(described.loggingConfiguration).toMatchObject({
      level: "ERROR",
      includeExecutionData: true,
    });
    expect(described.tracingConfiguration).toEqual({ enabled: false });
    const plain = await client().send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(plain.loggingConfiguration).toEqual({ level: "OFF", includeExecutionData: false });
  });
});

describe("definitions and resources", () => {
  it("substitutes placeholders inside JSON strings and refuses unknown names", () => {
    const placeholder = (name: string) => `{"a":"$\{${name}}"}`;
    expect(substituteDefinition(placeholder("X"), { X: 'say "hi"' })).toBe('{"a":"say \\"hi\\""}');
    expect(() => substituteDefinition(placeholder("Y"), {})).toThrow(/Y/);
  });

  it("parses aws-sdk resources and refuses .sync patterns", () => {
    expect(parseSdkResource("arn:aws:states:::aws-sdk:ecs:updateService")).toEqual({
      service: "ecs",
      action: "updateService",
    });
    expect(parseSdkResource("arn:aws:states:::lambda:invoke")).toBeUndefined();
    expect(() => parseSdkResource("arn:aws:states:::aws-sdk:ecs:runTask.sync")).toThrow(/sync/);
  });

  it("names errors <ServiceName>.<ErrorName>Exception", () => {
    expect(sdkErrorName("ecs", "ServiceNotFoundException")).toBe("Ecs.ServiceNotFoundException");
    expect(sdkErrorName("dynamodb", "ConditionalCheckFailedException")).toBe(
      "DynamoDb.ConditionalCheckFailedException",
    );
    expect(sdkErrorName("sfn", "ExecutionDoesNotExist")).toBe("Sfn.ExecutionDoesNotExistException");
    // Not declared by @aws-sdk/client-ecs: AWS reports the service's generic exception.
    expect(sdkErrorName("ecs", "ThrottlingException", false)).toBe("Ecs.EcsException");
  });

  it("refuses a state machine with a Task it cannot run", () => {
    expect(() =>
      stepFunctions.createStateMachine({
        name: "bad",
        definitionText: JSON.stringify({
          StartAt: "T",
          States: { T: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", End: true } },
        }),
      }),
    ).toThrow(/cannot run it/);
  });
});

describe("member-name casing", () => {
  it("converts PascalCase parameters to a camelCase API and back, leaving map keys alone", async () => {
    const { toServiceInput, toStateOutput } = await import(
      "../../../../local/stepfunctions/sdk-integration"
    );
    const parameters = {
      Family: "web",
      ContainerDefinitions: [
        {
          Name: "web",
          DockerLabels: { "com.example.Tier": "front" },
          Environment: [{ Name: "A", Value: "1" }],
        },
      ],
    };
    const wire = toServiceInput("ecs", parameters);
    expect(wire).toEqual({
      family: "web",
      containerDefinitions: [
        {
          name: "web",
          dockerLabels: { "com.example.Tier": "front" },
          environment: [{ name: "A", value: "1" }],
        },
      ],
    });
    expect(toStateOutput("ecs", wire)).toEqual(parameters);
    const item = { TableName: "t", Item: { pk: { S: "demand" } } };
    expect(toServiceInput("dynamodb", item)).toBe(item);
  });
});
