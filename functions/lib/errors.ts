/**
 * Typed errors. Every failure a handler raises on purpose is one of these, so the
 * caller (Lambda retry, Step Functions Catch, a test) can tell bad input from an
 * AWS failure, and the message always names what was wrong.
 */

/** An event or request that does not have the documented shape. Never retried. */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    /** Dotted path of the offending field, e.g. `detail.clusterArn`. */
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A missing or malformed environment variable. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`environment variable ${variable}: ${problem}`);
  }
}

/** Stored data that is not what the code wrote (wrong type, out of range). */
export class CorruptItemError extends Error {
  override readonly name = "CorruptItemError";
  constructor(
    readonly table: string,
    readonly key: string,
    problem: string,
  ) {
    super(`${table}[${key}]: ${problem}`);
  }
}

/** Narrows an unknown thrown value to an Error without losing non-Error throws. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** Data the function needs does not exist (yet): no item, no datapoint. It may appear later. */
export class MissingDataError extends Error {
  override readonly name = "MissingDataError";
  constructor(
    /** What was read, e.g. `DemandTable[demand]` or a metric. */
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

/** A conditional (optimistic-concurrency) write that lost to other writers on every attempt. */
export class WriteConflictError extends Error {
  override readonly name = "WriteConflictError";
  constructor(
    readonly table: string,
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`${table}[${key}]: the conditional write lost to concurrent writers ${attempts} times`);
  }
}
