import { readFileSync } from "node:fs";
import { join } from "node:path";
import aslValidator from "asl-validator";
import {
  isObject,
  type Json,
  type JsonObject,
  projectRoot,
  resourcesOfType,
  type Template,
} from "../../../local/template/read";

export interface StateMachineSource {
  logicalId: string;
  properties: JsonObject;
  definitionPath: string;
  definitionText: string;
  substitutions: JsonObject;
}

export function stateMachineSources(template: Template): StateMachineSource[] {
  return resourcesOfType(template, "AWS::Serverless::StateMachine").map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const uri = typeof properties.DefinitionUri === "string" ? properties.DefinitionUri : "";
    const definitionPath = join(projectRoot, uri);
    return {
      logicalId,
      properties,
      definitionPath,
      definitionText: readFileSync(definitionPath, "utf8"),
      substitutions: isObject(properties.DefinitionSubstitutions ?? null)
        ? (properties.DefinitionSubstitutions as JsonObject)
        : {},
    };
  });
}

/** `${Name}` placeholders in a definition (DefinitionSubstitutions syntax). */
export function placeholders(definitionText: string): Set<string> {
  return new Set([...definitionText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ""));
}

export function substitutionProblems(source: StateMachineSource): string[] {
  const used = placeholders(source.definitionText);
  const defined = new Set(Object.keys(source.substitutions));
  return [
    ...[...used].filter((name) => !defined.has(name)).map((n) => `\${${n}} has no substitution`),
    ...[...defined].filter((name) => !used.has(name)).map((n) => `substitution ${n} is never used`),
  ];
}

/** Replaces every placeholder with a well-formed stand-in so the ARN checks can run. */
export function withStandIns(definitionText: string): Json {
  const text = definitionText.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) =>
    name.endsWith("Arn") ? `arn:aws:lambda:us-east-1:123456789012:function:${name}` : name,
  );
  return JSON.parse(text) as Json;
}

export function aslProblems(definition: Json): string[] {
  // asl-validator mutates its input.
  const result = aslValidator(structuredClone(definition));
  return result.isValid ? [] : result.errors.map((e) => `${e.path ?? ""} ${e.message ?? ""}`);
}

function tasks(states: Json): JsonObject[] {
  if (!isObject(states)) return [];
  return Object.values(states).flatMap((state) => {
    if (!isObject(state)) return [];
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      ...(isObject(state.ItemProcessor ?? null) ? [state.ItemProcessor as Json] : []),
      ...(isObject(state.Iterator ?? null) ? [state.Iterator as Json] : []),
    ].flatMap((machine) => (isObject(machine) ? tasks(machine.States ?? null) : []));
    return state.Type === "Task" ? [state, ...nested] : nested;
  });
}

const iamPrefixByIntegration: Record<string, string> = { sfn: "states" };

/** IAM actions a state machine's Task states need, from their Resource ARNs. */
export function actionsOfDefinition(definition: Json): Set<string> {
  const actions = new Set<string>();
  const machine = isObject(definition) ? definition : {};
  for (const task of tasks(machine.States ?? null)) {
    const resource = typeof task.Resource === "string" ? task.Resource : "";
    const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)/.exec(resource);
    const optimized = /^arn:aws:states:::([a-z0-9]+):([a-zA-Z0-9]+)/.exec(resource);
    const [, service = "", action = ""] = sdk ?? optimized ?? [];
    if (service === "") continue;
    const prefix = iamPrefixByIntegration[service] ?? service;
    const name = service === "lambda" && action === "invoke" ? "InvokeFunction" : action;
    actions.add(`${prefix}:${name.charAt(0).toUpperCase()}${name.slice(1)}`);
  }
  return actions;
}

/** Actions that follow from others or from the resource's own settings. */
export function impliedActions(actions: Set<string>, properties: JsonObject): Set<string> {
  const implied = new Set(actions);
  // Registering a task definition with an execution role passes that role.
  if (actions.has("ecs:RegisterTaskDefinition")) implied.add("iam:PassRole");
  // Step Functions needs the log-delivery actions to write execution logs.
  if (properties.Logging !== undefined) {
    for (const action of [
      "CreateLogDelivery",
      "GetLogDelivery",
      "UpdateLogDelivery",
      "DeleteLogDelivery",
      "ListLogDeliveries",
      "PutResourcePolicy",
      "DescribeResourcePolicies",
      "DescribeLogGroups",
    ]) {
      implied.add(`logs:${action}`);
    }
  }
  return implied;
}
