/**
 * The local cloud's one account, as every part of it names it: the region, the account
 * ID and the stack name a fresh `sam deploy` of template.yaml would get, and the SDK
 * settings a user's client needs to talk to the edge. The edge checks no signature, but
 * an SDK will not send a request without credentials to sign it with, so they are fake.
 */

export const localRegion = "us-east-1";
export const localAccountId = "000000000000";
export const localStackName = "microscale";

/** Any credentials do; these say where they belong. */
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** What every SDK v3 client constructor takes to reach the local cloud. */
export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

/**
 * Settings for an SDK v3 client of the edge at `endpoint`, as `new ECSClient(…)` takes
 * them. `maxAttempts` left out keeps the SDK's own default (3).
 */
export function localClientConfig(
  endpoint: string,
  options: { region?: string; maxAttempts?: number } = {},
): LocalClientConfig {
  return {
    endpoint,
    region: options.region ?? localRegion,
    credentials: { ...localCredentials },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
}

/**
 * The variables that point every SDK in a process at the edge — what a task role and the
 * ECS agent give a container on AWS, or the Lambda sandbox a function. The CLI v1 reads
 * `AWS_DEFAULT_REGION`, the SDKs `AWS_REGION`.
 */
export function localSdkEnvironment(
  endpoint: string,
  region: string = localRegion,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  };
}
