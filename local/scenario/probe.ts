import { Agent, request } from "node:http";

/**
 * An outside probe: a GET to the load balancer every `intervalMs`, as a user's uptime
 * check would send it, each answer recorded with when it was sent. What a rollout
 * must keep at 100 %: the share of 2xx answers, and the longest time between two
 * consecutive 2xx answers.
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
  /** Longest time between the send times of two consecutive 2xx answers (the interval when nothing failed). */
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

/** Summarises samples; exported for the figures and its own test. */
export function summariseProbe(samples: readonly ProbeSample[]): ProbeSummary {
  const ordered = [...samples].sort((a, b) => a.t - b.t);
  const ok = ordered.filter((sample) => isOk(sample.status));
  let longestGapMs = 0;
  for (let i = 1; i < ok.length; i++) {
    longestGapMs = Math.max(longestGapMs, (ok[i]?.t ?? 0) - (ok[i - 1]?.t ?? 0));
  }
  // Failures before the first or after the last success are gaps too.
  const first = ordered[0];
  const last = ordered.at(-1);
  if (first !== undefined && last !== undefined) {
    if (ok.length === 0) longestGapMs = last.t - first.t;
    else {
      longestGapMs = Math.max(
        longestGapMs,
        (ok[0]?.t ?? 0) - first.t,
        last.t - (ok.at(-1)?.t ?? 0),
      );
    }
  }
  return {
    sent: ordered.length,
    ok: ok.length,
    availability: ordered.length === 0 ? 1 : ok.length / ordered.length,
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
