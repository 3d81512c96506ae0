import { localClientConfig } from "../settings";

/**
 * The one handler for every `arn:aws:states:::aws-sdk:<service>:<action>` Task: it
 * builds the real SDK v3 command (`@aws-sdk/client-<service>`, `<Action>Command`),
 * passes the state's parameters as they are (Step Functions uses the API's
 * PascalCase names, as SDK v3 inputs do) and sends it to the edge endpoint.
 * Errors become what Step Functions raises: `<ServiceName>.<ErrorName>` in
 * PascalCase, always with the `Exception` suffix ("AWS SDK service integrations"
 * in the Step Functions developer guide), so Retry/Catch clauses written for AWS
 * match locally.
 */

export interface SdkTarget {
  service: string;
  action: string;
}

const SDK_RESOURCE = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)(\.[a-zA-Z]+)?$/;

/** `arn:aws:states:::aws-sdk:ecs:updateService` → `{ service: "ecs", action: "updateService" }`. */
export function parseSdkResource(resource: string): SdkTarget | undefined {
  const match = SDK_RESOURCE.exec(resource);
  if (match === null) return undefined;
  if (match[3] !== undefined) {
    throw new Error(
      `${resource}: the ${match[3].slice(1)} integration pattern is not supported locally (only request-response)`,
    );
  }
  return { service: match[1] as string, action: match[2] as string };
}

/** Service names as Step Functions prefixes errors (the ARN's lowercase name in PascalCase). */
const errorPrefixes: Record<string, string> = {
  ecs: "Ecs",
  dynamodb: "DynamoDb",
  cloudwatch: "CloudWatch",
  sfn: "Sfn",
  lambda: "Lambda",
  acmpca: "AcmPca",
  s3: "S3",
  sqs: "Sqs",
  sns: "Sns",
  eventbridge: "EventBridge",
};

/**
 * `modeled`: whether the service's SDK declares the error. One it does not declare
 * (ECS's ThrottlingException, say) reaches a state machine on AWS as the service's
 * generic `<Service>.<Service>Exception` (e.g. `Ecs.EcsException`), so Retry and
 * Catch clauses written against the local cloud hold on AWS too.
 */
export function sdkErrorName(service: string, errorName: string, modeled = true): string {
  const prefix = errorPrefixes[service] ?? service.charAt(0).toUpperCase() + service.slice(1);
  if (!modeled) return `${prefix}.${prefix}Exception`;
  const name = errorName.endsWith("Exception") ? errorName : `${errorName}Exception`;
  return `${prefix}.${name}`;
}

/**
 * Step Functions speaks PascalCase member names to every service, and converts to
 * and from APIs whose wire names are camelCase (ECS, Step Functions itself, ECR…).
 * Map-typed members hold user keys (Docker labels, log driver options) and are left
 * as they are; DynamoDB and CloudWatch are PascalCase already and pass through.
 */
const camelCaseServices = new Set(["ecs", "sfn", "ecr", "eks", "batch", "glue", "athena"]);
const mapMembers = new Set(["dockerlabels", "options", "driveropts", "labels", "tags"]);

function recase(value: unknown, key: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => recase(item, key));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => [
      key(name),
      mapMembers.has(name.toLowerCase()) && !Array.isArray(member) ? member : recase(member, key),
    ]),
  );
}

const toCamel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const toPascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export function toServiceInput(service: string, parameters: unknown): unknown {
  return camelCaseServices.has(service) ? recase(parameters, toCamel) : parameters;
}

export function toStateOutput(service: string, output: unknown): unknown {
  return camelCaseServices.has(service) ? recase(output, toPascal) : output;
}

/** An error as the state machine sees it: `name` is what `ErrorEquals` matches. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface SdkClient {
  send(command: unknown): Promise<Record<string, unknown>>;
  destroy(): void;
}
type ClientConstructor = new (config: object) => SdkClient;
type CommandConstructor = new (input: unknown) => unknown;

export interface SdkIntegrationOptions {
  endpoint: string;
  region: string;
  /** Attempts per call; the state's own Retry handles the rest, as on AWS. */
  maxAttempts?: number;
}

/** Sends SDK commands for Task states; clients are created once per service. */
export class SdkIntegration {
  private readonly clients = new Map<string, Promise<{ client: SdkClient; module: object }>>();

  constructor(private readonly options: SdkIntegrationOptions) {}

  async call(target: SdkTarget, parameters: unknown): Promise<unknown> {
    const { client, module } = await this.client(target.service);
    const commandName = `${target.action.charAt(0).toUpperCase()}${target.action.slice(1)}Command`;
    const Command = (module as Record<string, unknown>)[commandName];
    if (typeof Command !== "function") {
      throw new TaskError(
        "States.Runtime",
        `@aws-sdk/client-${target.service} has no ${commandName} (from aws-sdk:${target.service}:${target.action})`,
      );
    }
    try {
      const input = toServiceInput(target.service, parameters ?? {});
      const output = await client.send(new (Command as CommandConstructor)(input));
      const { $metadata: _metadata, ...result } = output;
      // Dates and other SDK types become the JSON a state machine sees.
      return toStateOutput(target.service, JSON.parse(JSON.stringify(result)));
    } catch (error) {
      const thrown = error instanceof Error ? error : new Error(String(error));
      const modeled = typeof (module as Record<string, unknown>)[thrown.name] === "function";
      throw new TaskError(sdkErrorName(target.service, thrown.name, modeled), thrown.message);
    }
  }

  destroy(): void {
    for (const pending of this.clients.values()) {
      pending.then(({ client }) => client.destroy()).catch(() => {});
    }
    this.clients.clear();
  }

  private client(service: string): Promise<{ client: SdkClient; module: object }> {
    let pending = this.clients.get(service);
    if (pending === undefined) {
      pending = import(`@aws-sdk/client-${service}`).then(
        (module: Record<string, unknown>) => {
          const name = Object.keys(module).find(
            (key) =>
              key.endsWith("Client") && !key.startsWith("__") && typeof module[key] === "function",
          );
          if (name === undefined) throw new Error(`@aws-sdk/client-${service} exports no client`);
          const Client = module[name] as ClientConstructor;
          const client = new Client(
            localClientConfig(this.options.endpoint, {
              region: this.options.region,
              maxAttempts: this.options.maxAttempts ?? 3,
            }),
          );
          return { client, module };
        },
        (error: unknown) => {
          throw new TaskError(
            "States.Runtime",
            `aws-sdk:${service} needs @aws-sdk/client-${service}, which is not installed (${String(error)})`,
          );
        },
      );
      this.clients.set(service, pending);
    }
    return pending;
  }
}
