import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { FunctionSource } from "../../../local/template/functions";
import { isObject, type Json, type JsonObject, projectRoot } from "../../../local/template/read";

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
