import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HttpConnection,
  type Outcome,
  targetOf,
} from "../../../functions/benchmark-runner/http-connection";
import { refusingPort } from "./closed-port";

/**
 * The runner's HTTP client against a raw TCP server that answers each request with bytes
 * the test writes, so every way an HTTP/1.1 answer can be framed (and broken) is tried.
 */
type Answer = (socket: Socket, index: number) => void;
let server: Server;
let port: number;
let answer: Answer = () => {};
let connectionsSeen = 0;
let requestsSeen: string[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    connectionsSeen += 1;
    let buffered = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        requestsSeen.push(buffered.slice(0, end + 4));
        buffered = buffered.slice(end + 4);
        answer(socket, requestsSeen.length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A connection whose settled requests are awaited one by one. */
function connection(path = "/health?x=1", pipelining = 1) {
  const settled: Outcome[] = [];
  const waiting: ((outcome: Outcome) => void)[] = [];
  let bytes = 0;
  const client = new HttpConnection(
    targetOf(`http://127.0.0.1:${port}${path}`),
    {
      settled(_connection, outcome) {
        const next = waiting.shift();
        if (next === undefined) settled.push(outcome);
        else next(outcome);
      },
      received(count) {
        bytes += count;
      },
    },
    pipelining,
  );
  const send = () =>
    new Promise<Outcome>((resolve) => {
      client.send(performance.now());
      waiting.push(resolve);
    });
  return { client, send, settled, bytes: () => bytes };
}

const reset = (next: Answer) => {
  answer = next;
  connectionsSeen = 0;
  requestsSeen = [];
};

const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

describe("HttpConnection", () => {
  it("sends a GET for the URL's path and query with its Host, and reuses the connection", async () => {
    // Prepare
    reset((socket) => socket.write(ok));
    const { client, send, bytes } = connection();

    // Act
    const outcomes = [await send(), await send(), await send()];
    client.close();

    // Assess
    expect(outcomes).toEqual([{ status: 200 }, { status: 200 }, { status: 200 }]);
    expect(connectionsSeen).toBe(1);
    expect(requestsSeen[0]).toMatch(
      new RegExp(`^GET /health\\?x=1 HTTP/1\\.1\\r\\nHost: 127\\.0\\.0\\.1:${port}\\r\\n`),
    );
    expect(bytes()).toBe(3 * ok.length);
  });

  it("reads a chunked answer to its end, even one split across writes", async () => {
    // Prepare: headers and chunks arrive in separate writes
    reset((socket) => {
      socket.write("HTTP/1.1 201 Created\r\nTransfer-Enc");
      setTimeout(() => socket.write("oding: chunked\r\n\r\n5\r\nhello\r\n"), 5);
      setTimeout(() => socket.write("0\r\n\r\n"), 10);
    });
    const { client, send } = connection();

    // Act
    const outcomes = [await send(), await send()];
    client.close();

    // Assess: the second request only settles if the first answer's end was found
    expect(outcomes).toEqual([{ status: 201 }, { status: 201 }]);
    expect(connectionsSeen).toBe(1);
  });

  it("opens a new connection after an answer that closes its own", async () => {
    reset((socket) =>
      socket.end("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
    );
    const { client, send } = connection();

    const outcomes = [await send(), await send()];
    client.close();

    expect(outcomes).toEqual([{ status: 503 }, { status: 503 }]);
    expect(connectionsSeen).toBe(2);
  });

  it("takes an answer without a length as ending with the connection", async () => {
    reset((socket) => socket.end("HTTP/1.1 200 OK\r\n\r\nall of it"));
    const { client, send } = connection();

    const outcome = await send();
    client.close();

    expect(outcome).toEqual({ status: 200 });
  });

  it("expects no body after a 204 and skips an interim 103", async () => {
    // Prepare: a 204 with no length on a kept-alive connection, then a 103 before a 200
    reset((socket, index) =>
      socket.write(
        index === 1
          ? "HTTP/1.1 204 No Content\r\n\r\n"
          : `HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n${ok}`,
      ),
    );
    const { client, send, settled } = connection();

    // Act
    const outcomes = [await send(), await send()];
    client.close();

    // Assess: one settle per request, none for the interim answer
    expect(outcomes).toEqual([{ status: 204 }, { status: 200 }]);
    expect(settled).toEqual([]);
    expect(connectionsSeen).toBe(1);
  });

  it("fails the request when the answer is not HTTP", async () => {
    reset((socket) => socket.write("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    const { client, send } = connection();

    const outcome = await send();
    client.close();

    expect(outcome).toEqual({ failed: "error" });
  });

  it("fails the request when the server closes the connection before answering in full", async () => {
    // Prepare: the first answer is cut short, the second is whole
    reset((socket, index) => {
      if (index === 1) socket.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
      else socket.write(ok);
    });
    const { client, send } = connection();

    // Act
    const outcomes = [await send(), await send()];
    client.close();

    // Assess: the failure is one request's; the next gets a fresh connection
    expect(outcomes).toEqual([{ failed: "error" }, { status: 200 }]);
    expect(connectionsSeen).toBe(2);
  });

  it("keeps up to `pipelining` requests in flight and settles the answers in order", async () => {
    // Prepare: nothing is answered until the third request is in, then all three at once
    reset((socket, index) => {
      if (index === 3) {
        socket.write(
          ["200 OK", "201 Created", "202 Accepted"]
            .map((status) => `HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`)
            .join(""),
        );
      }
    });
    const { client, send } = connection("/", 3);

    // Act
    const answers = [send(), send(), send()];
    const busyWithThree = client.busy;
    const fourth = (() => {
      try {
        client.send(performance.now());
      } catch (error) {
        return error;
      }
    })();
    const outcomes = await Promise.all(answers);
    client.close();

    // Assess
    expect(busyWithThree).toBe(true);
    expect(fourth).toEqual(new Error("HttpConnection.send: 3 requests already in flight"));
    expect(outcomes).toEqual([{ status: 200 }, { status: 201 }, { status: 202 }]);
    expect(connectionsSeen).toBe(1);
  });

  it("asks again, on a fresh connection, what a server closing its own left unanswered", async () => {
    // Prepare: the first answer closes the connection; the two pipelined behind it go unanswered there
    reset((socket, index) => {
      if (index === 1)
        socket.end("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
      else if (!socket.writableEnded) socket.write(ok);
    });
    const { client, send } = connection("/", 3);

    // Act
    const outcomes = await Promise.all([send(), send(), send()]);
    client.close();

    // Assess: three answers, the last two on the second connection (left unasked, they never settle)
    expect(outcomes).toEqual([{ status: 200 }, { status: 200 }, { status: 200 }]);
    expect(connectionsSeen).toBe(2);
  }, 5_000);

  it("holds a request sent while an answer that closes the connection is still arriving", async () => {
    // Prepare: the first answer's headers say close, its body follows 50 ms later; a new
    // connection answers everything
    const closing = new Set<Socket>();
    let writtenToClosing = 0;
    reset((socket, index) => {
      if (index === 1) {
        closing.add(socket);
        socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n");
        setTimeout(() => socket.end("ok"), 50);
      } else if (closing.has(socket)) writtenToClosing += 1;
      else socket.write(ok);
    });
    const { client, send, bytes } = connection("/", 2);

    // Act: the second request is sent once the first answer's headers are in
    const first = send();
    while (bytes() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const outcomes = await Promise.all([first, send()]);
    client.close();

    // Assess: the first answer reaches the first request, and the second goes on a fresh
    // connection only, not on the one the server said it closes (RFC 9112 §9.6)
    expect(outcomes).toEqual([{ status: 200 }, { status: 200 }]);
    expect(connectionsSeen).toBe(2);
    expect(writtenToClosing).toBe(0);
  }, 5_000);

  it("sends a held request on a fresh connection when the answer it waited behind times out", async () => {
    // Prepare: the first answer's headers say close, and its body never comes
    const closing = new Set<Socket>();
    reset((socket, index) => {
      if (index === 1) {
        closing.add(socket);
        socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n");
      } else if (!closing.has(socket)) socket.write(ok);
    });
    const { client, send, bytes } = connection("/", 2);
    const first = send();
    while (bytes() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const second = send();
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    client.expire(performance.now(), 40);
    const outcomes = await Promise.all([first, second]);
    client.close();

    // Assess
    expect(outcomes).toEqual([{ failed: "timeout" }, { status: 200 }]);
    expect(connectionsSeen).toBe(2);
  }, 5_000);

  it("fails every request in flight when the connection breaks", async () => {
    reset((socket, index) => {
      if (index === 2) socket.destroy();
    });
    const { client, send } = connection("/", 2);

    const outcomes = await Promise.all([send(), send()]);
    client.close();

    expect(outcomes).toEqual([{ failed: "error" }, { failed: "error" }]);
  });

  it("fails a connection refused", async () => {
    const closedPort = await refusingPort();
    const outcome = await new Promise<Outcome>((resolve) => {
      const client = new HttpConnection(targetOf(`http://127.0.0.1:${closedPort}/`), {
        settled: (_connection, settled) => resolve(settled),
        received: () => {},
      });
      client.send(performance.now());
    });
    expect(outcome).toEqual({ failed: "error" });
  });

  it("times a request out once it has waited its timeout, and not before", async () => {
    // Prepare: the server never answers
    reset(() => {});
    const { client, settled } = connection();
    client.send(performance.now());
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const now = performance.now();
    client.expire(now, 10_000);
    const stillBusy = client.busy;
    client.expire(now, 40);

    // Assess
    expect(stillBusy).toBe(true);
    expect(settled).toEqual([{ failed: "timeout" }]);
    expect(client.busy).toBe(false);
    client.close();
  });

  it("times the oldest pipelined request out and fails those behind it with the connection", async () => {
    // Prepare: the server never answers
    reset(() => {});
    const { client, settled } = connection("/", 2);
    client.send(performance.now());
    client.send(performance.now());
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    client.expire(performance.now(), 40);

    // Assess
    expect(settled).toEqual([{ failed: "timeout" }, { failed: "error" }]);
    expect(client.busy).toBe(false);
    client.close();
  });

  it("reports the latency base it was given, so an open loop can count from the due time", async () => {
    // Prepare: the request fell due a second before it was sent
    reset((socket) => socket.write(ok));
    const dueAt = performance.now() - 1_000;

    // Act
    const seen = await new Promise<[number, number]>((resolve) => {
      const client = new HttpConnection(targetOf(`http://127.0.0.1:${port}/`), {
        settled: (_connection, _outcome, sinceMs, atMs) => {
          client.close();
          resolve([sinceMs, atMs]);
        },
        received: () => {},
      });
      client.send(dueAt);
    });

    // Assess
    expect(seen[0]).toBe(dueAt);
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(1_000);
  });
});

describe("targetOf", () => {
  it("takes the port from the scheme when the URL has none, and keeps the query", () => {
    expect(targetOf("https://example.com/a?b=c")).toMatchObject({
      secure: true,
      host: "example.com",
      port: 443,
    });
    expect(targetOf("http://[::1]/").host).toBe("::1");
  });

  it("writes a GET with Host and User-Agent and no other header", () => {
    // Every further header is parsing work for the target being measured
    expect(targetOf("http://example.com:8080/a?b=c").request.toString("latin1")).toBe(
      "GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: microscale-benchmark-runner\r\n\r\n",
    );
  });
});
