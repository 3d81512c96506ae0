import { fileURLToPath } from "node:url";
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from "../../../local/cloud";
import { type LocalClients, localClients } from "../../support/local-clients";

export const fixturesDir = fileURLToPath(new URL("../../fixtures/containers", import.meta.url));

/** Boots a cloud on an ephemeral port (parallel test files never collide). */
export function bootCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  return startLocalCloud({ port: 0, containersDir: fixturesDir, stopTimeoutMs: 2_000, ...options });
}

/** The real SDK clients, pointed at the edge with fake credentials, as a user would. */
export function clientsFor(cloud: LocalCloud, maxAttempts = 1): LocalClients {
  return localClients(cloud.endpoint, { region: cloud.region, maxAttempts });
}
