import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CollectionTag, parse, type ScalarTag, type Tags } from "yaml";

/**
 * The one template reader: `template.yaml` as plain JSON in CloudFormation's long
 * form (`!Ref X` → `{ Ref: "X" }`, `!GetAtt A.B` → `{ "Fn::GetAtt": ["A", "B"] }`),
 * used by the contract tests, the local cloud's wiring and the CLI alike.
 */

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const templatePath = resolve(projectRoot, "template.yaml");

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource {
  Type: string;
  Properties?: JsonObject;
  Metadata?: JsonObject;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Parameters?: Record<string, JsonObject>;
  Mappings?: Record<string, Record<string, JsonObject>>;
  Conditions?: Record<string, Json>;
  /** Parameter checks CloudFormation makes before it creates or changes anything. */
  Rules?: Record<string, JsonObject>;
  Globals?: Record<string, JsonObject>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, JsonObject>;
}

const intrinsicNames = [
  "Ref",
  "Condition",
  "GetAtt",
  "Sub",
  "If",
  "Join",
  "Select",
  "Split",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Base64",
  "Cidr",
  "Equals",
  "Not",
  "And",
  "Or",
  "Transform",
] as const;

function longName(short: string): string {
  return short === "Ref" || short === "Condition" ? short : `Fn::${short}`;
}

/** Each short tag may wrap a scalar, a sequence or a mapping. */
const cloudFormationTags: Tags = intrinsicNames.flatMap((short): Tags => {
  const name = longName(short);
  const scalar: ScalarTag = {
    tag: `!${short}`,
    resolve: (value) => ({ [name]: short === "GetAtt" ? splitGetAtt(value) : value }),
  };
  const collection = (kind: "seq" | "map"): CollectionTag => ({
    tag: `!${short}`,
    collection: kind,
    resolve: (node) => ({ [name]: node.toJSON() }),
  });
  return [scalar, collection("seq"), collection("map")];
});

/** `A.B.C` → `["A", "B.C"]`: attribute names may themselves contain dots. */
function splitGetAtt(value: string): string[] {
  const dot = value.indexOf(".");
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

export function parseTemplate(source: string): Template {
  const parsed: unknown = parse(source, { customTags: cloudFormationTags, maxAliasCount: -1 });
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TemplateError("the template is not a YAML mapping");
  }
  const template = parsed as Partial<Template>;
  if (typeof template.Resources !== "object" || template.Resources === null) {
    throw new TemplateError("the template has no Resources section");
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (typeof resource?.Type !== "string") throw new TemplateError(`resource ${id} has no Type`);
  }
  return template as Template;
}

export function readTemplate(path: string = templatePath): Template {
  return parseTemplate(readFileSync(path, "utf8"));
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resources of one type, as `[logicalId, resource]` pairs in template order. */
export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/**
 * A resource's properties with the template's `Globals` section merged in, as SAM
 * does for `AWS::Serverless::Function` (maps merged, scalars overridden, lists
 * appended — see the SAM Globals documentation).
 */
export function withGlobals(template: Template, resource: Resource): JsonObject {
  const globalKey: Record<string, string> = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
    "AWS::Serverless::SimpleTable": "SimpleTable",
  };
  const key = globalKey[resource.Type];
  const globals = key === undefined ? undefined : template.Globals?.[key];
  return mergeGlobals(globals ?? {}, resource.Properties ?? {});
}

function mergeGlobals(globals: Json, local: Json): JsonObject {
  if (!isObject(globals) || !isObject(local)) return isObject(local) ? local : {};
  const merged: JsonObject = { ...globals };
  for (const [key, value] of Object.entries(local)) {
    const inherited = merged[key];
    if (isObject(inherited) && isObject(value) && !isIntrinsic(value)) {
      merged[key] = mergeGlobals(inherited, value);
    } else if (Array.isArray(inherited) && Array.isArray(value)) {
      merged[key] = [...inherited, ...value];
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

export function isIntrinsic(value: Json): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || (keys[0]?.startsWith("Fn::") ?? false));
}
