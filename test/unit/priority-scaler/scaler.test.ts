import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  type ContainerInstance,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListContainerInstancesCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ConfigurationError,
  CorruptItemError,
  MissingDataError,
  ValidationError,
} from "../../../functions/lib/errors";
import type { TaskSize } from "../../../functions/priority-scaler/capacity";
import { loadConfig, type ScalerConfig } from "../../../functions/priority-scaler/config";
import { planScaling } from "../../../functions/priority-scaler/plan";
import { scalePriorities } from "../../../functions/priority-scaler/scaler";
import { demandImage } from "../../support/demand-item";
import { type EventBridgeSample, sampleEvent } from "../../support/events";
import { recordingLog, recordingMetrics } from "../../support/recording";

const cluster = "microscale";
const table = "microscale-DemandTable";
const env = {
  CLUSTER: cluster,
  HIGH_PRIORITY_SERVICE: "high-priority",
  LOW_PRIORITY_SERVICE: "low-priority",
  CAPACITY: "9",
  DEMAND_TABLE: table,
};

const ecsClient = new ECSClient({ region: "us-east-1" });
const dynamodbClient = new DynamoDBClient({ region: "us-east-1" });
const cloudwatchClient = new CloudWatchClient({ region: "us-east-1" });
const autoscalingClient = new AutoScalingClient({ region: "us-east-1" });
const ecs = mockClient(ecsClient);
const ddb = mockClient(dynamodbClient);
const cw = mockClient(cloudwatchClient);
const asg = mockClient(autoscalingClient);

function service(name: string, desired: number, running = desired, pending = 0): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:111122223333:service/${cluster}/${name}`,
    status: "ACTIVE",
    desiredCount: desired,
    runningCount: running,
    pendingCount: pending,
    taskDefinition: `arn:aws:ecs:us-east-1:111122223333:task-definition/microscale-${name}:3`,
  };
}

function workers(high: Service, low: Service) {
  ecs.on(DescribeServicesCommand).resolves({ services: [low, high], failures: [] });
}

function demand(value: number, version = 5) {
  ddb.on(GetItemCommand).resolves({ Item: demandImage(value, version) });
}

function deps() {
  return {
    ecs: ecsClient,
    dynamodb: dynamodbClient,
    cloudwatch: cloudwatchClient,
    autoscaling: autoscalingClient,
    log: recordingLog(),
    metrics: recordingMetrics(),
    now: () => new Date("2025-03-06T17:05:00.000Z"),
    taskSizes: new Map<string, TaskSize>(),
  };
}

const config = (overrides: Record<string, string | undefined> = {}): ScalerConfig =>
  loadConfig({ ...env, ...overrides });
const reconcile = () => sampleEvent("priority-scaler", "scheduled-reconcile");
const modified = () => sampleEvent("priority-scaler", "demand-modified");
const stateChange = () =>
  sampleEvent<EventBridgeSample>("priority-scaler", "container-instance-state-change");

function updates() {
  return ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  ecs.reset();
  ddb.reset();
  cw.reset();
  asg.reset();
  ecs.on(UpdateServiceCommand).resolves({});
});

describe("priority scaler", () => {
  it("sets P1 to demand and P2 to the rest, growing P1 before P2", async () => {
    // Prepare
    demand(3);
    workers(service("high-priority", 0), service("low-priority", 0));
    const d = deps();

    // Act
    const summary = await scalePriorities(reconcile(), config(), d);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: table,
      Key: { pk: { S: "demand" } },
      ConsistentRead: true,
    });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster,
      services: ["high-priority", "low-priority"],
    });
    expect(updates()).toEqual([
      { cluster, service: "high-priority", desiredCount: 3 },
      { cluster, service: "low-priority", desiredCount: 6 },
    ]);
    expect(summary).toMatchObject({
      trigger: "schedule",
      source: "dynamodb",
      demand: 3,
      demandVersion: 5,
      capacity: 9,
      capacitySource: "CAPACITY",
      before: { high: 0, low: 0 },
      after: { high: 3, low: 6 },
      target: { high: 3, low: 6 },
      deferred: false,
    });
    expect(summary.apiCalls).toEqual({
      "dynamodb:GetItem": 1,
      "ecs:DescribeServices": 1,
      "ecs:UpdateService": 2,
    });
    expect(Object.fromEntries(d.metrics.points.map((p) => [p.name, p.value]))).toEqual({
      Demand: 3,
      Capacity: 9,
      HighPriorityDesired: 3,
      HighPriorityRunning: 0,
      LowPriorityDesired: 6,
      LowPriorityRunning: 0,
    });
  });

  it("shrinks P2 first and defers P1's grow while P2's tasks are still running", async () => {
    demand(7);
    workers(service("high-priority", 4), service("low-priority", 5));
    const d = deps();

    const summary = await scalePriorities(modified(), config(), d);

    expect(updates()).toEqual([{ cluster, service: "low-priority", desiredCount: 2 }]);
    expect(summary).toMatchObject({
      after: { high: 4, low: 2 },
      target: { high: 7, low: 2 },
      deferred: true,
      steps: [{ service: "low-priority", role: "low", from: 5, to: 2 }],
    });
    expect(d.log.lines.map((l) => l.message)).toContain(
      "grow deferred: stopping tasks still hold the slots it needs",
    );
  });

  it("finishes the deferred grow on the next invocation, once P2 has stopped", async () => {
    demand(7);
    workers(service("high-priority", 4), service("low-priority", 2));

    const summary = await scalePriorities(reconcile(), config(), deps());

    expect(updates()).toEqual([{ cluster, service: "high-priority", desiredCount: 7 }]);
    expect(summary.deferred).toBe(false);
  });

  it("is idempotent: the same demand again changes nothing", async () => {
    demand(3);
    workers(service("high-priority", 3), service("low-priority", 6));

    const summary = await scalePriorities(modified(), config(), deps());

    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(summary).toMatchObject({ steps: [], deferred: false, after: { high: 3, low: 6 } });
  });

  it("gives P1 the whole capacity when demand is above it", async () => {
    demand(12);
    workers(service("high-priority", 3), service("low-priority", 6));

    const summary = await scalePriorities(reconcile(), config(), deps());

    expect(summary).toMatchObject({ target: { high: 9, low: 0 } });
    expect(updates()[0]).toEqual({ cluster, service: "low-priority", desiredCount: 0 });
  });

  it("acts on the stored item and ignores stream records older than it", async () => {
    demand(2, 9);
    workers(service("high-priority", 2), service("low-priority", 7));
    const d = deps();

    // The sample record carries version 2, value 7; the table has moved on to version 9.
    const summary = await scalePriorities(modified(), config(), d);

    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(summary).toMatchObject({
      trigger: "stream",
      demand: 2,
      demandVersion: 9,
      records: { received: 1, demand: 1, stale: 1, newestVersion: 2 },
    });
    expect(d.log.lines.map((l) => l.message)).toContain(
      "ignoring stream records older than the stored demand item",
    );
  });

  describe("on an ECS Container Instance State Change of its cluster", () => {
    it("completes a deferred grow as the shrinking service's tasks stop", async () => {
      // Prepare: demand 4 → 7 on 9 slots. The stream record shrinks P2 5 → 2 and defers
      // P1's grow: P2's three tasks still hold their slots.
      demand(7);
      workers(service("high-priority", 4), service("low-priority", 5));
      const shrink = await scalePriorities(modified(), config(), deps());
      expect(shrink).toMatchObject({ after: { high: 4, low: 2 }, deferred: true });

      // Act: ECS reports each host whose resources change as P2's tasks stop. One has
      // stopped (4 still running), then the other two.
      ecs.resetHistory();
      workers(service("high-priority", 4), service("low-priority", 2, 4));
      const oneStopped = await scalePriorities(stateChange(), config(), deps());
      workers(service("high-priority", 5), service("low-priority", 2));
      const allStopped = await scalePriorities(stateChange(), config(), deps());

      // Assess: P1 takes each freed slot at once, never more than the free ones.
      expect(oneStopped).toMatchObject({
        trigger: "container-instance-state-change",
        steps: [{ service: "high-priority", from: 4, to: 5 }],
        after: { high: 5, low: 2 },
        deferred: true,
      });
      expect(allStopped).toMatchObject({
        trigger: "container-instance-state-change",
        steps: [{ service: "high-priority", from: 5, to: 7 }],
        after: { high: 7, low: 2 },
        deferred: false,
      });
      expect(updates()).toEqual([
        { cluster, service: "high-priority", desiredCount: 5 },
        { cluster, service: "high-priority", desiredCount: 7 },
      ]);
    });

    it("re-reads demand and the services like the reconcile schedule", async () => {
      demand(3);
      workers(service("high-priority", 0), service("low-priority", 0));
      const d = deps();

      const summary = await scalePriorities(stateChange(), config(), d);

      expect(summary).toMatchObject({
        trigger: "container-instance-state-change",
        demand: 3,
        after: { high: 3, low: 6 },
        apiCalls: { "dynamodb:GetItem": 1, "ecs:DescribeServices": 1, "ecs:UpdateService": 2 },
      });
      expect(d.log.lines.map((l) => l.message)).toContain(
        "container instance state change: re-planning",
      );
    });

    it("is idempotent: an event that changed nothing the scaler sees updates nothing", async () => {
      demand(3);
      workers(service("high-priority", 3), service("low-priority", 6));

      const summary = await scalePriorities(stateChange(), config(), deps());

      expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(summary).toMatchObject({ steps: [], deferred: false, after: { high: 3, low: 6 } });
    });

    it.each([
      ["CLUSTER as a name", "microscale"],
      ["CLUSTER as the same ARN", "arn:aws:ecs:us-east-1:111122223333:cluster/microscale"],
    ])("acts on its own cluster's event, %s", async (_, clusterSetting) => {
      demand(3);
      workers(service("high-priority", 3), service("low-priority", 6));

      const summary = await scalePriorities(
        stateChange(),
        config({ CLUSTER: clusterSetting }),
        deps(),
      );

      expect(summary).not.toHaveProperty("ignored");
      expect(ecs).toHaveReceivedCommand(DescribeServicesCommand);
    });

    it.each([
      ["another cluster", "microscale", "arn:aws:ecs:us-east-1:111122223333:cluster/batch"],
      [
        "the same name in another account",
        "arn:aws:ecs:us-east-1:111122223333:cluster/microscale",
        "arn:aws:ecs:us-east-1:444455556666:cluster/microscale",
      ],
    ])("ignores an event about %s with a log line and no call", async (_, ours, theirs) => {
      const event = stateChange();
      event.detail.clusterArn = theirs;
      const d = deps();

      const summary = await scalePriorities(event, config({ CLUSTER: ours }), d);

      expect(summary).toEqual({
        cluster: ours,
        trigger: "container-instance-state-change",
        eventCluster: theirs,
        ignored: expect.stringMatching(/^event is for cluster .+, not microscale$/),
        steps: [],
        deferred: false,
        apiCalls: {},
      });
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(ecs).not.toHaveReceivedAnyCommand();
      expect(d.log.lines.map((l) => l.message)).toEqual(["event ignored"]);
    });

    it("before the first demand write: ignored, no ECS call, no error to retry", async () => {
      ddb.on(GetItemCommand).resolves({});
      const d = deps();

      const summary = await scalePriorities(stateChange(), config(), d);

      expect(summary).toEqual({
        cluster,
        trigger: "container-instance-state-change",
        eventCluster: "arn:aws:ecs:us-east-1:111122223333:cluster/microscale",
        ignored: expect.stringMatching(/^no demand to plan for yet: .*no demand item yet/),
        steps: [],
        deferred: false,
        apiCalls: { "dynamodb:GetItem": 1 },
      });
      expect(ecs).not.toHaveReceivedAnyCommand();
      expect(d.log.lines.map((l) => l.message)).toContain("event ignored");
    });

    it("a corrupt demand item still fails: only missing demand is waited for", async () => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(3, 5, { value: { N: "-1" } }) });

      await expect(scalePriorities(stateChange(), config(), deps())).rejects.toThrow(
        CorruptItemError,
      );
      expect(ecs).not.toHaveReceivedAnyCommand();
    });

    it("a malformed event → ValidationError naming the field, no call", async () => {
      const event = stateChange();
      event.detail.clusterArn = 42;

      const failure = scalePriorities(event, config(), deps());

      await expect(failure).rejects.toThrow(ValidationError);
      await expect(failure).rejects.toMatchObject({ field: "detail.clusterArn" });
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(ecs).not.toHaveReceivedAnyCommand();
    });
  });

  describe("bad or missing demand → typed error, no UpdateService", () => {
    it.each([
      ["a string", { value: { S: "7" } }],
      ["NaN", { value: { N: "NaN" } }],
      ["negative", { value: { N: "-1" } }],
      ["missing", { value: undefined }],
    ])("stored demand %s → CorruptItemError", async (_, overrides) => {
      ddb.on(GetItemCommand).resolves({ Item: demandImage(3, 5, overrides) });
      workers(service("high-priority", 3), service("low-priority", 6));

      await expect(scalePriorities(reconcile(), config(), deps())).rejects.toThrow(
        CorruptItemError,
      );
      expect(ecs).not.toHaveReceivedAnyCommand();
    });

    it("no demand item yet → MissingDataError", async () => {
      ddb.on(GetItemCommand).resolves({});

      await expect(scalePriorities(reconcile(), config(), deps())).rejects.toThrow(
        MissingDataError,
      );
      expect(ecs).not.toHaveReceivedAnyCommand();
    });

    it("a malformed stream record → ValidationError before any call", async () => {
      const event = modified() as { Records: Array<{ dynamodb: Record<string, unknown> }> };
      delete event.Records[0]?.dynamodb.NewImage;

      await expect(scalePriorities(event, config(), deps())).rejects.toThrow(ValidationError);
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(ecs).not.toHaveReceivedAnyCommand();
    });
  });

  describe("the worker services", () => {
    it("a missing service → ConfigurationError naming its variable, no UpdateService", async () => {
      demand(3);
      ecs.on(DescribeServicesCommand).resolves({
        services: [service("high-priority", 3)],
        failures: [
          {
            arn: `arn:aws:ecs:us-east-1:111122223333:service/${cluster}/low-priority`,
            reason: "MISSING",
          },
        ],
      });

      const failure = scalePriorities(reconcile(), config(), deps());

      await expect(failure).rejects.toThrow(ConfigurationError);
      await expect(failure).rejects.toThrow(/LOW_PRIORITY_SERVICE: service low-priority .*MISSING/);
      expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    });

    it("a service being deleted → ConfigurationError", async () => {
      demand(3);
      workers(service("high-priority", 3), { ...service("low-priority", 6), status: "DRAINING" });

      await expect(scalePriorities(reconcile(), config(), deps())).rejects.toThrow(
        /low-priority in cluster microscale is DRAINING/,
      );
    });

    it("matches services configured by ARN", async () => {
      demand(3);
      const low = service("low-priority", 6);
      workers(service("high-priority", 3), low);

      const summary = await scalePriorities(
        reconcile(),
        config({ LOW_PRIORITY_SERVICE: low.serviceArn }),
        deps(),
      );

      expect(summary.steps).toEqual([]);
    });

    it("stops at the first failed UpdateService: a grow never follows a failed shrink", async () => {
      demand(1);
      workers(service("high-priority", 6), service("low-priority", 3));
      ecs.on(UpdateServiceCommand).rejects(new Error("ServiceNotActiveException"));

      await expect(scalePriorities(reconcile(), config(), deps())).rejects.toThrow(
        "ServiceNotActiveException",
      );
      expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });
  });

  it("a failed shrink stops the plan: the grow after it is never sent", async () => {
    // Prepare: demand 3 → 7 on 9 slots, and P2's surplus tasks have already stopped, so
    // the plan has two steps: shrink P2 6 → 2, then grow P1 3 → 7. The shrink fails.
    demand(7);
    workers(service("high-priority", 3), service("low-priority", 6, 2));
    const plan = planScaling({
      demand: 7,
      capacity: 9,
      high: { desired: 3, running: 3, pending: 0 },
      low: { desired: 6, running: 2, pending: 0 },
    });
    expect(plan.steps).toEqual([
      { role: "low", from: 6, to: 2 },
      { role: "high", from: 3, to: 7 },
    ]);
    ecs
      .on(UpdateServiceCommand, { service: "low-priority" })
      .rejects(new Error("ServiceNotActiveException"));

    // Act
    const failure = scalePriorities(reconcile(), config(), deps());

    // Assess
    await expect(failure).rejects.toThrow("ServiceNotActiveException");
    expect(updates()).toEqual([{ cluster, service: "low-priority", desiredCount: 2 }]);
  });

  describe("capacity derived from the cluster", () => {
    function host(id: number, cpu: number, memory: number, extra: Partial<ContainerInstance> = {}) {
      return {
        containerInstanceArn: `arn:aws:ecs:us-east-1:111122223333:container-instance/${cluster}/${id}`,
        status: "ACTIVE",
        agentConnected: true,
        remainingResources: [
          { name: "CPU", type: "INTEGER", integerValue: cpu },
          { name: "MEMORY", type: "INTEGER", integerValue: memory },
          { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
        ],
        ...extra,
      };
    }

    function hosts(instances: ContainerInstance[], capacityProviders: string[] = []) {
      ecs
        .on(DescribeClustersCommand)
        .resolves({ clusters: [{ clusterName: cluster, capacityProviders }] });
      const arns = instances.map((i) => i.containerInstanceArn ?? "");
      ecs.on(ListContainerInstancesCommand).callsFake((input: { nextToken?: string }) => {
        const start = Number(input.nextToken ?? "0");
        const page = arns.slice(start, start + 100);
        const next = start + 100 < arns.length ? String(start + 100) : undefined;
        return { containerInstanceArns: page, nextToken: next };
      });
      ecs
        .on(DescribeContainerInstancesCommand)
        .callsFake((input: { containerInstances: string[] }) => ({
          containerInstances: instances.filter((i) =>
            input.containerInstances.includes(i.containerInstanceArn ?? ""),
          ),
        }));
    }

    function taskDefinitions(
      high: { cpu: string; memory: string },
      low: { cpu: string; memory: string },
    ) {
      ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
        taskDefinition: {
          taskDefinitionArn: input.taskDefinition,
          containerDefinitions: [],
          ...(input.taskDefinition.includes("high-priority") ? high : low),
        },
      }));
    }

    it("counts free worker slots on ACTIVE hosts plus the worker tasks that exist", async () => {
      demand(4);
      // 2 running P1 + 3 running P2 tasks, and hosts with room for 2 + 1 + 0 more.
      workers(service("high-priority", 2), service("low-priority", 3));
      taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "256" });
      hosts([
        host(1, 600, 1100), // 2 slots of 256 CPU / 512 MiB
        host(2, 1024, 600), // memory allows 1
        host(3, 200, 4096), // CPU allows 0
        host(4, 4096, 8192, { agentConnected: false }), // takes no new tasks
      ]);

      const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

      expect(summary).toMatchObject({
        capacity: 8,
        capacitySource: "cluster",
        derivedCapacity: {
          capacity: 8,
          instances: 4,
          slot: { cpu: 256, memory: 512 },
          freeSlots: 3,
          workerTasks: 5,
        },
        target: { high: 4, low: 4 },
      });
      // No status: every registered host is read, the DRAINING ones for the consolidator's room.
      expect(ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
        cluster,
        maxResults: 100,
      });
      expect(
        ecs.commandCalls(ListContainerInstancesCommand)[0]?.args[0].input.status,
      ).toBeUndefined();
    });

    it("holds P2 to the room the host consolidator left on a leaving host, ACTIVE or DRAINING", async () => {
      // Prepare: demand 1, P1 1 + P2 5 on 6 slots. The consolidator makes room on host 2 for
      // its web task (P2 may keep 3), and host 3, draining, left P2 4 when it started.
      const room = (value: string) => ({
        attributes: [{ name: "microscale.expendable-room", value }],
      });
      demand(1);
      workers(service("high-priority", 1), service("low-priority", 5));
      taskDefinitions({ cpu: "256", memory: "256" }, { cpu: "256", memory: "256" });
      hosts([
        host(1, 0, 0),
        host(2, 0, 0, room("low-priority:3")),
        host(3, 512, 512, { status: "DRAINING", ...room("batch:0 low-priority:4") }),
      ]);

      // Act
      const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

      // Assess: C = 6 (the DRAINING host's free slots never count); P2 = min(6 − 1, 3).
      expect(summary).toMatchObject({
        capacity: 6,
        derivedCapacity: { instances: 2, lowRoom: 3 },
        target: { high: 1, low: 3 },
        steps: [{ service: "low-priority", from: 5, to: 3 }],
      });
    });

    it("P2 grows back into the slots once no host carries a room", async () => {
      demand(1);
      workers(service("high-priority", 1), service("low-priority", 3));
      taskDefinitions({ cpu: "256", memory: "256" }, { cpu: "256", memory: "256" });
      hosts([host(1, 512, 512), host(2, 0, 0)]);

      const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

      expect(summary).toMatchObject({ capacity: 6, target: { high: 1, low: 5 } });
      expect(summary).not.toHaveProperty("derivedCapacity.lowRoom");
    });

    it("shrinks P2 when a host drains: the state change re-derives a lower capacity", async () => {
      // Prepare: demand 2, P1 2 + P2 4 = 6 slots on two hosts; the second has drained
      // and ECS has stopped its 2 P2 tasks, so only the first host is ACTIVE.
      demand(2);
      workers(service("high-priority", 2), service("low-priority", 4, 2));
      taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "512" });
      hosts([host(1, 0, 0)]);
      const event = stateChange();
      event.detail.status = "DRAINING";

      // Act
      const summary = await scalePriorities(event, config({ CAPACITY: undefined }), deps());

      // Assess
      expect(summary).toMatchObject({
        trigger: "container-instance-state-change",
        capacity: 4,
        target: { high: 2, low: 2 },
        steps: [{ service: "low-priority", from: 4, to: 2 }],
      });
    });

    it("pages past 100 instances and describes them 100 at a time", async () => {
      demand(0);
      workers(service("high-priority", 0), service("low-priority", 0));
      taskDefinitions({ cpu: "1024", memory: "1024" }, { cpu: "1024", memory: "1024" });
      hosts(Array.from({ length: 250 }, (_, i) => host(i, 1024, 2048)));

      const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

      expect(summary).toMatchObject({ capacity: 250 });
      expect(summary.apiCalls).toMatchObject({
        "ecs:ListContainerInstances": 3,
        "ecs:DescribeContainerInstances": 3,
        "ecs:DescribeTaskDefinition": 2,
      });
      const batches = ecs
        .commandCalls(DescribeContainerInstancesCommand)
        .map((call) => call.args[0].input.containerInstances?.length);
      expect(batches).toEqual([100, 100, 50]);
    });

    it("describes each task definition revision once per execution environment", async () => {
      demand(0);
      workers(service("high-priority", 0), service("low-priority", 0));
      taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "512" });
      hosts([host(1, 1024, 2048)]);
      const d = deps();

      await scalePriorities(reconcile(), config({ CAPACITY: undefined }), d);
      const second = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), d);

      expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
      expect(second.apiCalls["ecs:DescribeTaskDefinition"]).toBeUndefined();
    });

    describe("elastic: the groups behind the capacity providers", () => {
      const registered = (cpu: number, memory: number) => ({
        registeredResources: [
          { name: "CPU", type: "INTEGER", integerValue: cpu },
          { name: "MEMORY", type: "INTEGER", integerValue: memory },
        ],
      });
      function group(
        maxSize: number,
        instances: string[],
        autoScalingGroupArn = "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:0:autoScalingGroupName/hosts",
      ) {
        ecs.on(DescribeCapacityProvidersCommand).resolves({
          capacityProviders: [
            {
              name: "hosts-cp",
              autoScalingGroupProvider: { autoScalingGroupArn },
            },
          ],
        });
        asg.on(DescribeAutoScalingGroupsCommand).resolves({
          AutoScalingGroups: [
            {
              AutoScalingGroupName: "hosts",
              MinSize: 1,
              MaxSize: maxSize,
              DesiredCapacity: instances.length,
              DefaultCooldown: 300,
              AvailabilityZones: ["us-east-1a"],
              HealthCheckType: "EC2",
              CreatedTime: new Date("2026-12-01T00:00:00Z"),
              Instances: instances.map((state, i) => ({
                InstanceId: `i-${i}`,
                LifecycleState: state as "InService",
                AvailabilityZone: "us-east-1a",
                HealthStatus: "Healthy",
                ProtectedFromScaleIn: false,
              })),
            },
          ],
        });
      }

      it("P1 follows demand up to what MaxSize can hold; P2 keeps only the free slots", async () => {
        // Two full hosts of 4 slots (1024 CPU / 2048 MiB, slot 256 / 512): capacity 8.
        demand(20);
        workers(service("high-priority", 4), service("low-priority", 4));
        taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "512" });
        hosts(
          [host(1, 0, 0, registered(1024, 2048)), host(2, 0, 0, registered(1024, 2048))],
          ["hosts-cp"],
        );
        // MaxSize 4, one instance already leaving: room for 3 more hosts of 4 slots.
        group(4, ["InService", "InService", "Terminating:Wait"]);

        const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

        expect(summary).toMatchObject({
          capacity: 8,
          elastic: {
            groups: [{ name: "hosts", maxSize: 4, instances: 2 }],
            newHostSlots: 4,
            ceiling: 16,
          },
          target: { high: 16, low: 0 },
        });
        expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
          AutoScalingGroupNames: ["hosts"],
        });
        // P2 gives way first; P1 waits for its slots (they are still held).
        expect(updates()).toEqual([{ cluster, service: "low-priority", desiredCount: 0 }]);
      });

      it("finds the group a capacity provider names by name, as CloudFormation's !Ref gives it", async () => {
        demand(20);
        workers(service("high-priority", 4), service("low-priority", 4));
        taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "512" });
        hosts(
          [host(1, 0, 0, registered(1024, 2048)), host(2, 0, 0, registered(1024, 2048))],
          ["hosts-cp"],
        );
        group(4, ["InService", "InService"], "hosts");

        const summary = await scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps());

        expect(summary).toMatchObject({
          elastic: { groups: [{ name: "hosts", maxSize: 4, instances: 2 }], ceiling: 16 },
          target: { high: 16, low: 0 },
        });
      });

      it("a capacity provider whose group is gone is missing data: nothing is written", async () => {
        demand(3);
        workers(service("high-priority", 0), service("low-priority", 0));
        taskDefinitions({ cpu: "256", memory: "512" }, { cpu: "256", memory: "512" });
        hosts([host(1, 1024, 2048, registered(1024, 2048))], ["hosts-cp"]);
        group(4, []);
        asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

        await expect(
          scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps()),
        ).rejects.toThrow(MissingDataError);
        expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      });

      it("with CAPACITY set, no group is read and P1 + P2 = CAPACITY", async () => {
        demand(20);
        workers(service("high-priority", 4), service("low-priority", 4));

        const summary = await scalePriorities(reconcile(), config(), deps());

        expect(summary).toMatchObject({ capacity: 9, target: { high: 9, low: 0 } });
        expect(summary).not.toHaveProperty("elastic");
        expect(asg.calls()).toHaveLength(0);
        expect(ecs).not.toHaveReceivedCommand(DescribeClustersCommand);
      });
    });

    it("refuses to derive capacity from task definitions that reserve nothing", async () => {
      demand(3);
      workers(service("high-priority", 0), service("low-priority", 0));
      taskDefinitions({ cpu: "0", memory: "0" }, { cpu: "0", memory: "0" });
      hosts([host(1, 1024, 2048)]);

      await expect(
        scalePriorities(reconcile(), config({ CAPACITY: undefined }), deps()),
      ).rejects.toThrow(/CAPACITY: cannot derive capacity/);
      expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    });
  });

  describe("demand from CloudWatch", () => {
    const metricEnv = {
      DEMAND_SOURCE: "cloudwatch",
      DEMAND_METRIC_NAMESPACE: "AWS/SQS",
      DEMAND_METRIC_NAME: "ApproximateNumberOfMessagesVisible",
      DEMAND_METRIC_DIMENSIONS: "QueueName=work",
      DEMAND_METRIC_STAT: "Maximum",
    };

    it("reads the newest datapoint of the configured statistic, rounded up", async () => {
      cw.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          {
            Id: "demand",
            Values: [4.2, 3],
            Timestamps: [new Date("2025-03-06T17:04:00Z"), new Date("2025-03-06T17:03:00Z")],
            StatusCode: "Complete",
          },
        ],
      });
      workers(service("high-priority", 5), service("low-priority", 4));

      const summary = await scalePriorities(reconcile(), config(metricEnv), deps());

      expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
        StartTime: new Date("2025-03-06T17:00:00.000Z"),
        EndTime: new Date("2025-03-06T17:05:00.000Z"),
        ScanBy: "TimestampDescending",
        MetricDataQueries: [
          {
            Id: "demand",
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: "AWS/SQS",
                MetricName: "ApproximateNumberOfMessagesVisible",
                Dimensions: [{ Name: "QueueName", Value: "work" }],
              },
              Period: 60,
              Stat: "Maximum",
            },
          },
        ],
      });
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(summary).toMatchObject({ source: "cloudwatch", demand: 5, steps: [] });
      expect(summary.apiCalls).toEqual({
        "cloudwatch:GetMetricData": 1,
        "ecs:DescribeServices": 1,
      });
    });

    it("no datapoint → MissingDataError, no UpdateService", async () => {
      cw.on(GetMetricDataCommand).resolves({
        MetricDataResults: [{ Id: "demand", Values: [], Timestamps: [], StatusCode: "Complete" }],
      });

      await expect(scalePriorities(reconcile(), config(metricEnv), deps())).rejects.toThrow(
        /no datapoint in the last 300 s/,
      );
      expect(ecs).not.toHaveReceivedAnyCommand();
    });

    it("a negative statistic → ValidationError, no UpdateService", async () => {
      cw.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          { Id: "demand", Values: [-1], Timestamps: [new Date("2025-03-06T17:04:00Z")] },
        ],
      });

      await expect(scalePriorities(reconcile(), config(metricEnv), deps())).rejects.toThrow(
        ValidationError,
      );
      expect(ecs).not.toHaveReceivedAnyCommand();
    });
  });
});
