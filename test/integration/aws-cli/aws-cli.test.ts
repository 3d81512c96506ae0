import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinHosts } from "../../../local/scenario/hosts";
import type { LocalSystem } from "../../../local/scenario/system";
import { waitFor } from "../../support/wait-for";
import { bootTestSystem, demandRandomizerOff } from "../system/helpers";
import { AwsCli, awsCliMissing } from "./aws-cli";

/**
 * The operations the aws CLI v1 (botocore 1.43) was refused or answered wrongly, run
 * through the CLI against the wired local cloud as `npm run local` serves it.
 */
const missing = awsCliMissing();
if (missing !== undefined) console.warn(`test/integration/aws-cli skipped: ${missing}`);

type Json = Record<string, unknown>;

describe.skipIf(missing !== undefined)("the aws CLI against the local cloud", () => {
  let system: LocalSystem;
  let aws: AwsCli;
  const json = async (...args: string[]): Promise<Json> => {
    const result = await aws.run(...args);
    expect(result.stderr).toBe("");
    expect(result.rc).toBe(0);
    return result.json as Json;
  };
  const refused = async (...args: string[]): Promise<string> => {
    const result = await aws.run(...args);
    expect(result.rc).not.toBe(0);
    return result.stderr;
  };

  beforeAll(async () => {
    ({ system } = await bootTestSystem({ parameters: demandRandomizerOff }));
    joinHosts(system, 2);
    aws = new AwsCli(system.cloud.endpoint, system.cloud.region);
    await waitFor(
      "a running task",
      () => system.cloud.ecs.tasksOf(system.names.cluster).length > 0,
    );
  });

  afterAll(async () => {
    aws?.close();
    await system?.stop();
  });

  it("ecs: list-task-definitions, list-task-definition-families, IAM ARNs and requiresAttributes", async () => {
    const listed = await json("ecs", "list-task-definitions", "--sort", "DESC");
    const arns = listed.taskDefinitionArns as string[];
    expect(arns).toContain(`arn:aws:ecs:us-east-1:000000000000:task-definition/microscale-web:1`);
    const families = await json("ecs", "list-task-definition-families", "--status", "ACTIVE");
    expect(families.families).toContain("microscale-web");
    const { taskDefinition } = (await json(
      "ecs",
      "describe-task-definition",
      "--task-definition",
      "microscale-web",
    )) as { taskDefinition: Json };
    expect(taskDefinition.executionRoleArn).toMatch(
      /^arn:aws:iam::000000000000:role\/[\w+=,.@-]+$/,
    );
    expect(taskDefinition.requiresAttributes).toEqual(
      expect.arrayContaining([{ name: "ecs.capability.execution-role-awslogs" }]),
    );
  });

  it("ecs: describe-clusters --include STATISTICS, CONTAINER_INSTANCE_HEALTH, tasks' attributes", async () => {
    const cluster = system.names.cluster;
    const { clusters } = (await json(
      "ecs",
      "describe-clusters",
      "--clusters",
      cluster,
      "--include",
      "STATISTICS",
    )) as { clusters: { statistics: { name: string; value: string }[] }[] };
    const statistics = Object.fromEntries(
      (clusters[0]?.statistics ?? []).map((s) => [s.name, s.value]),
    );
    expect(
      Number(statistics.runningEC2TasksCount) + Number(statistics.pendingEC2TasksCount),
    ).toBeGreaterThan(0);
    expect(Number(statistics.activeEC2ServiceCount)).toBeGreaterThan(0);
    const { containerInstanceArns } = (await json(
      "ecs",
      "list-container-instances",
      "--cluster",
      cluster,
    )) as { containerInstanceArns: string[] };
    const { containerInstances } = (await json(
      "ecs",
      "describe-container-instances",
      "--cluster",
      cluster,
      "--container-instances",
      ...containerInstanceArns,
      "--include",
      "CONTAINER_INSTANCE_HEALTH",
    )) as { containerInstances: { healthStatus?: { overallStatus: string } }[] };
    // The two joined hosts, and any managed scaling launched meanwhile (under load it may
    // have, for tasks waiting for a place): every one of them reports its health.
    expect(containerInstanceArns.length).toBeGreaterThanOrEqual(2);
    expect(containerInstances.map((instance) => instance.healthStatus?.overallStatus)).toEqual(
      containerInstanceArns.map(() => "OK"),
    );
    const { taskArns } = (await json("ecs", "list-tasks", "--cluster", cluster)) as {
      taskArns: string[];
    };
    const { tasks } = (await json(
      "ecs",
      "describe-tasks",
      "--cluster",
      cluster,
      "--tasks",
      ...taskArns.slice(0, 1),
    )) as { tasks: { attributes: unknown }[] };
    expect(tasks[0]?.attributes).toEqual([{ name: "ecs.cpu-architecture", value: "x86_64" }]);
  });

  it("cloudwatch: get-metric-statistics with percentiles, list-metrics, metric math, a bogus --unit", async () => {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const minute = new Date(now - 120_000).toISOString();
    const values = Array.from({ length: 10 }, (_, index) => String((index + 1) * 10));
    await json(
      "cloudwatch",
      "put-metric-data",
      "--namespace",
      "Cli",
      "--metric-data",
      JSON.stringify([
        {
          MetricName: "Latency",
          Dimensions: [{ Name: "Service", Value: "web" }],
          Unit: "Milliseconds",
          Timestamp: minute,
          Values: values.map(Number),
        },
      ]),
    );
    const stats = (await json(
      "cloudwatch",
      "get-metric-statistics",
      "--namespace",
      "Cli",
      "--metric-name",
      "Latency",
      "--dimensions",
      "Name=Service,Value=web",
      "--start-time",
      minute,
      "--end-time",
      new Date(now).toISOString(),
      "--period",
      "60",
      "--statistics",
      "Average",
      "--extended-statistics",
      "p50",
      "p90",
      "p99",
    )) as { Datapoints: Json[] };
    expect(stats.Datapoints).toEqual([
      expect.objectContaining({
        Average: 55,
        Unit: "Milliseconds",
        ExtendedStatistics: { p50: 50, p90: 90, p99: 100 },
      }),
    ]);
    const listed = (await json("cloudwatch", "list-metrics", "--namespace", "Cli")) as {
      Metrics: Json[];
    };
    expect(listed.Metrics).toEqual([
      { Namespace: "Cli", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }] },
    ]);
    const math = (await json(
      "cloudwatch",
      "get-metric-data",
      "--start-time",
      minute,
      "--end-time",
      new Date(now).toISOString(),
      "--metric-data-queries",
      JSON.stringify([
        {
          Id: "m",
          MetricStat: {
            Metric: {
              Namespace: "Cli",
              MetricName: "Latency",
              Dimensions: [{ Name: "Service", Value: "web" }],
            },
            Period: 60,
            Stat: "Maximum",
          },
          ReturnData: false,
        },
        { Id: "seconds", Expression: "m / 1000" },
      ]),
    )) as { MetricDataResults: { Id: string; Values: number[] }[] };
    expect(math.MetricDataResults).toEqual([
      expect.objectContaining({ Id: "seconds", Values: [0.1] }),
    ]);
    expect(
      await refused(
        "cloudwatch",
        "put-metric-data",
        "--namespace",
        "Cli",
        "--metric-name",
        "Latency",
        "--value",
        "1",
        "--unit",
        "Parsecs",
      ),
    ).toContain("InvalidParameterValue");
  });

  it("stepfunctions: start-execution is idempotent while it runs, get-execution-history, loggingConfiguration", async () => {
    const arn = system.names.stateMachineArn;
    const input = JSON.stringify({
      service: "web",
      taskDefinition: "microscale-web",
      desiredCount: 1,
    });
    const start = ["stepfunctions", "start-execution", "--state-machine-arn", arn, "--name", "cli"];
    const first = await json(...start, "--input", input);
    const again = await json(...start, "--input", input);
    expect(again.executionArn).toBe(first.executionArn);
    expect(await refused(...start, "--input", "{}")).toContain("ExecutionAlreadyExists");
    const executionArn = String(first.executionArn);
    await json("stepfunctions", "stop-execution", "--execution-arn", executionArn);
    await system.wired.stepFunctions.waitForExecution(executionArn);
    const history = (await json(
      "stepfunctions",
      "get-execution-history",
      "--execution-arn",
      executionArn,
    )) as {
      events: { type: string }[];
    };
    expect(history.events[0]?.type).toBe("ExecutionStarted");
    expect(history.events.at(-1)?.type).toBe("ExecutionAborted");
    const machine = await json(
      "stepfunctions",
      "describe-state-machine",
      "--state-machine-arn",
      arn,
    );
    expect(machine.loggingConfiguration).toMatchObject({
      level: "ERROR",
      includeExecutionData: true,
    });
    expect(machine.tracingConfiguration).toEqual({ enabled: false });
  });
});
