import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeHost } from "../../../../containers/agent/src/host";

/** Shapes from the ECS docs: the container metadata file and `${ECS_CONTAINER_METADATA_URI_V4}/task`. */
const metadataFile = {
  Cluster: "microscale",
  ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/microscale/0123abcd",
  TaskARN: "arn:aws:ecs:us-east-1:123456789012:task/microscale/file-task",
  AvailabilityZone: "us-east-1b",
  HostPrivateIPv4Address: "10.0.1.43",
  MetadataFileStatus: "READY",
};
const taskMetadata = {
  Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/microscale",
  TaskARN: "arn:aws:ecs:us-east-1:123456789012:task/microscale/endpoint-task",
  ServiceName: "AgentService",
  Family: "agent",
  Revision: "3",
  LaunchType: "EC2",
  Containers: [],
};

let server: Server;
let uri: string;
let dir: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = JSON.stringify(request.url === "/v4/abc/task" ? taskMetadata : {});
    response.writeHead(request.url === "/v4/abc/task" ? 200 : 404, {
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/abc`;
  dir = await mkdtemp(join(tmpdir(), "agent-metadata-"));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("describeHost", () => {
  it("prefers the metadata file, then fills the gaps from the task metadata endpoint", async () => {
    // Prepare
    const file = join(dir, "ecs-container-metadata.json");
    await writeFile(file, JSON.stringify(metadataFile));

    // Act
    const report = await describeHost(
      { ECS_CONTAINER_METADATA_FILE: file, ECS_CONTAINER_METADATA_URI_V4: uri },
      () => {},
    );

    // Assess
    expect(report).toMatchObject({
      containerInstanceArn: metadataFile.ContainerInstanceARN,
      taskArn: metadataFile.TaskARN,
      cluster: "microscale",
      serviceName: "AgentService",
      hostPrivateIPv4Address: "10.0.1.43",
      sources: ["metadata-file", "task-metadata-v4"],
    });
  });

  it("reports an unreachable endpoint and still answers from the environment", async () => {
    // Prepare
    const problems: string[] = [];

    // Act
    const report = await describeHost(
      { ECS_CONTAINER_METADATA_URI_V4: `${uri}/missing`, ECS_CLUSTER: "local" },
      (source) => problems.push(source),
    );

    // Assess
    expect(problems).toEqual(["task-metadata-v4"]);
    expect(report).toMatchObject({ cluster: "local", sources: ["environment"] });
  });
});
