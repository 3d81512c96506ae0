import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { gunzipSync } from "node:zlib";
import type { FaultInjector } from "../faults/faults";
import { listenOnLoopback } from "../loopback";
import { AwsError } from "./errors";
import { type QueryApi, QueryParams, queryError, queryResponse } from "./query-protocol";

/** A JSON-protocol operation: parsed input in, output object out (or a thrown AwsError). */
export type JsonHandler = (operation: string, input: unknown) => Promise<unknown>;

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** For a proxied service (DynamoDB → dynalite): the request bytes in, a response out. */
export type RawHandler = (
  operation: string,
  body: Buffer,
  headers: IncomingHttpHeaders,
) => Promise<RawResponse>;

export interface RouteOptions {
  /** Name used by fault rules (`<service>:<Operation>`); defaults from the target prefix. */
  service?: string;
  /** Prefix of `__type` in error bodies, e.g. `com.amazonaws.ecs`. */
  namespace?: string;
}

interface Route {
  service: string;
  namespace: string | undefined;
  handle: (operation: string, body: Buffer, headers: IncomingHttpHeaders) => Promise<RawResponse>;
}

/** The short names AWS uses in IAM actions, which fault rules use too. */
const knownServices: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: "ecs",
  DynamoDB_20120810: "dynamodb",
  GraniteServiceVersion20100801: "cloudwatch",
  AWSStepFunctions: "states",
};

/**
 * The edge endpoint: one loopback HTTP server that routes AWS JSON-protocol requests
 * by `X-Amz-Target` (`<prefix>.<Operation>`), and query-protocol requests (a form
 * with `Action` and `Version`, no X-Amz-Target) by `Version`, so `AWS_ENDPOINT_URL`
 * serves every SDK client. Credentials and signatures are not checked.
 */
export class Edge {
  private readonly routes = new Map<string, Route>();
  private readonly queryApis = new Map<string, QueryApi>();
  private readonly server: Server;

  constructor(private readonly faults: FaultInjector) {
    this.server = createServer((request, response) => {
      this.serve(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
    // Keep-alive sockets would hold `close()` open; the SDK reconnects as needed.
    this.server.keepAliveTimeout = 5_000;
  }

  route(targetPrefix: string, handler: JsonHandler, options: RouteOptions = {}): void {
    this.routes.set(targetPrefix, {
      service: options.service ?? knownServices[targetPrefix] ?? targetPrefix.toLowerCase(),
      namespace: options.namespace,
      handle: async (operation, body, headers) => {
        const input = body.length === 0 ? {} : (JSON.parse(body.toString("utf8")) as unknown);
        const output = await handler(operation, input);
        return jsonResponse(200, contentType(headers), output ?? {});
      },
    });
  }

  routeRaw(targetPrefix: string, handler: RawHandler, options: RouteOptions = {}): void {
    this.routes.set(targetPrefix, {
      service: options.service ?? knownServices[targetPrefix] ?? targetPrefix.toLowerCase(),
      namespace: options.namespace,
      handle: handler,
    });
  }

  routeQuery(api: QueryApi): void {
    this.queryApis.set(api.version, api);
  }

  async listen(port: number, host: string): Promise<string> {
    return `http://${host}:${await listenOnLoopback(this.server, port, host)}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = decodedBody(await readBody(request), request.headers);
    } catch (thrown) {
      const error = thrown instanceof AwsError ? thrown : internalFailure(thrown);
      send(response, errorResponse(error, contentType(request.headers), undefined));
      return;
    }
    if (isQueryRequest(request.headers)) {
      await this.serveQuery(body, response);
      return;
    }
    const target = header(request.headers, "x-amz-target") ?? "";
    const dot = target.lastIndexOf(".");
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? "" : target.slice(dot + 1);
    const route = this.routes.get(prefix);
    const type = contentType(request.headers);
    if (route === undefined || operation === "") {
      const error = new AwsError(
        "UnknownOperationException",
        `The local cloud does not serve X-Amz-Target "${target}"`,
      );
      send(response, errorResponse(error, type, undefined));
      return;
    }
    try {
      await this.faults.apply(route.service, operation);
      send(response, await route.handle(operation, body, request.headers));
    } catch (thrown) {
      const error =
        thrown instanceof AwsError
          ? thrown
          : thrown instanceof SyntaxError
            ? new AwsError("SerializationException", thrown.message)
            : internalFailure(thrown);
      send(response, errorResponse(error, type, route.namespace));
    }
  }

  private async serveQuery(body: Buffer, response: ServerResponse): Promise<void> {
    const params = QueryParams.parse(body.toString("utf8"));
    const action = params.string("Action") ?? "";
    const version = params.string("Version") ?? "";
    const api = this.queryApis.get(version);
    if (api === undefined || action === "") {
      const error = new AwsError(
        "UnknownOperationException",
        `The local cloud does not serve Action "${action}" of query API Version "${version}"`,
      );
      send(response, errorResponse(error, "application/x-amz-json-1.1", undefined));
      return;
    }
    try {
      await this.faults.apply(api.service, action);
      send(response, queryResponse(action, api.namespace, await api.handle(action, params)));
    } catch (thrown) {
      const error = thrown instanceof AwsError ? thrown : internalFailure(thrown);
      send(response, queryError(error, api.namespace));
    }
  }
}

function internalFailure(thrown: unknown): AwsError {
  return new AwsError("InternalFailure", String(thrown), 500);
}

/** Query-protocol requests carry no X-Amz-Target; their body is a form. */
function isQueryRequest(headers: IncomingHttpHeaders): boolean {
  return (
    header(headers, "x-amz-target") === undefined &&
    (header(headers, "content-type") ?? "").startsWith("application/x-www-form-urlencoded")
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Answer in the JSON version the client spoke (ECS 1.1; DynamoDB, CloudWatch 1.0). */
function contentType(headers: IncomingHttpHeaders): string {
  const requested = header(headers, "content-type") ?? "";
  return requested.startsWith("application/x-amz-json-") ? requested : "application/x-amz-json-1.1";
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The body as the operation reads it. The SDK gzips the bodies of operations with
 * request compression (CloudWatch PutMetricData over 10 KiB) and says so in
 * Content-Encoding; AWS reads them, so the edge does too.
 */
function decodedBody(raw: Buffer, headers: IncomingMessage["headers"]): Buffer {
  const encodings = (header(headers, "content-encoding") ?? "")
    .split(",")
    .map((encoding) => encoding.trim().toLowerCase());
  if (!encodings.includes("gzip")) return raw;
  try {
    return gunzipSync(raw);
  } catch (thrown) {
    throw new AwsError(
      "SerializationException",
      `Content-Encoding says gzip but the body is not: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
  }
}

export function jsonResponse(statusCode: number, type: string, payload: unknown): RawResponse {
  return {
    statusCode,
    headers: { "content-type": type, "x-amzn-requestid": randomUUID() },
    body: Buffer.from(JSON.stringify(payload)),
  };
}

function errorResponse(error: AwsError, type: string, namespace: string | undefined): RawResponse {
  const qualified = namespace === undefined ? error.type : `${namespace}#${error.type}`;
  const response = jsonResponse(error.statusCode, type, {
    __type: qualified,
    message: error.message,
  });
  response.headers["x-amzn-errortype"] = error.type;
  if (error.queryCode !== undefined) {
    const fault = error.statusCode >= 500 ? "Receiver" : "Sender";
    response.headers["x-amzn-query-error"] = `${error.queryCode};${fault}`;
  }
  return response;
}

function send(response: ServerResponse, raw: RawResponse): void {
  response.writeHead(raw.statusCode, {
    ...raw.headers,
    "content-length": String(raw.body.length),
  });
  response.end(raw.body);
}
