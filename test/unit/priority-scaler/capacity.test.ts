import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListContainerInstancesCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigurationError, MissingDataError } from "../../../functions/lib/errors";
import {
  deriveCapacity,
  freeSlots,
  taskSize,
  workerSlot,
} from "../../../functions/priority-scaler/capacity";

describe("worker task size", () => {
  it("uses the task-level cpu and memory when set", () => {
    expect(taskSize({ cpu: "512", memory: "1024", containerDefinitions: [{ cpu: 128 }] })).toEqual({
      cpu: 512,
      memory: 1024,
    });
  });

  it("otherwise sums the containers, taking the soft memory reservation when set", () => {
    const size = taskSize({
      containerDefinitions: [
        { cpu: 128, memory: 512, memoryReservation: 256 },
        { cpu: 64, memory: 128 },
        {},
      ],
    });

    expect(size).toEqual({ cpu: 192, memory: 384 });
  });

  it("rejects a size it cannot read, naming CAPACITY as the way out", () => {
    expect(() => taskSize({ family: "worker", cpu: "1 vCPU-ish" })).toThrow(ConfigurationError);
    expect(() => taskSize({ family: "worker", cpu: "1 vCPU-ish" })).toThrow(/CAPACITY/);
  });

  it("makes a slot that fits either service's task", () => {
    expect(
      workerSlot([
        { cpu: 256, memory: 1024 },
        { cpu: 512, memory: 512 },
      ]),
    ).toEqual({ cpu: 512, memory: 1024 });
  });
});

describe("free slots on a container instance", () => {
  const resources = (cpu: number, memory: number) => [
    { name: "CPU", integerValue: cpu },
    { name: "MEMORY", integerValue: memory },
  ];

  it("is limited by the scarcer of CPU and memory", () => {
    const instance = { status: "ACTIVE", remainingResources: resources(2048, 1500) };
    expect(freeSlots(instance, { cpu: 256, memory: 512 })).toBe(2);
    expect(freeSlots(instance, { cpu: 1024, memory: 128 })).toBe(2);
  });

  it("ignores a resource the worker does not reserve", () => {
    const instance = { status: "ACTIVE", remainingResources: resources(2048, 100) };
    expect(freeSlots(instance, { cpu: 256, memory: 0 })).toBe(8);
  });

  it("is zero on a DRAINING host, a disconnected agent, or without remaining resources", () => {
    const slot = { cpu: 256, memory: 512 };
    expect(freeSlots({ status: "DRAINING", remainingResources: resources(4096, 8192) }, slot)).toBe(
      0,
    );
    expect(
      freeSlots(
        { status: "ACTIVE", agentConnected: false, remainingResources: resources(4096, 8192) },
        slot,
      ),
    ).toBe(0);
    expect(freeSlots({ status: "ACTIVE" }, slot)).toBe(0);
  });
});

describe("deriving capacity when ECS leaves data out", () => {
  const client = new ECSClient({ region: "us-east-1" });
  const ecs = mockClient(client);
  const cluster = "microscale";
  beforeEach(() => ecs.reset());
  afterAll(() => ecs.restore());

  it("a worker service without a task definition → MissingDataError, no call", async () => {
    // Act / Assess
    await expect(
      deriveCapacity(
        client,
        cluster,
        [{ serviceName: "worker-high" }, { serviceName: "worker-low" }],
        new Map(),
        {},
      ),
    ).rejects.toThrow(MissingDataError);
    expect(ecs.calls()).toHaveLength(0);
  });

  it("DescribeTaskDefinition without a task definition → MissingDataError", async () => {
    // Prepare
    ecs.on(DescribeTaskDefinitionCommand).resolves({});
    const arn = "arn:aws:ecs:us-east-1:111122223333:task-definition/worker:1";

    // Act / Assess
    await expect(
      deriveCapacity(
        client,
        cluster,
        [{ taskDefinition: arn }, { taskDefinition: arn }],
        new Map(),
        {},
      ),
    ).rejects.toThrow(MissingDataError);
    expect(ecs).not.toHaveReceivedCommand(ListContainerInstancesCommand);
  });
});

describe("deriving capacity from the cluster", () => {
  const client = new ECSClient({ region: "us-east-1" });
  const ecs = mockClient(client);
  const cluster = "microscale";
  const arn = (name: string) => `arn:aws:ecs:us-east-1:111122223333:task-definition/${name}:1`;
  beforeEach(() => {
    ecs.reset();
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: { taskDefinitionArn: input.taskDefinition, cpu: "256", memory: "512" },
    }));
    const host = `arn:aws:ecs:us-east-1:111122223333:container-instance/${cluster}/1`;
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [host] });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        {
          containerInstanceArn: host,
          status: "ACTIVE",
          agentConnected: true,
          // Room for one more slot: the worker tasks below already hold theirs.
          remainingResources: [
            { name: "CPU", integerValue: 300 },
            { name: "MEMORY", integerValue: 600 },
          ],
          // 2100 CPU / 4100 MiB reserved: 8 worker slots (2048 / 4096) and 52 / 4 of others.
          registeredResources: [
            { name: "CPU", integerValue: 2400 },
            { name: "MEMORY", integerValue: 4700 },
          ],
        },
      ],
    });
  });
  afterAll(() => ecs.restore());

  it("counts pending worker tasks with the running ones: they already hold their slots", async () => {
    // Prepare: ECS has placed 3 P1 and 5 P2 tasks; 1 + 2 of them are still PENDING.
    const workers = [
      { taskDefinition: arn("high"), runningCount: 2, pendingCount: 1 },
      { taskDefinition: arn("low"), runningCount: 3, pendingCount: 2 },
    ] as const;

    // Act
    const derived = await deriveCapacity(client, cluster, workers, new Map(), {});

    // Assess
    expect(derived).toEqual({
      capacity: 9,
      instances: 1,
      slot: { cpu: 256, memory: 512 },
      freeSlots: 1,
      workerTasks: 8,
      // A new host of the same size, less the others' 52 / 4 per host: ⌊2348 / 256⌋, ⌊4696 / 512⌋.
      newHostSlots: 9,
    });
  });
});
