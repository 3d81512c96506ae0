import { type ConnectionEvents, HttpConnection, targetOf } from "./http-connection";

/**
 * A load run's connections to its URL, and the clock that times their requests out:
 * both loops (./closed-loop.ts, ./open-loop.ts) drive the same pool.
 */
export interface ConnectionPool {
  readonly connections: readonly HttpConnection[];
  /** Stops the timeout clock and closes every connection; answers still in flight are dropped. */
  close(): void;
}

/** The timeout clock's resolution: a request times out at most this late. */
const SWEEP_EVERY_MS = 100;

export function connectionPool(
  options: { url: string; connections: number; pipelining: number; timeoutSeconds: number },
  events: ConnectionEvents,
): ConnectionPool {
  const target = targetOf(options.url);
  const connections = Array.from(
    { length: options.connections },
    () => new HttpConnection(target, events, options.pipelining),
  );
  const timeoutMs = options.timeoutSeconds * 1000;
  // One clock for all requests, not a timer each: arming and clearing a timer per
  // request costs more than the request itself on a fast target.
  const sweeper = setInterval(
    () => {
      const now = performance.now();
      for (const connection of connections) connection.expire(now, timeoutMs);
    },
    Math.min(SWEEP_EVERY_MS, timeoutMs / 10),
  );
  return {
    connections,
    close: () => {
      clearInterval(sweeper);
      for (const connection of connections) connection.close();
    },
  };
}
