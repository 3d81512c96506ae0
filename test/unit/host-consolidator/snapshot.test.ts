import type { Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../../functions/host-consolidator/snapshot";

const definition = (revision: number, memory: number): TaskDefinition => ({
  taskDefinitionArn: `arn:aws:ecs:us-east-1:1:task-definition/app:${revision}`,
  containerDefinitions: [{ name: "app", cpu: 256, memory }],
});

const service = (name: string, distinct: boolean): Service => ({
  serviceName: name,
  status: "ACTIVE",
  placementConstraints: distinct ? [{ type: "distinctInstance" }] : [],
});

function task(n: number, group: string, revision: number, cpu?: string): Task {
  return {
    taskArn: `arn:aws:ecs:us-east-1:1:task/c/${n}`,
    group,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:1:task-definition/app:${revision}`,
    containerInstanceArn: "ci/1",
    lastStatus: "RUNNING",
    ...(cpu === undefined ? {} : { cpu }),
  };
}

describe("buildSnapshot", () => {
  it("gives each task what its own service, revision and size ask, however many share a definition", () => {
    const definitions = new Map([
      [definition(1, 512).taskDefinitionArn ?? "", definition(1, 512)],
      [definition(2, 1024).taskDefinitionArn ?? "", definition(2, 1024)],
    ]);
    const snapshot = buildSnapshot(
      {
        cluster: "c",
        instances: [{ containerInstanceArn: "ci/1", ec2InstanceId: "i-1", status: "ACTIVE" }],
        tasks: [
          task(1, "service:web", 1),
          task(2, "service:web", 1),
          task(3, "service:api", 1),
          task(4, "service:web", 2),
          task(5, "service:web", 1, "1024"),
        ],
        services: [service("web", false), service("api", true)],
        definitions,
        groups: [],
      },
      { expendableServices: new Set(), perHostTagKey: "microscale:per-host" },
    );
    const asked = snapshot.hosts[0]?.tasks.map((t) => ({
      group: t.requirements?.group,
      cpu: t.requirements?.cpu,
      memory: t.requirements?.memory,
      distinctInstance: t.requirements?.distinctInstance,
    }));
    expect(asked).toEqual([
      { group: "service:web", cpu: 256, memory: 512, distinctInstance: false },
      { group: "service:web", cpu: 256, memory: 512, distinctInstance: false },
      { group: "service:api", cpu: 256, memory: 512, distinctInstance: true },
      { group: "service:web", cpu: 256, memory: 1024, distinctInstance: false },
      { group: "service:web", cpu: 1024, memory: 512, distinctInstance: false },
    ]);
  });
});
