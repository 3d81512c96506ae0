import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { FunctionSource } from "../../../local/template/functions";
import {
  isObject,
  type Json,
  type JsonObject,
  projectRoot,
  type Template,
} from "../../../local/template/read";
import { type ResolveContext, resolveIntrinsics } from "../../../local/template/resolve";

/** The account, region and stack the samples in events/ were captured from. */
export const sampleStack = {
  accountId: "111122223333",
  region: "us-east-1",
  stackName: "microscale",
} as const;

/** Enough of a deployed stack's values to resolve event patterns (cluster name and ARN). */
export function sampleDeployContext(template: Template): ResolveContext {
  const { accountId, region, stackName } = sampleStack;
  const pseudo = {
    "AWS::AccountId": accountId,
    "AWS::Region": region,
    "AWS::StackName": stackName,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
  };
  const clusterName = resolveIntrinsics(
    template.Resources.Cluster?.Properties?.ClusterName ?? stackName,
    { refs: pseudo },
  );
  return {
    refs: { ...pseudo, Cluster: String(clusterName) },
    attributes: { "Cluster.Arn": `arn:aws:ecs:${region}:${accountId}:cluster/${clusterName}` },
  };
}

export interface TemplateEvent {
  functionId: string;
  name: string;
  type: string;
  properties: JsonObject;
}

export function templateEvents(source: FunctionSource): TemplateEvent[] {
  const events = isObject(source.properties.Events ?? null)
    ? (source.properties.Events as JsonObject)
    : {};
  return Object.entries(events).flatMap(([name, event]) =>
    isObject(event) && typeof event.Type === "string"
      ? [
          {
            functionId: source.logicalId,
            name,
            type: event.Type,
            properties: isObject(event.Properties ?? null) ? (event.Properties as JsonObject) : {},
          },
        ]
      : [],
  );
}

export interface Sample {
  file: string;
  event: JsonObject;
}

/** `functions/<name>/index.ts` → the JSON samples in `events/<name>/`. */
export function samplesFor(source: FunctionSource): Sample[] {
  if (source.entryPoint === undefined) return [];
  const folder = join(projectRoot, "events", basename(dirname(source.entryPoint)));
  let files: string[];
  try {
    files = readdirSync(folder).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  return files.map((file) => ({
    file: `events/${basename(folder)}/${file}`,
    event: JSON.parse(readFileSync(join(folder, file), "utf8")) as JsonObject,
  }));
}

/** Every sample in events/, for "an unrelated event must not match". */
export function allSamples(sources: FunctionSource[]): Sample[] {
  return sources.flatMap(samplesFor);
}

export function detailType(event: Json): string | undefined {
  return isObject(event) && typeof event["detail-type"] === "string"
    ? event["detail-type"]
    : undefined;
}
