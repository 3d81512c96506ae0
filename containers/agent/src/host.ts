import { readFile } from "node:fs/promises";
import { hostname } from "node:os";

/**
 * Which host the agent runs on, from whatever the environment offers, in this order:
 *
 * 1. the ECS container metadata file (`ECS_CONTAINER_METADATA_FILE`, present when the
 *    container instance sets `ECS_ENABLE_CONTAINER_METADATA=true`): the only source on
 *    EC2 that names the container instance (`ContainerInstanceARN`) and host IP;
 * 2. the task metadata endpoint v4 (`${ECS_CONTAINER_METADATA_URI_V4}/task`): cluster,
 *    task ARN, service name, availability zone;
 * 3. the variables the local cloud sets for a task it runs as a process
 *    (`ECS_CONTAINER_INSTANCE_ARN`, `ECS_CLUSTER`, `ECS_TASK_ARN`).
 *
 * Later sources only fill what earlier ones left empty.
 */
export interface HostReport {
  hostname: string;
  containerInstanceArn?: string;
  cluster?: string;
  taskArn?: string;
  serviceName?: string;
  availabilityZone?: string;
  hostPrivateIPv4Address?: string;
  sources: string[];
}

type Environment = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

async function fromMetadataFile(path: string): Promise<Partial<HostReport>> {
  const file = JSON.parse(await readFile(path, "utf8")) as Json;
  return {
    containerInstanceArn: text(file.ContainerInstanceARN),
    cluster: text(file.Cluster),
    taskArn: text(file.TaskARN),
    availabilityZone: text(file.AvailabilityZone),
    hostPrivateIPv4Address: text(file.HostPrivateIPv4Address),
  };
}

async function fromTaskMetadataEndpoint(
  baseUri: string,
  timeoutMs: number,
): Promise<Partial<HostReport>> {
  const response = await fetch(`${baseUri}/task`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`task metadata endpoint answered ${response.status}`);
  const task = (await response.json()) as Json;
  return {
    cluster: text(task.Cluster),
    taskArn: text(task.TaskARN),
    serviceName: text(task.ServiceName),
    availabilityZone: text(task.AvailabilityZone),
  };
}

function fromLocalCloud(env: Environment): Partial<HostReport> {
  return {
    containerInstanceArn: text(env.ECS_CONTAINER_INSTANCE_ARN),
    cluster: text(env.ECS_CLUSTER),
    taskArn: text(env.ECS_TASK_ARN),
  };
}

/** Fills the report's empty fields from `found`, recording the source if it contributed anything. */
function merge(report: HostReport, source: string, found: Partial<HostReport>): void {
  let used = false;
  for (const [key, value] of Object.entries(found) as [keyof HostReport, string | undefined][]) {
    if (value === undefined || key === "sources" || report[key] !== undefined) continue;
    (report as unknown as Record<string, string>)[key] = value;
    used = true;
  }
  if (used) report.sources.push(source);
}

export async function describeHost(
  env: Environment,
  onProblem: (source: string, error: unknown) => void,
  timeoutMs = 2_000,
): Promise<HostReport> {
  const report: HostReport = { hostname: hostname(), sources: [] };
  const metadataFile = text(env.ECS_CONTAINER_METADATA_FILE);
  if (metadataFile !== undefined) {
    await fromMetadataFile(metadataFile).then(
      (found) => merge(report, "metadata-file", found),
      (error: unknown) => onProblem("metadata-file", error),
    );
  }
  const metadataUri = text(env.ECS_CONTAINER_METADATA_URI_V4);
  if (metadataUri !== undefined) {
    await fromTaskMetadataEndpoint(metadataUri, timeoutMs).then(
      (found) => merge(report, "task-metadata-v4", found),
      (error: unknown) => onProblem("task-metadata-v4", error),
    );
  }
  merge(report, "environment", fromLocalCloud(env));
  return report;
}
