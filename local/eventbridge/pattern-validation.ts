import { isObject, type Json, type JsonObject } from "../template/read";
import { parseCidr } from "./cidr";

/**
 * Event pattern validation: what EventBridge's PutRule accepts, and for the rest the
 * first malformed part named, as `InvalidEventPatternException` names it. The matcher
 * (pattern.ts) only ever sees patterns that passed.
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

const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);

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
