import { ConfigurationError } from "./errors";

/**
 * The one config loader: every function reads its environment through these, so a
 * missing or malformed variable fails fast with its name, before any API call.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

function present(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function requiredString(env: Environment, name: string): string {
  const value = present(env, name);
  if (value === undefined) throw new ConfigurationError(name, "is required but not set");
  return value;
}

export function optionalString(env: Environment, name: string): string | undefined {
  return present(env, name);
}

export interface IntegerBounds {
  min?: number;
  max?: number;
}

function parseInteger(name: string, raw: string, bounds: IntegerBounds): number {
  if (!/^-?\d+$/.test(raw)) throw new ConfigurationError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new ConfigurationError(name, `"${raw}" is out of range`);
  if (bounds.min !== undefined && value < bounds.min) {
    throw new ConfigurationError(name, `must be ≥ ${bounds.min}, got ${value}`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new ConfigurationError(name, `must be ≤ ${bounds.max}, got ${value}`);
  }
  return value;
}

export function integer(
  env: Environment,
  name: string,
  defaultValue: number,
  bounds: IntegerBounds = {},
): number {
  const raw = present(env, name);
  return raw === undefined ? defaultValue : parseInteger(name, raw, bounds);
}

export function optionalInteger(
  env: Environment,
  name: string,
  bounds: IntegerBounds = {},
): number | undefined {
  const raw = present(env, name);
  return raw === undefined ? undefined : parseInteger(name, raw, bounds);
}

export function boolean(env: Environment, name: string, defaultValue: boolean): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return defaultValue;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigurationError(name, `expected "true" or "false", got "${raw}"`);
}

export function oneOf<const T extends string>(
  env: Environment,
  name: string,
  choices: readonly T[],
  defaultValue: T,
): T {
  const raw = present(env, name);
  if (raw === undefined) return defaultValue;
  const choice = choices.find((c) => c === raw);
  if (choice === undefined) {
    throw new ConfigurationError(name, `expected one of ${choices.join(", ")}, got "${raw}"`);
  }
  return choice;
}

/** `a, b,,c` → `["a", "b", "c"]`; unset → undefined. */
export function list(env: Environment, name: string): string[] | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  const items = raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return items.length === 0 ? undefined : items;
}
