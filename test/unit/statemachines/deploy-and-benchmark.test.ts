// The polyfill must load before aws-local-stepfunctions (Promise.withResolvers on Node 20).
import "../../../local/polyfills";
import { readFileSync } from "node:fs";
import aslValidator from "asl-validator";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as benchmarkRunner } from "../../../functions/benchmark-runner/index";
import { substituteDefinition } from "../../../local/stepfunctions/definition";
import { lambdaContext, sampleEvent } from "../../support/events";
import { type ScriptedTarget, startScriptedTarget } from "../../support/scripted-target";

/**
 * Every path of statemachines/deploy-and-benchmark.asl.json on aws-local-stepfunctions:
 * the Lambda task runs the real BenchmarkRunnerFunction handler against a local HTTP
 * server, and each aws-sdk task is a handler that checks the parameters it receives
 * (Step Functions' PascalCase) and answers in Step Functions' shape.
 */

const aslText = readFileSync(
  new URL("../../../statemachines/deploy-and-benchmark.asl.json", import.meta.url),
  "utf8",
);
const sampleInput = (name: string) => sampleEvent("deploy-and-benchmark", name);

const CLUSTER = "microscale";
const TABLE = "microscale-benchmark-results";
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:BenchmarkRunnerFunction";
const PREVIOUS = "arn:aws:ecs:us-east-1:123456789012:task-definition/microscale-web:6";
const NEXT = "arn:aws:ecs:us-east-1:123456789012:task-definition/microscale-web:7";
const MAX_POLLS = 3;

let target: ScriptedTarget;
let targetUrl: string;

beforeAll(async () => {
  target = await startScriptedTarget({ service: "web" });
  targetUrl = target.url;
});

afterAll(async () => {
  await target.close();
});

function definition(substitutions: Partial<Record<string, string>> = {}): StateMachineDefinition {
  return JSON.parse(
    substituteDefinition(aslText, {
      ClusterName: CLUSTER,
      BenchmarkRunnerFunctionArn: FUNCTION_ARN,
      BenchmarkResultsTableName: TABLE,
      LoadBalancerUrl: targetUrl,
      PollIntervalSeconds: "1",
      MaxPollAttempts: String(MAX_POLLS),
      ...substitutions,
    }),
  ) as StateMachineDefinition;
}

/** Task state names, to prove every one of them is bound to a local handler. */
function taskStateNames(states: Record<string, { Type: string }>): string[] {
  return Object.entries(states)
    .filter(([, state]) => state.Type === "Task")
    .map(([name]) => name)
    .sort();
}

type Json = Record<string, unknown>;
/** What a local Task handler takes and returns (the library does not export its JSON type). */
type JSONValue = Parameters<StateMachine["run"]>[0];
/** A fake AWS call: checks its parameters, answers in Step Functions' shape. */
type TaskHandler = (input: JSONValue) => Promise<unknown>;
type Deployment = { Id: string; Status: string; RolloutState: string; TaskDefinition: string };

/** A scripted ECS service and DynamoDB table behind the aws-sdk tasks, recording every call. */
function fakeAws(options: {
  /** DescribeServices answers while polling, one per poll; the last repeats. */
  polls: { deployments: Deployment[]; runningCount: number }[];
  serviceExists?: boolean;
  /** 1-based UpdateService calls (deploy, rollback) that fail. */
  failUpdateOnCalls?: number[];
  throttleFirstDescribe?: boolean;
  runner?: (payload: Json) => Promise<unknown>;
  /** What the baseline Query finds in BenchmarkResultsTable's ByServiceStatus index. */
  baselineItems?: Json[];
}) {
  const calls = {
    updateService: [] as Json[],
    putItem: [] as Json[],
    query: [] as Json[],
    registerTaskDefinition: [] as Json[],
    describeServices: 0,
    runner: [] as Json[],
  };
  let desiredCount = 2;
  let pollIndex = 0;
  let throttled = false;

  const expectEcs = (input: Json) => expect(input.Cluster).toBe(CLUSTER);

  const describeService = (input: Json) => {
    expectEcs(input);
    expect(input.Services).toEqual(["web"]);
    calls.describeServices += 1;
    if (options.throttleFirstDescribe && !throttled) {
      throttled = true;
      // ECS does not model ThrottlingException; Step Functions reports it as Ecs.EcsException.
      throw Object.assign(new Error("Rate exceeded"), { name: "Ecs.EcsException" });
    }
    if (options.serviceExists === false) {
      return { Services: [], Failures: [{ Arn: "web", Reason: "MISSING" }] };
    }
    return {
      Services: [
        {
          ServiceName: "web",
          TaskDefinition: PREVIOUS,
          DesiredCount: desiredCount,
          RunningCount: desiredCount,
          Deployments: [
            {
              Id: "ecs-svc/1",
              Status: "PRIMARY",
              RolloutState: "COMPLETED",
              TaskDefinition: PREVIOUS,
            },
          ],
        },
      ],
      Failures: [],
    };
  };

  const handlers: Record<string, TaskHandler> = {
    DescribeService: async (input) => describeService(input as Json),
    ResolveTaskDefinition: async (input) => {
      expect(input).toEqual({ TaskDefinition: "microscale-web" });
      return { TaskDefinition: { TaskDefinitionArn: NEXT, Family: "microscale-web", Revision: 7 } };
    },
    DescribeCurrentTaskDefinition: async (input) => {
      expect(input).toEqual({ TaskDefinition: PREVIOUS });
      return {
        TaskDefinition: {
          TaskDefinitionArn: PREVIOUS,
          Family: "microscale-web",
          Revision: 6,
          Status: "ACTIVE",
          Compatibilities: ["EC2"],
          RequiresAttributes: [{ Name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" }],
          RequiresCompatibilities: ["EC2"],
          NetworkMode: "bridge",
          ExecutionRoleArn: "arn:aws:iam::123456789012:role/microscale-execution",
          Volumes: [],
          PlacementConstraints: [],
          ContainerDefinitions: [
            {
              Name: "web",
              Image: "microscale-web:v1",
              Memory: 128,
              PortMappings: [{ ContainerPort: 8080 }],
            },
            { Name: "sidecar", Image: "sidecar:v1", Memory: 32 },
          ],
        },
      };
    },
    RegisterTaskDefinition: async (input) => {
      calls.registerTaskDefinition.push(input as Json);
      return { TaskDefinition: { TaskDefinitionArn: NEXT, Family: "microscale-web", Revision: 7 } };
    },
    UpdateService: async (input) => {
      const request = input as Json;
      expectEcs(request);
      calls.updateService.push(request);
      if (options.failUpdateOnCalls?.includes(calls.updateService.length)) {
        throw Object.assign(new Error("Service was not ACTIVE."), {
          name: "Ecs.ServiceNotActiveException",
        });
      }
      desiredCount = request.DesiredCount as number;
      return { Service: { ServiceName: "web", TaskDefinition: request.TaskDefinition } };
    },
    RollBack: async (input) => handlers.UpdateService?.(input),
    DescribeDeployment: async (input) => {
      describeService(input as Json);
      const poll = options.polls[Math.min(pollIndex, options.polls.length - 1)];
      pollIndex += 1;
      if (poll === undefined) throw new Error("no poll scripted");
      return {
        Services: [
          {
            ServiceName: "web",
            TaskDefinition: NEXT,
            DesiredCount: desiredCount,
            RunningCount: poll.runningCount,
            Deployments: poll.deployments,
          },
        ],
        Failures: [],
      };
    },
    RunBenchmark: async (input) => {
      const { FunctionName, Payload } = input as { FunctionName: string; Payload: Json };
      expect(FunctionName).toBe(FUNCTION_ARN);
      calls.runner.push(Payload);
      const run = options.runner ?? ((payload: Json) => benchmarkRunner(payload, lambdaContext()));
      try {
        return { StatusCode: 200, Payload: await run(Payload) };
      } catch (error) {
        // lambda:invoke surfaces a function error as its errorType, with a JSON cause
        const thrown = error as Error;
        throw Object.assign(
          new Error(JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message })),
          { name: thrown.name },
        );
      }
    },
    RecordResult: async (input) => {
      expect((input as Json).TableName).toBe(TABLE);
      calls.putItem.push(input as Json);
      return {};
    },
    RecordFailure: async (input) => {
      expect((input as Json).TableName).toBe(TABLE);
      calls.putItem.push(input as Json);
      return {};
    },
    RecordRefusal: async (input) => {
      expect((input as Json).TableName).toBe(TABLE);
      calls.putItem.push(input as Json);
      return {};
    },
    FindBaseline: async (input) => {
      calls.query.push(input as Json);
      const items = options.baselineItems ?? [];
      return { Items: items, Count: items.length, ScannedCount: items.length };
    },
  };
  return { handlers, calls };
}

const inProgress = (runningCount: number) => ({
  runningCount,
  deployments: [
    { Id: "ecs-svc/2", Status: "PRIMARY", RolloutState: "IN_PROGRESS", TaskDefinition: NEXT },
    { Id: "ecs-svc/1", Status: "ACTIVE", RolloutState: "COMPLETED", TaskDefinition: PREVIOUS },
  ],
});
const steady = {
  runningCount: 2,
  deployments: [
    { Id: "ecs-svc/2", Status: "PRIMARY", RolloutState: "COMPLETED", TaskDefinition: NEXT },
  ],
};
/** The new deployment has COMPLETED, but ECS still lists the old one: tasks are still moving. */
const oldStillListed = {
  runningCount: 2,
  deployments: [
    { Id: "ecs-svc/2", Status: "PRIMARY", RolloutState: "COMPLETED", TaskDefinition: NEXT },
    { Id: "ecs-svc/1", Status: "ACTIVE", RolloutState: "COMPLETED", TaskDefinition: PREVIOUS },
  ],
};
const failed = {
  runningCount: 0,
  deployments: [
    { Id: "ecs-svc/2", Status: "PRIMARY", RolloutState: "FAILED", TaskDefinition: NEXT },
    { Id: "ecs-svc/1", Status: "ACTIVE", RolloutState: "COMPLETED", TaskDefinition: PREVIOUS },
  ],
};

const fastBenchmark = { durationSeconds: 0.5, connections: 2, warmupSeconds: 0.2, path: "/" };

async function execute(
  input: Json,
  handlers: Record<string, TaskHandler>,
  substitutions: Partial<Record<string, string>> = {},
) {
  const machine = new StateMachine(definition(substitutions));
  const execution = machine.run(input as JSONValue, {
    overrides: {
      taskResourceLocalHandlers: handlers as Record<
        string,
        (input: JSONValue) => Promise<JSONValue>
      >,
      waitTimeOverrides: { WaitForSteadyState: 1 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
    },
    context: {
      Execution: {
        Id: "arn:aws:states:us-east-1:123456789012:execution:DeployAndBenchmark:test",
        Name: "test",
        Input: input as JSONValue,
        StartTime: "2026-11-22T12:00:00.000Z",
      },
    },
  });
  try {
    return { output: (await execution.result) as Json };
  } catch (error) {
    // ExecutionError wraps the Fail state's error: its name is Error, its message Cause.
    const inner = (error as Error).cause as Error;
    return { error: { name: inner.name, cause: inner.message } };
  }
}

/** The sample deploy of a task definition, benchmarked briefly against the local target. */
const deployTaskDefinition = (
  handlers: Record<string, TaskHandler>,
  benchmark: Json = fastBenchmark,
) => execute({ ...sampleInput("deploy-task-definition"), benchmark }, handlers);

const attribute = (item: Json, name: string) => (item.Item as Record<string, Json>)[name];

describe("deploy-and-benchmark definition", () => {
  it("validates with asl-validator, raw and with its substitutions resolved", () => {
    for (const candidate of [JSON.parse(aslText), definition()]) {
      const { isValid, errorsText } = aslValidator(structuredClone(candidate));
      expect(isValid, errorsText("\n")).toBe(true);
    }
  });

  it("binds every Task state to a local handler in these tests", () => {
    const { handlers } = fakeAws({ polls: [steady] });
    expect(Object.keys(handlers).sort()).toEqual(
      taskStateNames(definition().States as Record<string, { Type: string }>),
    );
  });
});

describe("deploy-and-benchmark executions", () => {
  it("deploys a task definition, waits for steady state, benchmarks and records the result", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [inProgress(1), inProgress(2), steady] });
    // pipelining: a runner setting the state machine carries through untouched, like the rest
    const benchmark = { ...fastBenchmark, pipelining: 2 };
    const input = { ...sampleInput("deploy-task-definition"), benchmark };

    // Act
    const { output, error } = await execute(input, handlers);

    // Assess
    expect(error).toBeUndefined();
    expect(calls.updateService).toEqual([
      { Cluster: CLUSTER, Service: "web", TaskDefinition: NEXT, DesiredCount: 2 },
    ]);
    // The runner drops what is the state machine's (path, baseUrl).
    expect(calls.runner).toEqual([{ url: `${targetUrl}/`, baseUrl: targetUrl, ...benchmark }]);
    expect(calls.query).toEqual([]);
    expect(output).toMatchObject({
      service: "web",
      taskDefinition: NEXT,
      previousTaskDefinition: PREVIOUS,
      desiredCount: 2,
    });
    const result = output?.result as {
      requests: { total: number; ok: number };
      requestsPerSecond: number;
      loadGenerator: { pipelining: number };
    };
    expect(result.requests.ok).toBeGreaterThan(0);
    expect(result.loadGenerator.pipelining).toBe(2);
    expect(calls.putItem).toHaveLength(1);
    const item = calls.putItem[0] as Json;
    expect(attribute(item, "service")).toEqual({ S: "web" });
    // the execution's start time: with the service, the item's key
    expect(attribute(item, "startedAt")).toEqual({ S: output?.startedAt });
    expect(Date.parse(output?.startedAt as string)).not.toBeNaN();
    expect(attribute(item, "status")).toEqual({ S: "SUCCEEDED" });
    expect(attribute(item, "requestsPerSecond")).toEqual({
      S: undefined,
      N: String(result.requestsPerSecond),
    });
    expect(JSON.parse(attribute(item, "result")?.S as string)).toEqual(output?.result);
    // the record the next run's maxThroughputDrop finds: keyed for ByServiceStatus
    expect(attribute(item, "serviceStatus")).toEqual({ S: "web#SUCCEEDED" });
    expect(attribute(item, "verdict")).toEqual({ S: "PASSED" });
    expect(attribute(item, "taskDefinition")).toEqual({ S: NEXT });
  });

  it("is not steady while the old deployment is still listed, even with ours COMPLETED", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [oldStillListed, oldStillListed, steady] });

    // Act
    const { error } = await deployTaskDefinition(handlers);

    // Assess: the service read, then three polls; the benchmark only after the third
    expect(error).toBeUndefined();
    expect(calls.describeServices).toBe(1 + 3);
    expect(calls.runner).toHaveLength(1);
  });

  it("registers a copy of the current task definition with the new image", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });
    const input = { ...sampleInput("deploy-image"), benchmark: fastBenchmark };

    // Act
    const { error } = await execute(input, handlers);

    // Assess: writable fields copied, read-only ones left out, only the first container's image changed
    expect(error).toBeUndefined();
    expect(calls.registerTaskDefinition).toEqual([
      {
        Family: "microscale-web",
        RequiresCompatibilities: ["EC2"],
        NetworkMode: "bridge",
        ExecutionRoleArn: "arn:aws:iam::123456789012:role/microscale-execution",
        Volumes: [],
        PlacementConstraints: [],
        ContainerDefinitions: [
          {
            Name: "web",
            Image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/microscale-web:v2",
            Memory: 128,
            PortMappings: [{ ContainerPort: 8080 }],
          },
          { Name: "sidecar", Image: "sidecar:v1", Memory: 32 },
        ],
      },
    ]);
    expect(calls.updateService[0]).toMatchObject({ TaskDefinition: NEXT });
  });

  it("rolls back, records and fails when the deployment never settles", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [inProgress(1)] });
    const input = {
      ...sampleInput("deploy-task-definition"),
      desiredCount: 4,
      benchmark: fastBenchmark,
    };

    // Act
    const { error } = await execute(input, handlers);

    // Assess
    expect(error?.name).toBe("DeploymentTimedOut");
    expect(error?.cause).toContain(
      `did not reach a steady state on ${NEXT} after ${MAX_POLLS} polls`,
    );
    expect(error?.cause).toContain(`Rollback of web to ${PREVIOUS}: ROLLED_BACK.`);
    expect(calls.describeServices).toBe(1 + MAX_POLLS + 1);
    expect(calls.updateService).toEqual([
      { Cluster: CLUSTER, Service: "web", TaskDefinition: NEXT, DesiredCount: 4 },
      { Cluster: CLUSTER, Service: "web", TaskDefinition: PREVIOUS, DesiredCount: 2 },
    ]);
    expect(calls.runner).toEqual([]);
    const item = calls.putItem[0] as Json;
    expect(attribute(item, "status")).toEqual({ S: "FAILED" });
    expect(attribute(item, "error")).toEqual({ S: "DeploymentTimedOut" });
    expect(attribute(item, "rollback")).toEqual({ S: "ROLLED_BACK" });
  });

  it("rolls back when ECS reports rolloutState FAILED", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [inProgress(0), failed] });

    // Act
    const { error } = await deployTaskDefinition(handlers);

    // Assess
    expect(error?.name).toBe("DeploymentFailed");
    expect(error?.cause).toContain("reached rolloutState FAILED");
    expect(calls.updateService.at(-1)).toMatchObject({ TaskDefinition: PREVIOUS, DesiredCount: 2 });
    expect(attribute(calls.putItem[0] as Json, "error")).toEqual({ S: "DeploymentFailed" });
  });

  it("rolls back when another deployment replaced ours", async () => {
    const { handlers, calls } = fakeAws({
      polls: [
        {
          runningCount: 2,
          deployments: [{ ...steady.deployments[0], TaskDefinition: PREVIOUS } as Deployment],
        },
      ],
    });
    const { error } = await deployTaskDefinition(handlers);
    expect(error?.name).toBe("DeploymentReplaced");
    expect(calls.updateService).toHaveLength(2);
  });

  it("rolls back when the benchmark runner fails", async () => {
    // Prepare: the real runner rejects a non-positive duration with a ValidationError
    const { handlers, calls } = fakeAws({ polls: [steady] });
    const input = {
      ...sampleInput("deploy-task-definition"),
      benchmark: { ...fastBenchmark, durationSeconds: 0 },
    };

    // Act
    const { error } = await execute(input, handlers);

    // Assess
    expect(error?.name).toBe("ValidationError");
    expect(error?.cause).toContain("durationSeconds: must be positive");
    expect(calls.updateService.at(-1)).toMatchObject({ TaskDefinition: PREVIOUS });
    expect(attribute(calls.putItem[0] as Json, "error")).toEqual({ S: "ValidationError" });
  });

  it("refuses a release when no request succeeded", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });

    // Act: the target answers 503 to everything
    const { error } = await target.while({ status: 503 }, () => deployTaskDefinition(handlers));

    // Assess
    expect(error?.name).toBe("PerformanceGateFailed");
    expect(calls.updateService).toHaveLength(2);
  });

  it("refuses a release with 2 % errors: rolls back, records figures and verdict, fails naming the threshold", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });

    // Act: one answer in 50 is a 502, over the default maxErrorRate of 0.01
    const { error } = await target.while({ failEvery: 50 }, () => deployTaskDefinition(handlers));

    // Assess
    expect(error?.name).toBe("PerformanceGateFailed");
    const measured =
      /^Performance gate failed: maxErrorRate 0\.01 exceeded: error rate (0\.\d+)/.exec(
        error?.cause ?? "",
      );
    expect(Number(measured?.[1])).toBeCloseTo(0.02, 2);
    expect(error?.cause).toContain(`Rollback of web to ${PREVIOUS}: ROLLED_BACK.`);
    expect(calls.updateService.at(-1)).toMatchObject({ TaskDefinition: PREVIOUS, DesiredCount: 2 });
    expect(calls.putItem).toHaveLength(1);
    const item = calls.putItem[0] as Json;
    expect(attribute(item, "status")).toEqual({ S: "FAILED" });
    expect(attribute(item, "serviceStatus")).toEqual({ S: "web#FAILED" });
    expect(attribute(item, "verdict")).toEqual({ S: "FAILED" });
    expect(attribute(item, "error")).toEqual({ S: "PerformanceGateFailed" });
    expect(attribute(item, "taskDefinition")).toEqual({ S: NEXT });
    expect(Number(attribute(item, "errorRate")?.N)).toBeCloseTo(0.02, 2);
    const gate = JSON.parse(attribute(item, "gate")?.S as string);
    expect(gate.checks[0]).toMatchObject({ threshold: "maxErrorRate", limit: 0.01, passed: false });
    expect(JSON.parse(attribute(item, "result")?.S as string).non2xx).toBeGreaterThan(0);
  });

  it("refuses a release whose p99 is above maxP99Ms", async () => {
    // Prepare
    const { handlers } = fakeAws({ polls: [steady] });

    // Act: every answer takes 20 ms
    const { error } = await target.while({ delayMs: 20 }, () =>
      deployTaskDefinition(handlers, { ...fastBenchmark, maxP99Ms: 5 }),
    );

    // Assess
    expect(error?.name).toBe("PerformanceGateFailed");
    expect(error?.cause).toMatch(/maxP99Ms 5 exceeded: p99 latency \d+(\.\d+)? ms\./);
  });

  it("compares throughput with the last SUCCEEDED run, found with one Query", async () => {
    // Prepare: the last good run did a billion requests/s; nothing local comes close
    const { handlers, calls } = fakeAws({
      polls: [steady],
      baselineItems: [
        {
          serviceStatus: { S: "web#SUCCEEDED" },
          startedAt: { S: "2026-11-21T12:00:00.000Z" },
          requestsPerSecond: { N: "1000000000" },
          taskDefinition: { S: PREVIOUS },
          executionArn: { S: "arn:aws:states:us-east-1:123456789012:execution:D:earlier" },
        },
      ],
    });
    const benchmark = { ...fastBenchmark, maxThroughputDrop: 0.25 };

    // Act
    const { error } = await deployTaskDefinition(handlers, benchmark);

    // Assess
    expect(calls.query).toEqual([
      {
        TableName: TABLE,
        IndexName: "ByServiceStatus",
        KeyConditionExpression: "serviceStatus = :serviceStatus",
        ExpressionAttributeValues: { ":serviceStatus": { S: "web#SUCCEEDED" } },
        ScanIndexForward: false,
        Limit: 1,
      },
    ]);
    expect(calls.runner[0]?.baseline).toEqual({
      requestsPerSecond: 1_000_000_000,
      taskDefinition: PREVIOUS,
      executionArn: "arn:aws:states:us-east-1:123456789012:execution:D:earlier",
    });
    expect(error?.name).toBe("PerformanceGateFailed");
    expect(error?.cause).toMatch(
      new RegExp(
        `maxThroughputDrop 0.25 exceeded: .* below the last SUCCEEDED run's 1000000000 \\(${PREVIOUS}\\)`,
      ),
    );
  });

  it("passes maxThroughputDrop on a service's first run, with no baseline to compare", async () => {
    const { handlers, calls } = fakeAws({ polls: [steady], baselineItems: [] });
    const benchmark = { ...fastBenchmark, maxThroughputDrop: 0.25 };
    const { output, error } = await deployTaskDefinition(handlers, benchmark);
    expect(error).toBeUndefined();
    expect(calls.query).toHaveLength(1);
    expect(calls.runner[0]).not.toHaveProperty("baseline");
    expect(output?.result).toMatchObject({ gate: { verdict: "PASSED", baseline: null } });
  });

  it("rolls back when UpdateService itself fails, and says so when the rollback fails too", async () => {
    // Prepare: both UpdateService calls fail
    const { handlers, calls } = fakeAws({ polls: [steady], failUpdateOnCalls: [1, 2] });

    // Act
    const { error } = await deployTaskDefinition(handlers);

    // Assess
    expect(error?.name).toBe("Ecs.ServiceNotActiveException");
    expect(error?.cause).toContain("ROLLBACK_FAILED");
    expect(calls.updateService).toHaveLength(2);
    expect(attribute(calls.putItem[0] as Json, "rollback")).toEqual({ S: "ROLLBACK_FAILED" });
  });

  it("retries a throttled ECS call", async () => {
    const { handlers, calls } = fakeAws({ polls: [steady], throttleFirstDescribe: true });
    const { error } = await deployTaskDefinition(handlers);
    expect(error).toBeUndefined();
    expect(calls.describeServices).toBe(3);
  });

  it("fills benchmark defaults and rejects malformed input without calling AWS", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });
    const runner = async (payload: Json) => {
      calls.runner.push(payload);
      return {
        requestsPerSecond: 1,
        latencyMs: { p50: 1, p90: 1, p99: 1, max: 1 },
        requests: { total: 1, ok: 1 },
        errors: 0,
        timeouts: 0,
        non2xx: 0,
        bytes: 1,
        durationSeconds: 10,
        errorRate: 0,
        gate: { verdict: "PASSED", checks: [] },
      };
    };
    const withStub = {
      ...handlers,
      RunBenchmark: async (input: JSONValue) => ({
        StatusCode: 200,
        Payload: await runner((input as { Payload: Json }).Payload),
      }),
    };
    calls.runner.length = 0;

    // Act
    const defaults = await execute(
      { service: "web", taskDefinition: "microscale-web", desiredCount: 2 },
      withStub,
    );
    const before = calls.describeServices;
    const invalid = await Promise.all([
      execute({ taskDefinition: "microscale-web", desiredCount: 2 }, withStub),
      execute({ service: "web", desiredCount: 2 }, withStub),
      execute({ service: "web", taskDefinition: "a", image: "b", desiredCount: 2 }, withStub),
      execute({ service: "web", taskDefinition: "a", desiredCount: "2" }, withStub),
    ]);

    // Assess
    expect(defaults.error).toBeUndefined();
    expect(calls.runner[0]).toEqual({
      url: `${targetUrl}/`,
      baseUrl: targetUrl,
      path: "/",
      durationSeconds: 10,
      connections: 10,
      warmupSeconds: 2,
    });
    expect(invalid.map((run) => run.error?.name)).toEqual(Array(4).fill("InvalidInput"));
    expect(calls.describeServices).toBe(before);
  });

  it("fails with ServiceNotFound, changing nothing, when the service does not exist", async () => {
    const { handlers, calls } = fakeAws({ polls: [steady], serviceExists: false });
    const { error } = await execute(sampleInput("deploy-task-definition"), handlers);
    expect(error?.name).toBe("ServiceNotFound");
    expect(calls.updateService).toEqual([]);
    expect(calls.putItem).toEqual([]);
  });
});

describe("deploy-and-benchmark on your own cluster (no load balancer of the stack's)", () => {
  const noLoadBalancer = { LoadBalancerUrl: "" };

  it("benchmarks the base URL the input gives, with its path", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });
    const input = {
      ...sampleInput("deploy-task-definition"),
      benchmark: { ...fastBenchmark, baseUrl: targetUrl, path: "/health" },
    };

    // Act
    const { error } = await execute(input, handlers, noLoadBalancer);

    // Assess
    expect(error).toBeUndefined();
    expect(calls.runner).toEqual([
      { ...fastBenchmark, url: `${targetUrl}/health`, baseUrl: targetUrl, path: "/health" },
    ]);
  });

  it("refuses a missing or non-HTTP base URL before touching the service", async () => {
    // Prepare
    const { handlers, calls } = fakeAws({ polls: [steady] });
    const base = sampleInput("deploy-task-definition");

    // Act
    const runs = await Promise.all([
      execute({ ...base, benchmark: fastBenchmark }, handlers, noLoadBalancer),
      execute({ ...base, benchmark: { baseUrl: "ftp://x" } }, handlers, noLoadBalancer),
      execute({ ...base, benchmark: { baseUrl: 8080 } }, handlers),
    ]);

    // Assess
    expect(runs.map((run) => run.error?.name)).toEqual(Array(3).fill("InvalidInput"));
    expect(runs[0]?.error?.cause).toMatch(/benchmark\.baseUrl/);
    expect(calls.describeServices).toBe(0);
    expect(calls.updateService).toEqual([]);
  });
});
