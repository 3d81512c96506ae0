import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import { localClientConfig } from "../../local/settings";

/**
 * The real SDK clients a test talks to the local cloud with, pointed at its edge with
 * the local settings (fake credentials), as a user's would be. `maxAttempts` defaults to
 * 1 so a test sees every error the edge answers instead of the SDK's retries hiding it.
 */
export interface LocalClients {
  ecs: ECSClient;
  autoscaling: AutoScalingClient;
  dynamodb: DynamoDBClient;
  cloudwatch: CloudWatchClient;
  sfn: SFNClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

export function localClients(
  endpoint: string,
  options: { region?: string; maxAttempts?: number } = {},
): LocalClients {
  const config = localClientConfig(endpoint, { maxAttempts: 1, ...options });
  const clients = {
    ecs: new ECSClient(config),
    autoscaling: new AutoScalingClient(config),
    dynamodb: new DynamoDBClient(config),
    cloudwatch: new CloudWatchClient(config),
    sfn: new SFNClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
