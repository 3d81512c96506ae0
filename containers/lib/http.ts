import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exitOnSignal, log } from "./runtime";

/**
 * JSON with an explicit Content-Length, so keep-alive clients (the ALB, `ab -k`,
 * autocannon) can reuse the connection instead of waiting for it to close.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Serves `handler` on PORT and stops gracefully on SIGTERM: stop accepting, close idle
 * keep-alive sockets, let in-flight requests finish (bounded), exit 0.
 */
export async function serve(name: string, port: number, handler: Handler): Promise<Server> {
  let stopping = false;
  /** Responses not yet sent: on shutdown they go out with `Connection: close`. */
  const inFlight = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    if (stopping) response.shouldKeepAlive = false;
    inFlight.add(response);
    response.once("close", () => inFlight.delete(response));
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      log("error", "request failed", { url: request.url, error: String(error) });
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.destroy();
    });
  });
  // Longer than the ALB's 60 s idle timeout, so the load balancer, not the task, closes
  // idle connections (otherwise it may send on a socket the task just closed: a 502).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  exitOnSignal(
    name,
    () =>
      new Promise<void>((resolve) => {
        stopping = true;
        // Keep-alive sockets would otherwise hold `close` open until their idle timeout.
        for (const response of inFlight) response.shouldKeepAlive = false;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    SHUTDOWN_GRACE_MS,
  );

  await new Promise<void>((resolve) => server.listen(port, resolve));
  log("info", `${name} listening`, { port: (server.address() as AddressInfo).port });
  return server;
}
