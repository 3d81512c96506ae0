import { integer } from "../config";

/**
 * What every SDK client shares. Each client has its own module (./ecs, ./dynamodb,
 * ./cloudwatch), created once per execution environment: esbuild keeps an external
 * package's import even when nothing from it is used, so one module creating all
 * clients would make every function load every client package at cold start.
 *
 * Retries are the SDK's own: the standard strategy with exponential backoff and
 * jitter handles throttling and 5xx. The endpoint comes from the SDK's usual
 * settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECS`, …), which is how the local
 * cloud points the same code at loopback.
 */
// Read through lib/config like every variable: a malformed value fails the cold start
// naming AWS_MAX_ATTEMPTS instead of reaching the SDK as NaN.
const maxAttempts = integer(process.env, "AWS_MAX_ATTEMPTS", 5, { min: 1 });

export const clientSettings = { retryMode: "standard", maxAttempts } as const;
