import { isObject, type Json, type JsonObject } from "../template/read";
import { inCidr } from "./cidr";
import { validateEventPattern } from "./pattern-validation";

/**
 * The one EventBridge event-pattern matcher: used by the local event bus, the
 * schedule/stream wiring and the contract tests that check every template pattern
 * against its sample event.
 *
 * Semantics follow the EventBridge user guide ("Event patterns", "Content filtering",
 * "Comparison operators"), as implemented by aws/event-ruler:
 * - a pattern is an object; every key must match (AND); `$or` takes a list of
 *   sub-patterns of which one must match;
 * - a leaf is an array of matchers; one must match (OR);
 * - when the event's value is an array, the leaf matches if any element matches;
 *   an object pattern over an array of objects matches if one element matches all
 *   of it (array consistency);
 * - a missing field matches only `{"exists": false}`; `null` and `""` are values
 *   like any other (`[null]` matches null, `[""]` matches the empty string, and a
 *   field that is null *exists*);
 * - numbers match by numeric value (`[5]` matches `5.0`), never a string `"5"`;
 *   `numeric` and `anything-but` with numbers only look at numbers.
 */

/**
 * True when `event` matches `pattern`. A malformed pattern throws
 * InvalidEventPatternError (a rule with it could never have been created).
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  const valid = validateEventPattern(pattern);
  return isObject(event) && matchObject(valid as JsonObject, event);
}

/** Compiles once for a rule that is matched many times (the local bus). */
export function compilePattern(pattern: unknown): (event: unknown) => boolean {
  const valid = validateEventPattern(pattern) as JsonObject;
  return (event) => isObject(event) && matchObject(valid, event);
}

function matchObject(pattern: JsonObject, event: JsonObject): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === "$or") {
      const alternatives = expected as JsonObject[];
      if (!alternatives.some((alternative) => matchObject(alternative, event))) return false;
      continue;
    }
    const present = Object.hasOwn(event, key);
    const actual = present ? (event[key] as Json) : undefined;
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected, present, actual)) return false;
    } else if (!matchNested(expected as JsonObject, actual)) {
      return false;
    }
  }
  return true;
}

/** A nested pattern: the event's value must be an object, or an array with one matching. */
function matchNested(pattern: JsonObject, actual: Json | undefined): boolean {
  if (isObject(actual)) return matchObject(pattern, actual);
  if (Array.isArray(actual))
    return actual.some((item) => isObject(item) && matchObject(pattern, item));
  // A missing object still satisfies a pattern that only asks for absent fields.
  return matchObject(pattern, {});
}

function matchLeaf(matchers: Json[], present: boolean, actual: Json | undefined): boolean {
  // Leaf values the event offers: an array offers each of its elements.
  const values: Json[] = !present ? [] : Array.isArray(actual) ? actual : [actual as Json];
  const leafValues = values.filter((value) => !isObject(value) && !Array.isArray(value));
  return matchers.some((matcher) => {
    if (isObject(matcher) && Object.hasOwn(matcher, "exists")) {
      const exists = present && leafValues.length > 0;
      return matcher.exists === exists;
    }
    return leafValues.some((value) => matchValue(matcher, value));
  });
}

function matchValue(matcher: Json, value: Json): boolean {
  // Exact values: strict equality already compares numbers by value (5 === 5.0).
  if (matcher === null || typeof matcher !== "object") return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0] as [string, Json];
  switch (operator) {
    case "prefix":
      return typeof value === "string" && matchAffix("prefix", operand, value);
    case "suffix":
      return typeof value === "string" && matchAffix("suffix", operand, value);
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === (operand as string).toLowerCase();
    case "wildcard":
      return typeof value === "string" && wildcardRegExp(operand as string).test(value);
    case "numeric":
      return typeof value === "number" && inRange(operand as Json[], value);
    case "cidr":
      return typeof value === "string" && inCidr(operand as string, value);
    case "anything-but":
      return matchAnythingBut(operand, value);
    default:
      return false;
  }
}

function matchAffix(kind: "prefix" | "suffix", operand: Json, value: string): boolean {
  let wanted: string;
  let subject = value;
  if (typeof operand === "string") {
    wanted = operand;
  } else {
    wanted = ((operand as JsonObject)["equals-ignore-case"] as string).toLowerCase();
    subject = value.toLowerCase();
  }
  return kind === "prefix" ? subject.startsWith(wanted) : subject.endsWith(wanted);
}

function inRange(operand: Json[], value: number): boolean {
  for (let index = 0; index < operand.length; index += 2) {
    const bound = operand[index + 1] as number;
    switch (operand[index]) {
      case "<":
        if (!(value < bound)) return false;
        break;
      case "<=":
        if (!(value <= bound)) return false;
        break;
      case "=":
        if (value !== bound) return false;
        break;
      case ">":
        if (!(value > bound)) return false;
        break;
      case ">=":
        if (!(value >= bound)) return false;
        break;
    }
  }
  return true;
}

function matchAnythingBut(operand: Json, value: Json): boolean {
  // Any value the event has, other than the excluded ones, matches.
  if (typeof operand === "string" || typeof operand === "number") return value !== operand;
  if (Array.isArray(operand)) return !operand.includes(value);
  const [operator, inner] = Object.entries(operand as JsonObject)[0] as [string, Json];
  if (operator === "numeric") return typeof value === "number" && !inRange(inner as Json[], value);
  // The string forms only ever match string values.
  if (typeof value !== "string") return false;
  switch (operator) {
    case "prefix":
      return !value.startsWith(inner as string);
    case "suffix":
      return !value.endsWith(inner as string);
    case "wildcard":
      return !wildcardRegExp(inner as string).test(value);
    case "equals-ignore-case": {
      const excluded = (Array.isArray(inner) ? inner : [inner]) as string[];
      return !excluded.some((item) => item.toLowerCase() === value.toLowerCase());
    }
    default:
      return false;
  }
}

const wildcardCache = new Map<string, RegExp>();

/** `*` matches any run of characters; `\*` is a literal asterisk. */
function wildcardRegExp(pattern: string): RegExp {
  let compiled = wildcardCache.get(pattern);
  if (compiled === undefined) {
    let source = "";
    for (let index = 0; index < pattern.length; index++) {
      const char = pattern[index] as string;
      if (char === "\\" && pattern[index + 1] === "*") {
        source += "\\*";
        index++;
      } else if (char === "*") {
        source += ".*";
      } else {
        source += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      }
    }
    compiled = new RegExp(`^${source}$`, "s");
    wildcardCache.set(pattern, compiled);
  }
  return compiled;
}
