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

export function startProbe(url: string, intervalMs = 50, timeoutMs = 5_000): Probe {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const samples: ProbeSample[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const send = () => {
    const t = performance.now() - started;
    const answered = new Promise<void>((resolve) => {
      let recorded = false;
      const record = (status: number) => {
        if (recorded) return;
        recorded = true;
        const latencyMs = Math.round(performance.now() - started - t);
        samples.push({ t: Math.round(t), status, latencyMs });
        resolve();
      };
      const outgoing = request(url, { agent, timeout: timeoutMs }, (response) => {
        response.resume();
        response.on("end", () => record(response.statusCode ?? 0));
        response.on("error", () => record(0));
      });
      outgoing.on("timeout", () => outgoing.destroy(new Error("probe timed out")));
      outgoing.on("error", () => record(0));
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
