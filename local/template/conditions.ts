import { isObject, type Json, type JsonObject, type Template } from "./read";
import { type ResolveContext, resolveIntrinsics } from "./resolve";

/**
 * The template as CloudFormation sees it for one set of parameter values: its
 * Conditions evaluated, the Rules it checks before creating anything, and only the
 * resources and outputs whose condition holds, with every `!If` replaced by the
 * branch taken. The local cloud and the contract tests read the modes through it.
 */

export class ConditionError extends Error {
  override readonly name = "ConditionError";
}

/** Parameter types whose `!Ref` is a list (the resolver carries it comma-joined). */
function isListParameter(template: Template, name: string): boolean {
  const type = template.Parameters?.[name]?.Type;
  return typeof type === "string" && (type === "CommaDelimitedList" || type.startsWith("List<"));
}

function listOf(node: Json, context: ResolveContext, template: Template): Json[] {
  if (isObject(node) && typeof node.Ref === "string" && isListParameter(template, node.Ref)) {
    return String(resolveIntrinsics(node, context)).split(",");
  }
  const value = resolveIntrinsics(node, context);
  return Array.isArray(value) ? value : [value];
}

/** A condition (or rule) expression: Fn::Equals/Not/And/Or, Condition, and the rules' Fn::EachMemberEquals. */
export function evaluateCondition(
  node: Json,
  context: ResolveContext,
  template: Template,
): boolean {
  if (!isObject(node)) return Boolean(node);
  const [name, argument] = Object.entries(node)[0] ?? [];
  const list = Array.isArray(argument) ? argument : [];
  switch (name) {
    case "Fn::Equals": {
      const [a, b] = list.map((item) => resolveIntrinsics(item, context));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case "Fn::Not":
      return !evaluateCondition(list[0] ?? null, context, template);
    case "Fn::And":
      return list.every((item) => evaluateCondition(item, context, template));
    case "Fn::Or":
      return list.some((item) => evaluateCondition(item, context, template));
    case "Fn::EachMemberEquals": {
      const [members, value] = list;
      const expected = resolveIntrinsics(value ?? null, context);
      return listOf(members ?? null, context, template).every((member) => member === expected);
    }
    case "Condition": {
      const named = template.Conditions?.[String(argument)];
      if (named === undefined) throw new ConditionError(`no condition ${String(argument)}`);
      return evaluateCondition(named, context, template);
    }
    default:
      throw new ConditionError(`condition function ${name} is not supported`);
  }
}

/** Every condition of the template, evaluated against the context's parameter values. */
export function evaluateConditions(
  template: Template,
  context: ResolveContext,
): Record<string, boolean> {
  return Object.fromEntries(
    Object.entries(template.Conditions ?? {}).map(([name, node]) => [
      name,
      evaluateCondition(node, context, template),
    ]),
  );
}

/** The `AssertDescription` of every rule assertion the parameter values break. */
export function ruleViolations(template: Template, context: ResolveContext): string[] {
  return Object.entries(template.Rules ?? {}).flatMap(([name, rule]) => {
    if (
      rule.RuleCondition !== undefined &&
      !evaluateCondition(rule.RuleCondition, context, template)
    ) {
      return [];
    }
    const assertions = Array.isArray(rule.Assertions) ? rule.Assertions : [];
    return assertions
      .filter((assertion) => isObject(assertion))
      .filter(
        (assertion) =>
          !evaluateCondition((assertion as JsonObject).Assert ?? null, context, template),
      )
      .map((assertion) => `${name}: ${String((assertion as JsonObject).AssertDescription ?? "")}`);
  });
}

const omitted = Symbol("AWS::NoValue");

function pruneNode(
  node: Json,
  conditions: Readonly<Record<string, boolean>>,
): Json | typeof omitted {
  if (Array.isArray(node)) {
    return node
      .map((item) => pruneNode(item, conditions))
      .filter((item): item is Json => item !== omitted);
  }
  if (!isObject(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "Ref" && node.Ref === "AWS::NoValue") return omitted;
  if (keys.length === 1 && keys[0] === "Fn::If" && Array.isArray(node["Fn::If"])) {
    const [name, whenTrue, whenFalse] = node["Fn::If"];
    const value = conditions[String(name)];
    if (value === undefined) throw new ConditionError(`!If names no condition ${String(name)}`);
    return pruneNode((value ? whenTrue : whenFalse) ?? null, conditions);
  }
  const entries = Object.entries(node).map(([key, value]) => [key, pruneNode(value, conditions)]);
  return Object.fromEntries(entries.filter(([, value]) => value !== omitted));
}

/** `node` with every `!If` replaced by the branch the conditions take and `AWS::NoValue` left out. */
export function applyConditions(node: Json, conditions: Readonly<Record<string, boolean>>): Json {
  const pruned = pruneNode(node, conditions);
  return pruned === omitted ? null : pruned;
}

function holds(condition: string | undefined, conditions: Readonly<Record<string, boolean>>) {
  if (condition === undefined) return true;
  const value = conditions[condition];
  if (value === undefined) throw new ConditionError(`no condition ${condition}`);
  return value;
}

/**
 * The resources and outputs CloudFormation creates under these conditions, each with
 * its `!If`s decided. What is left out no longer exists: a reference to it dangles.
 */
export function templateUnderConditions(
  template: Template,
  conditions: Readonly<Record<string, boolean>>,
): Template {
  const resources = Object.entries(template.Resources)
    .filter(([, resource]) => holds(resource.Condition, conditions))
    .map(([id, resource]) => [id, applyConditions(resource as unknown as Json, conditions)]);
  const outputs = Object.entries(template.Outputs ?? {})
    .filter(([, output]) =>
      holds(typeof output.Condition === "string" ? output.Condition : undefined, conditions),
    )
    .map(([id, output]) => [id, applyConditions(output, conditions)]);
  return {
    ...template,
    Globals: applyConditions((template.Globals ?? {}) as Json, conditions) as Template["Globals"],
    Resources: Object.fromEntries(resources) as Template["Resources"],
    Outputs: Object.fromEntries(outputs) as Template["Outputs"],
  };
}
