import { connect as connectTcp, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { HTTPParser } from "http-parser-js";

/**
 * One keep-alive HTTP/1.1 connection of a load run, with up to `pipelining` requests in
 * flight (1 unless asked: one at a time, as ab and wrk send them): the load generator's
 * whole HTTP client. A plain socket (node:net, node:tls) carrying
 * a request written once as bytes, and http-parser-js reading the answers (Content-Length,
 * chunked, read-to-close, keep-alive or not), because node:http's client builds a
 * ClientRequest, an IncomingMessage and their streams for every request: on one core
 * that, not the target, was the bottleneck (docs/performance.md).
 *
 * A connection that breaks (refused, reset, closed by the server, answer not HTTP, timed
 * out) fails the requests in flight, if any, and the next `send` opens a fresh socket.
 * Pipelined requests a server did not answer before saying it closes the connection are
 * sent again on a fresh one, as RFC 9112 §9.3.2 asks of a client that pipelines (a GET
 * is idempotent).
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

/** A request written and not yet answered: answers come back in the order asked (RFC 9112 §9.3). */
interface Written {
  since: number;
  writtenAt: number;
}

export class HttpConnection {
  private socket: Socket | undefined;
  /** False once the server said it closes the connection after this answer. */
  private reusable = false;
  private readonly written: Written[] = [];
  /** Requests asked for while an answer is being read, written together after it (their `since`). */
  private readonly queued: number[] = [];
  /** True while a chunk of answers is parsed: sends wait, so one write carries them all. */
  private reading = false;
  /** The request repeated n times, at index n: the write for n requests at once. */
  private readonly batches: Buffer[] = [];

  constructor(
    private readonly target: Target,
    private readonly events: ConnectionEvents,
    private readonly pipelining = 1,
  ) {}

  /** True when `pipelining` requests are in flight, and another `send` would throw. */
  get busy(): boolean {
    return this.written.length + this.queued.length >= this.pipelining;
  }

  /**
   * Sends a request. `since` is when its latency counts from: now in a closed loop, when it
   * fell due in an open one. Sending while busy throws.
   */
  send(since: number): void {
    if (this.busy)
      throw new Error(`HttpConnection.send: ${this.pipelining} requests already in flight`);
    this.queued.push(since);
    if (!this.reading) this.flush();
  }

  /**
   * Fails the oldest request in flight as a timeout when it was written `timeoutMs` or more
   * before `now`; those pipelined behind it go with the connection, failed as errors.
   */
  expire(now: number, timeoutMs: number): void {
    const oldest = this.written[0];
    if (oldest !== undefined && now - oldest.writtenAt >= timeoutMs) this.abandon("timeout");
  }

  /** Closes the socket; requests in flight are abandoned without being settled. */
  close(): void {
    this.written.length = 0;
    this.queued.length = 0;
    this.drop();
  }

  /** Writes the queued requests in one write, on a fresh socket when there is none to reuse. */
  private flush(): void {
    const count = this.queued.length;
    if (count === 0) return;
    // The server closes this connection once its answers in progress are in: until then the
    // queued requests wait, and all go out together on the next one.
    if (this.socket !== undefined && !this.reusable && this.written.length > 0) return;
    if (this.socket === undefined || !this.reusable) this.open();
    const writtenAt = performance.now();
    for (const since of this.queued) this.written.push({ since, writtenAt });
    this.queued.length = 0;
    this.batches[count] ??= Buffer.concat(Array.from({ length: count }, () => this.target.request));
    this.socket?.write(this.batches[count]);
  }

  /**
   * Drops the socket and settles every request written on it, the first with `first`, the
   * rest as errors; the queued ones then go out on a fresh socket (after the read, if one
   * is in progress).
   */
  private abandon(first: "error" | "timeout"): void {
    this.drop();
    const lost = this.written.splice(0);
    lost.forEach((request, index) => {
      this.events.settled(
        this,
        { failed: index === 0 ? first : "error" },
        request.since,
        performance.now(),
      );
    });
    if (!this.reading) this.flush();
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
      this.reading = true;
      const parsed = parser.execute(chunk, 0, length);
      this.reading = false;
      if (parsed instanceof Error) broken();
      this.flush();
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
      if (current()) this.abandon("error");
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
      const answered = this.written.shift();
      // An answer to nothing asked: whatever follows is out of step with the requests.
      if (answered === undefined) {
        broken();
        return;
      }
      if (!this.reusable) {
        this.drop();
        // Unanswered on a connection the server closes: asked again, first, on the next one.
        this.queued.unshift(...this.written.splice(0).map((request) => request.since));
      }
      this.events.settled(this, { status }, answered.since, performance.now());
      if (!this.reading) this.flush();
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
