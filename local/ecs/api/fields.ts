import {
  compileExpression,
  type Expression,
  QueryLanguageError,
} from "../../../functions/lib/placement/query-language";
import type { AwsError } from "../../edge/errors";
import { ecsErrors } from "../errors";
import type { Tag } from "../model/records";

export type Input = Record<string, unknown>;

export function isRecord(value: unknown): value is Input {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads request fields with the checks ECS applies (InvalidParameterException otherwise). */
export class Fields {
  constructor(private readonly input: Input) {}

  string(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw ecsErrors.invalidParameter(`${name} must be a string.`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === "") {
      throw ecsErrors.invalidParameter(`${name} can not be blank.`);
    }
    return value;
  }

  integer(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw ecsErrors.invalidParameter(`${name} must be an integer.`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw ecsErrors.invalidParameter(`${name} must be a boolean.`);
    return value;
  }

  strings(name: string): string[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw ecsErrors.invalidParameter(`${name} must be a list of strings.`);
    }
    return value as string[];
  }

  records(name: string): Input[] {
    const value = this.input[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => !isRecord(item))) {
      throw ecsErrors.invalidParameter(`${name} must be a list of objects.`);
    }
    return value as Input[];
  }

  record(name: string): Input | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) throw ecsErrors.invalidParameter(`${name} must be an object.`);
    return value;
  }

  /** A list of objects, each read with its own Fields. */
  each<T>(name: string, read: (fields: Fields, given: Input) => T): T[] {
    return this.records(name).map((record) => read(new Fields(record), record));
  }

  /** A field passed through as given (echoed back in responses). */
  raw(name: string): unknown {
    return this.input[name];
  }

  includesTags(): boolean {
    return (this.strings("include") ?? []).includes("TAGS");
  }

  /** The `include` list, each value one the operation knows (ClusterField, ContainerInstanceField…). */
  include<T extends string>(allowed: readonly T[]): Set<T> {
    const given = this.strings("include") ?? [];
    const unknown = given.find((value) => !(allowed as readonly string[]).includes(value));
    if (unknown !== undefined) {
      throw ecsErrors.invalidParameter(
        `Invalid include value '${unknown}': must be one of ${allowed.join(", ")}.`,
      );
    }
    return new Set(given as T[]);
  }

  tags(name = "tags"): Tag[] {
    return this.records(name).map((tag) => {
      if (typeof tag.key !== "string" || tag.key === "") {
        throw ecsErrors.invalidParameter("Tag keys must be non-empty strings.");
      }
      return { key: tag.key, value: typeof tag.value === "string" ? tag.value : "" };
    });
  }
}

/** A cluster query language expression, or `error` (ECS's error for where it was given). */
export function readExpression(source: string, error: (message: string) => AwsError): Expression {
  try {
    return compileExpression(source);
  } catch (thrown) {
    if (thrown instanceof QueryLanguageError) throw error(`Invalid expression: ${thrown.message}`);
    throw thrown;
  }
}

/** The object without its undefined fields: what was not given is not echoed. */
export function givenOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
