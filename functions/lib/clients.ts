import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";

/**
 * SDK clients, created once per execution environment and shared by every handler.
 *
 * Retries are the SDK's own: the standard strategy with exponential backoff and
 * jitter handles throttling and 5xx. The endpoint comes from the SDK's usual
 * settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECS`, …), which is how the local
 * cloud points the same code at loopback.
 *
 * The `@__PURE__` marks let esbuild drop the clients a function never uses.
 */
const maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS ?? "5");
const shared = { retryMode: "standard", maxAttempts } as const;

export const ecs = /* @__PURE__ */ new ECSClient(shared);
export const dynamodb = /* @__PURE__ */ new DynamoDBClient(shared);
export const cloudwatch = /* @__PURE__ */ new CloudWatchClient(shared);
