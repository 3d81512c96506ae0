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

export type EventPattern = { readonly [field: string]: unknown };

export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
  constructor(
    /** Dotted path of the offending part of the pattern, e.g. `detail.state[0]`. */
    readonly path: string,
    problem: string,
  ) {
    super(`event pattern ${path || "(root)"}: ${problem}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);

// ─── validation ────────────────────────────────────────────────────────────

/**
 * Throws InvalidEventPatternError naming the first malformed part; returns the
 * pattern typed. EventBridge's PutRule rejects the same patterns with
 * `InvalidEventPatternException`.
 */
export function validateEventPattern(pattern: unknown): EventPattern {
  const parsed = typeof pattern === "string" ? parseJson(pattern) : pattern;
  if (!isObject(parsed)) throw new InvalidEventPatternError("", "must be a JSON object");
  if (Object.keys(parsed).length === 0) {
    throw new InvalidEventPatternError("", "must have at least one field");
  }
  validateObject(parsed, "");
  return parsed;
}

/** True when `validateEventPattern` would accept the pattern. */
export function isValidEventPattern(pattern: unknown): boolean {
  try {
    validateEventPattern(pattern);
    return true;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return false;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError("", `is not valid JSON (${(error as Error).message})`);
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function validateObject(pattern: JsonObject, path: string): void {
  for (const [key, value] of Object.entries(pattern)) {
    const here = join(path, key);
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) {
        throw new InvalidEventPatternError(here, "must be an array of at least two patterns");
      }
      value.forEach((alternative, index) => {
        if (!isObject(alternative) || Object.keys(alternative).length === 0) {
          throw new InvalidEventPatternError(`${here}[${index}]`, "must be a non-empty object");
        }
        validateObject(alternative, path);
      });
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError(here, "must not be empty");
      value.forEach((matcher, index) => {
        validateMatcher(matcher, `${here}[${index}]`);
      });
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0) {
        throw new InvalidEventPatternError(here, "must not be an empty object");
      }
      validateObject(value, here);
    } else {
      throw new InvalidEventPatternError(
        here,
        `must be an array of values or an object, got ${JSON.stringify(value)}`,
      );
    }
  }
}

function validateMatcher(matcher: Json, path: string): void {
  if (matcher === null || ["string", "number", "boolean"].includes(typeof matcher)) return;
  if (Array.isArray(matcher)) {
    throw new InvalidEventPatternError(path, "nested arrays are not allowed");
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new InvalidEventPatternError(path, "a matcher object must have exactly one operator");
  }
  const operator = keys[0] as string;
  const operand = (matcher as JsonObject)[operator] as Json;
  const here = `${path}.${operator}`;
  switch (operator) {
    case "prefix":
    case "suffix":
      if (typeof operand === "string") return;
      if (isObject(operand) && isSingle(operand, "equals-ignore-case", "string")) return;
      throw new InvalidEventPatternError(
        here,
        'must be a string or {"equals-ignore-case": string}',
      );
    case "equals-ignore-case":
      requireString(operand, here);
      return;
    case "wildcard":
      requireString(operand, here);
      validateWildcard(operand as string, here);
      return;
    case "exists":
      if (typeof operand !== "boolean") throw new InvalidEventPatternError(here, "must be boolean");
      return;
    case "numeric":
      validateNumeric(operand, here);
      return;
    case "cidr":
      requireString(operand, here);
      if (parseCidr(operand as string) === undefined) {
        throw new InvalidEventPatternError(here, `"${operand}" is not an IPv4 CIDR block`);
      }
      return;
    case "anything-but":
      validateAnythingBut(operand, here);
      return;
    default:
      throw new InvalidEventPatternError(path, `unknown operator "${operator}"`);
  }
}

function isSingle(object: JsonObject, key: string, type: "string"): boolean {
  const keys = Object.keys(object);
  return keys.length === 1 && keys[0] === key && typeof object[key] === type;
}

function requireString(operand: Json, path: string): void {
  if (typeof operand !== "string") throw new InvalidEventPatternError(path, "must be a string");
}

function validateWildcard(pattern: string, path: string): void {
  if (/(^|[^\\])\*\*/.test(pattern)) {
    throw new InvalidEventPatternError(path, "consecutive wildcard characters are not allowed");
  }
}

function validateNumeric(operand: Json, path: string): void {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidEventPatternError(path, "must be [operator, number, …] pairs");
  }
  let lower = 0;
  let upper = 0;
  let equals = 0;
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    if (typeof operator !== "string" || !NUMERIC_OPERATORS.has(operator)) {
      throw new InvalidEventPatternError(`${path}[${index}]`, `unknown operator ${operator}`);
    }
    if (typeof bound !== "number" || !Number.isFinite(bound)) {
      throw new InvalidEventPatternError(`${path}[${index + 1}]`, "must be a number");
    }
    if (operator.startsWith(">")) lower++;
    else if (operator.startsWith("<")) upper++;
    else equals++;
  }
  if (lower > 1 || upper > 1 || (equals > 0 && operand.length > 2)) {
    throw new InvalidEventPatternError(path, "at most one lower and one upper bound, or one =");
  }
}

function validateAnythingBut(operand: Json, path: string): void {
  if (typeof operand === "string" || typeof operand === "number") return;
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidEventPatternError(path, "must not be empty");
    const allStrings = operand.every((item) => typeof item === "string");
    const allNumbers = operand.every((item) => typeof item === "number");
    if (!allStrings && !allNumbers) {
      throw new InvalidEventPatternError(path, "a list must hold only strings or only numbers");
    }
    return;
  }
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const operator = keys[0];
    if (keys.length === 1 && operator !== undefined) {
      const inner = operand[operator] as Json;
      if (operator === "prefix" || operator === "suffix" || operator === "wildcard") {
        requireString(inner, `${path}.${operator}`);
        if (operator === "wildcard") validateWildcard(inner as string, `${path}.${operator}`);
        return;
      }
      if (operator === "equals-ignore-case") {
        if (typeof inner === "string") return;
        if (Array.isArray(inner) && inner.length > 0 && inner.every((i) => typeof i === "string"))
          return;
        throw new InvalidEventPatternError(`${path}.${operator}`, "must be a string or strings");
      }
      if (operator === "numeric") {
        validateNumeric(inner, `${path}.${operator}`);
        return;
      }
    }
    throw new InvalidEventPatternError(
      path,
      "object must be one of prefix, suffix, wildcard, equals-ignore-case, numeric",
    );
  }
  throw new InvalidEventPatternError(path, "must be a string, number, list or operator object");
}

// ─── matching ──────────────────────────────────────────────────────────────

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

function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let address = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    address = address * 256 + octet;
  }
  return address;
}

function parseCidr(block: string): { network: number; size: number } | undefined {
  const [address, bits, ...rest] = block.split("/");
  if (rest.length > 0 || address === undefined || bits === undefined) return undefined;
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  const parsed = parseIpv4(address);
  if (parsed === undefined) return undefined;
  const size = 2 ** (32 - Number(bits));
  return { network: parsed - (parsed % size), size };
}

function inCidr(block: string, value: string): boolean {
  const cidr = parseCidr(block);
  const address = parseIpv4(value);
  if (cidr === undefined || address === undefined) return false;
  return address >= cidr.network && address < cidr.network + cidr.size;
}
