import { isObject, type Json, type Template } from "./read";
import { subVariables } from "./references";

/**
 * Evaluates intrinsic functions against known values: what the local cloud uses to
 * turn the template's environment variables and substitutions into local names.
 * Unknown references throw, so a wiring gap is loud rather than an empty string.
 */
export interface ResolveContext {
  /** Values for `!Ref` of parameters, pseudo parameters (`AWS::Region`) and resources. */
  refs: Readonly<Record<string, string>>;
  /** `!GetAtt Resource.Attribute` values, keyed `Resource.Attribute`. */
  attributes?: Readonly<Record<string, string>>;
  /** Condition values, for `!If`. */
  conditions?: Readonly<Record<string, boolean>>;
  mappings?: Template["Mappings"];
}

export class UnresolvedReferenceError extends Error {
  override readonly name = "UnresolvedReferenceError";
}

function lookupRef(name: string, context: ResolveContext): string {
  const value = context.refs[name];
  if (value === undefined) throw new UnresolvedReferenceError(`no local value for !Ref ${name}`);
  return value;
}

function lookupAtt(name: string, context: ResolveContext): string {
  const value = context.attributes?.[name];
  if (value === undefined) throw new UnresolvedReferenceError(`no local value for !GetAtt ${name}`);
  return value;
}

function asText(value: Json, what: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new UnresolvedReferenceError(`${what} did not resolve to a string`);
}

/** What `!Ref AWS::NoValue` resolves to: the property or list item is left out. */
const omitted = Symbol("AWS::NoValue");
type Resolved = Json | typeof omitted;

/** Resolves `node`; a value that is `!Ref AWS::NoValue` as a whole resolves to null. */
export function resolveIntrinsics(node: Json, context: ResolveContext): Json {
  const value = resolveNode(node, context);
  return value === omitted ? null : value;
}

function resolveNode(node: Json, context: ResolveContext): Resolved {
  if (Array.isArray(node)) {
    return node
      .map((item) => resolveNode(item, context))
      .filter((item): item is Json => item !== omitted);
  }
  if (!isObject(node)) return node;
  const keys = Object.keys(node);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined) {
    const argument = node[only] as Json;
    switch (only) {
      case "Ref":
        if (argument === "AWS::NoValue") return omitted;
        return lookupRef(asText(argument, "!Ref"), context);
      case "Fn::GetAtt": {
        const [resource, attribute] = Array.isArray(argument) ? argument : [];
        return lookupAtt(`${String(resource)}.${String(attribute)}`, context);
      }
      case "Fn::Sub":
        return resolveSub(argument, context);
      case "Fn::Join": {
        const [separator, parts] = Array.isArray(argument) ? argument : [];
        const items = resolveIntrinsics(parts ?? [], context);
        if (!Array.isArray(items)) throw new UnresolvedReferenceError("!Join needs a list");
        return items
          .map((item) => asText(item, "!Join item"))
          .join(asText(separator ?? "", "!Join"));
      }
      case "Fn::If": {
        const [condition, whenTrue, whenFalse] = Array.isArray(argument) ? argument : [];
        const value = context.conditions?.[asText(condition ?? "", "!If")];
        if (value === undefined)
          throw new UnresolvedReferenceError(`unknown condition ${condition}`);
        return resolveNode((value ? whenTrue : whenFalse) ?? null, context);
      }
      case "Fn::FindInMap": {
        const [map, top, second] = resolveIntrinsics(argument, context) as Json[];
        const value = context.mappings?.[String(map)]?.[String(top)]?.[String(second)];
        if (value === undefined) {
          throw new UnresolvedReferenceError(`no mapping ${map}.${top}.${second}`);
        }
        return value;
      }
      case "Fn::Select": {
        const [index, list] = Array.isArray(argument) ? argument : [];
        const items = resolveIntrinsics(list ?? [], context);
        const item = Array.isArray(items) ? items[Number(index)] : undefined;
        if (item === undefined) throw new UnresolvedReferenceError(`!Select ${index} out of range`);
        return item;
      }
      case "Fn::Split": {
        const [separator, text] = Array.isArray(argument) ? argument : [];
        return asText(resolveIntrinsics(text ?? "", context), "!Split").split(String(separator));
      }
    }
  }
  const entries = Object.entries(node).map(([key, value]) => [key, resolveNode(value, context)]);
  return Object.fromEntries(entries.filter(([, value]) => value !== omitted));
}

function resolveSub(argument: Json, context: ResolveContext): string {
  const [text, variables] = Array.isArray(argument) ? argument : [argument, undefined];
  const local = isObject(variables ?? null)
    ? (resolveIntrinsics(variables as Json, context) as Record<string, Json>)
    : {};
  let result = asText(text ?? "", "!Sub");
  for (const variable of new Set(subVariables(result))) {
    const value =
      variable in local
        ? asText(local[variable] ?? "", variable)
        : variable.includes(".") && !variable.startsWith("AWS::")
          ? lookupAtt(variable, context)
          : lookupRef(variable, context);
    result = result.split(`\${${variable}}`).join(value);
  }
  return result.replaceAll("${!", "${");
}
