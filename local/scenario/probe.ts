import { Agent, request } from "node:http";

/**
 * An outside probe: a GET to the load balancer every `intervalMs`, as a user's uptime
 * check would send it, each answer recorded with when it was sent. What a rollout
 * must keep at 100 %: the share of 2xx answers, and the longest outage.
 */

export interface ProbeSample {
  /** Milliseconds since the probe started, when the request was sent. */
  t: number;
  /** HTTP status, or 0 when the request got no answer (refused, reset, timed out). */
  status: number;
  latencyMs: number;
  /** Why there was no answer (the socket error's code, or "timeout"), when status is 0. */
  error?: string;
}

export interface ProbeSummary {
  sent: number;
  ok: number;
  /** 2xx answers over requests sent. */
  availability: number;
  /** Longest outage: from a failed probe to the next 2xx; 0 when none failed. */
  longestGapMs: number;
  /** Every answer that was not a 2xx, in order. */
  failures: ProbeSample[];
  samples: ProbeSample[];
}

export interface Probe {
  /** Stops sending, waits for the answers still due, and summarises. */
  stop(): Promise<ProbeSummary>;
}

const isOk = (status: number) => status >= 200 && status < 300;

/**
 * Summarises samples; exported for the figures and its own test. A gap is an outage
 * as a user sees it: from the first failed probe to the next 2xx (or the last probe
 * when none came), so a probe sent late because the process was busy is no gap.
 */
export function summariseProbe(samples: readonly ProbeSample[]): ProbeSummary {
  const ordered = [...samples].sort((a, b) => a.t - b.t);
  let longestGapMs = 0;
  let failingSince: number | undefined;
  for (const sample of ordered) {
    if (!isOk(sample.status)) failingSince ??= sample.t;
    else if (failingSince !== undefined) {
      longestGapMs = Math.max(longestGapMs, sample.t - failingSince);
      failingSince = undefined;
    }
  }
  const last = ordered.at(-1);
  if (failingSince !== undefined && last !== undefined) {
    longestGapMs = Math.max(longestGapMs, last.t - failingSince);
  }
  const ok = ordered.filter((sample) => isOk(sample.status)).length;
  return {
    sent: ordered.length,
    ok,
    availability: ordered.length === 0 ? 1 : ok / ordered.length,
    longestGapMs: Math.round(longestGapMs),
    failures: ordered.filter((sample) => !isOk(sample.status)),
    samples: ordered,
  };
}

/**
 * The local load balancer closes a connection idle for 5 s (its keepAliveTimeout). A
 * client that reuses an idle socket at that moment gets ECONNRESET: no outage, a race
 * every keep-alive client must avoid, as it must against an ALB's idle timeout. So the
 * probe lets its idle sockets go first.
 */
const IDLE_SOCKET_MS = 4_000;

export function startProbe(
  url: string,
  intervalMs = 50,
  timeoutMs = 5_000,
  idleSocketMs = IDLE_SOCKET_MS,
): Probe {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: idleSocketMs });
  const samples: ProbeSample[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const send = () => {
    const t = performance.now() - started;
    const answered = new Promise<void>((resolve) => {
      let recorded = false;
      const record = (status: number, error?: string) => {
        if (recorded) return;
        recorded = true;
        const latencyMs = Math.round(performance.now() - started - t);
        samples.push({
          t: Math.round(t),
          status,
          latencyMs,
          ...(error === undefined ? {} : { error }),
        });
        resolve();
      };
      const failed = (error: Error) =>
        record(0, (error as NodeJS.ErrnoException).code ?? error.message);
      const outgoing = request(url, { agent }, (response) => {
        response.resume();
        response.on("end", () => record(response.statusCode ?? 0));
        response.on("error", failed);
      });
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error("timeout")));
      outgoing.on("error", failed);
      outgoing.end();
    });
    pending.add(answered);
    void answered.then(() => pending.delete(answered));
  };
  const timer = setInterval(send, intervalMs);
  send();
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      return summariseProbe(samples);
    },
  };
}
