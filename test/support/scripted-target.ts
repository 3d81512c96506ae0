/**
 * A local HTTP target on an ephemeral loopback port whose answers a test scripts: a
 * status, every n-th answer a 502, a delay. The behaviour holds for one act only
 * (`while`) and is reset afterwards even when the act throws, so one test's failure
 * cannot leak 503s or delays into the next.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TargetBehaviour {
  /** The status of every answer (default 200). */
  readonly status?: number;
  /** Every n-th answer is a 502 instead (default 0: none). */
  readonly failEvery?: number;
  /** Milliseconds each answer waits (default 0). */
  readonly delayMs?: number;
}

export interface ScriptedTarget {
  readonly url: string;
  /** Answers as `behaviour` says while `act` runs, then as by default again. */
  while<T>(behaviour: TargetBehaviour, act: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startScriptedTarget(body: unknown): Promise<ScriptedTarget> {
  const payload = JSON.stringify(body);
  let behaviour: TargetBehaviour = {};
  let answers = 0;
  const server: Server = createServer((_request, response) => {
    answers += 1;
    const { status = 200, failEvery = 0, delayMs = 0 } = behaviour;
    const code = failEvery > 0 && answers % failEvery === 0 ? 502 : status;
    const answer = () => {
      response.writeHead(code, { "content-length": Buffer.byteLength(payload) });
      response.end(payload);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async while(scripted, act) {
      behaviour = scripted;
      answers = 0;
      try {
        return await act();
      } finally {
        behaviour = {};
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
