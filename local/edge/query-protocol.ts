import { randomUUID } from "node:crypto";
import { XMLBuilder } from "fast-xml-parser";
import { AwsError } from "./errors";
import type { RawResponse } from "./server";

/**
 * The AWS query protocol (EC2 Auto Scaling, and the older APIs): a form-encoded
 * `POST /` with `Action=…&Version=…`, lists flattened as `Name.member.N`, structures
 * as `Name.Member`; answers are XML in the API's namespace, wrapped in
 * `<ActionResponse>` with `<ActionResult>` and `<ResponseMetadata>`, and errors are
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */

/** One query-protocol API on the edge, found by the request's `Version`. */
export interface QueryApi {
  /** Name used by fault rules (`<service>:<Action>`), as in IAM: `autoscaling`. */
  service: string;
  /** The `Version=` this API answers, e.g. `2011-01-01`. */
  version: string;
  /** `xmlns` of every answer, as the service model gives it. */
  namespace: string;
  /** The action's `Result` element content, or undefined when the action has none. */
  handle(action: string, params: QueryParams): Promise<XmlValue | undefined>;
}

/** What XMLBuilder writes: element name → text, nested elements or repeated elements. */
export type XmlValue = string | number | boolean | XmlObject | XmlValue[];
export interface XmlObject {
  [element: string]: XmlValue | undefined;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_" });

/** A query list as XML: `<member>` elements (an empty list is an empty element). */
export function members(items: readonly XmlValue[]): XmlObject {
  return { member: [...items] };
}

/** Timestamps are ISO 8601 in UTC, as AWS writes them. */
export function timestamp(date: Date): string {
  return date.toISOString();
}

function xml(root: string, namespace: string, content: XmlObject): Buffer {
  const document = builder.build({ [root]: { "@_xmlns": namespace, ...content } }) as string;
  return Buffer.from(document);
}

function respond(statusCode: number, requestId: string, body: Buffer): RawResponse {
  return {
    statusCode,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body,
  };
}

/** `<ActionResponse>` with the result (when the action has one) and the request id. */
export function queryResponse(
  action: string,
  namespace: string,
  result: XmlValue | undefined,
): RawResponse {
  const requestId = randomUUID();
  const content: XmlObject = {};
  if (result !== undefined) content[`${action}Result`] = result;
  content.ResponseMetadata = { RequestId: requestId };
  return respond(200, requestId, xml(`${action}Response`, namespace, content));
}

/** An error as the query protocol carries it; the SDK raises the class named by `Code`. */
export function queryError(error: AwsError, namespace: string): RawResponse {
  const requestId = randomUUID();
  const body = xml("ErrorResponse", namespace, {
    Error: {
      Type: error.statusCode >= 500 ? "Receiver" : "Sender",
      Code: error.queryCode ?? error.type,
      Message: error.message,
    },
    RequestId: requestId,
  });
  return respond(error.statusCode, requestId, body);
}

/** AWS's words for a member that breaks its constraint (`null`: the member is missing). */
export function invalidMember(value: string | null, name: string, constraint: string): AwsError {
  const shown = value === null ? "null" : `'${value}'`;
  // AWS names the member with its first letter lower-cased.
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  return new AwsError(
    "ValidationError",
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/**
 * Reads a query request's parameters with the checks the service applies: a missing
 * required member or a malformed value is a `ValidationError` in AWS's words.
 */
export class QueryParams {
  constructor(
    private readonly params: URLSearchParams,
    private readonly prefix = "",
  ) {}

  static parse(body: string): QueryParams {
    return new QueryParams(new URLSearchParams(body));
  }

  /** The parameter's own value, undefined when absent. */
  string(name: string): string | undefined {
    return this.params.get(this.prefix + name) ?? undefined;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw QueryParams.missing(name);
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw invalidMember(raw, name, "Member must be an integer");
    return Number(raw);
  }

  requiredInteger(name: string): number {
    const value = this.integer(name);
    if (value === undefined) throw QueryParams.missing(name);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") {
      throw invalidMember(raw, name, "Member must be a boolean");
    }
    return raw === "true";
  }

  requiredBoolean(name: string): boolean {
    const value = this.boolean(name);
    if (value === undefined) throw QueryParams.missing(name);
    return value;
  }

  /** A structure member: its own fields under `Name.` */
  struct(name: string): QueryParams | undefined {
    const prefix = `${this.prefix}${name}.`;
    for (const key of this.params.keys()) {
      if (key.startsWith(prefix)) return new QueryParams(this.params, prefix);
    }
    return undefined;
  }

  /** A list of structures, `Name.member.1.…` onwards (an empty list is absent). */
  structs(name: string): QueryParams[] {
    const items: QueryParams[] = [];
    for (let index = 1; ; index++) {
      const item = this.struct(`${name}.member.${index}`);
      if (item === undefined) return items;
      items.push(item);
    }
  }

  /** A list of strings, `Name.member.1` onwards; undefined when not sent at all. */
  strings(name: string): string[] | undefined {
    const items: string[] = [];
    for (let index = 1; ; index++) {
      const value = this.string(`${name}.member.${index}`);
      if (value === undefined) break;
      items.push(value);
    }
    // `Name=` with no members is how the protocol sends an empty list.
    if (items.length === 0 && this.string(name) === undefined) return undefined;
    return items;
  }

  private static missing(name: string): AwsError {
    return invalidMember(null, name, "Member must not be null");
  }
}
