import { connect as connectTcp, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { HTTPParser } from "http-parser-js";

/**
 * One keep-alive HTTP/1.1 connection of a load run, one request in flight at a time:
 * the load generator's whole HTTP client. A plain socket (node:net, node:tls) carrying
 * a request written once as bytes, and http-parser-js reading the answers (Content-Length,
 * chunked, read-to-close, keep-alive or not), because node:http's client builds a
 * ClientRequest, an IncomingMessage and their streams for every request: on one core
 * that, not the target, was the bottleneck (docs/performance.md).
 *
 * A connection that breaks (refused, reset, closed by the server, answer not HTTP, timed
 * out) fails the request in flight, if any, and the next `send` opens a fresh socket.
 */

/** Where a load run sends its requests: one URL, the same GET every time. */
export interface Target {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** The request, as bytes on the wire. */
  readonly request: Buffer;
}

export function targetOf(url: string): Target {
  const parsed = new URL(url);
  const secure = parsed.protocol === "https:";
  // URL keeps IPv6 literals bracketed; sockets want them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port);
  // Host, which HTTP/1.1 requires, and User-Agent, so the target's logs can tell load-test
  // traffic apart; nothing else. Each header is work for a target parsing it, and on a
  // fast target that is what the figures measure: `Accept: */*`, which says what no Accept
  // says (RFC 9110 §12.5.1), cost it about 4 % of its requests/s (docs/performance.md).
  const request = Buffer.from(
    `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\n` +
      "User-Agent: microscale-benchmark-runner\r\n\r\n",
    "latin1",
  );
  return { secure, host, port, request };
}

/** How a request ended: the answer's status code, or no answer at all. */
export type Outcome = { status: number } | { failed: "error" | "timeout" };

export interface ConnectionEvents {
  /** Once per `send`: `sinceMs` is the `since` that send was given, `at` now. */
  settled(connection: HttpConnection, outcome: Outcome, sinceMs: number, atMs: number): void;
  /** Bytes read from the socket, headers included. */
  received(bytes: number): void;
}

/** Each plain socket reads into a buffer this big (answers are read as they arrive, in pieces if larger). */
const READ_BUFFER_BYTES = 64 * 1024;

/** No body follows these statuses, whatever the headers say (RFC 9110 §6.4.1). */
const hasNoBody = (status: number) => status < 200 || status === 204 || status === 304;

export class HttpConnection {
  private socket: Socket | undefined;
  /** False once the server said it closes the connection after this answer. */
  private reusable = false;
  private inFlight = false;
  private since = 0;
  private writtenAt = 0;

  constructor(
    private readonly target: Target,
    private readonly events: ConnectionEvents,
  ) {}

  get busy(): boolean {
    return this.inFlight;
  }

  /**
   * Writes the request. `since` is when its latency counts from: now in a closed loop,
   * when it fell due in an open one. One request at a time: sending while busy throws.
   */
  send(since: number): void {
    if (this.inFlight) throw new Error("HttpConnection.send: a request is already in flight");
    if (this.socket === undefined || !this.reusable) this.open();
    this.inFlight = true;
    this.since = since;
    this.writtenAt = performance.now();
    this.socket?.write(this.target.request);
  }

  /** Fails the request in flight as a timeout when it was written `timeoutMs` or more before `now`. */
  expire(now: number, timeoutMs: number): void {
    if (this.inFlight && now - this.writtenAt >= timeoutMs) {
      this.drop();
      this.settle({ failed: "timeout" });
    }
  }

  /** Closes the socket; a request in flight is abandoned without being settled. */
  close(): void {
    this.inFlight = false;
    this.drop();
  }

  private settle(outcome: Outcome): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.events.settled(this, outcome, this.since, performance.now());
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): void {
    this.drop();
    const { host, port, secure } = this.target;
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    const read = (chunk: Buffer, length: number) => {
      if (!current()) return;
      this.events.received(length);
      if (parser.execute(chunk, 0, length) instanceof Error) broken();
    };
    // Plain sockets read into one buffer of their own and call back with it, skipping the
    // stream's Buffer and 'data' event per answer; TLS sockets have no such option.
    const into = secure ? undefined : Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const socket =
      into === undefined
        ? connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined })
        : connectTcp({
            host,
            port,
            onread: {
              buffer: into,
              callback: (length) => {
                read(into, length);
                return true; // keep reading
              },
            },
          });
    if (into === undefined) socket.on("data", (chunk: Buffer) => read(chunk, chunk.length));
    socket.setNoDelay(true);
    this.socket = socket;
    this.reusable = true;
    const current = () => this.socket === socket;
    const broken = () => {
      if (!current()) return;
      this.drop();
      this.settle({ failed: "error" });
    };
    let status = 0;
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      status = info.statusCode;
      if (!info.shouldKeepAlive) this.reusable = false;
      return hasNoBody(status) ? 1 : 0;
    };
    parser[HTTPParser.kOnBody] = () => {};
    parser[HTTPParser.kOnMessageComplete] = () => {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      if (!current() || status < 200) return;
      if (!this.reusable) this.drop();
      this.settle({ status });
    };
    socket.on("end", () => {
      // An answer without a length ends with the connection.
      if (current()) parser.finish();
      broken();
    });
    socket.on("error", broken);
    socket.on("close", broken);
  }
}
