import { fileURLToPath } from "node:url";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from "../../../local/cloud";

export const fixturesDir = fileURLToPath(new URL("../../fixtures/containers", import.meta.url));

/** Boots a cloud on an ephemeral port (parallel test files never collide). */
export function bootCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  return startLocalCloud({ port: 0, containersDir: fixturesDir, stopTimeoutMs: 2_000, ...options });
}

/** The real SDK clients, pointed at the edge with fake credentials, as a user would. */
export function clientsFor(cloud: LocalCloud, maxAttempts = 1) {
  const config = {
    endpoint: cloud.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
  };
  return {
    ecs: new ECSClient(config),
    dynamodb: new DynamoDBClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
}
