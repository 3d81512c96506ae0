import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { listenOnLoopback } from "../loopback";

/**
 * The local stand-in for an Application Load Balancer and its target group: a
 * round-robin HTTP proxy over the healthy targets, with active health checks as
 * the target group declares them (path, interval, timeout, thresholds, matcher).
 * Targets start `initial`, become `healthy` after HealthyThresholdCount passing
 * checks in a row and `unhealthy` after UnhealthyThresholdCount failures; only
 * healthy targets get requests. A deregistered target leaves the rotation at once
 * and is `draining` until its in-flight requests have finished or the target group's
 * deregistration delay has passed, whichever comes first — as ELB does.
 */

export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Status codes that pass, e.g. `200` or `200-299` (the target group `Matcher.HttpCode`). */
  matcher: string;
}

/** ELB's default deregistration delay (`deregistration_delay.timeout_seconds`): 300 s. */
export const DEFAULT_DEREGISTRATION_DELAY_MS = 300_000;

export const defaultHealthCheck: HealthCheckSettings = {
  path: "/",
  intervalMs: 30_000,
  timeoutMs: 5_000,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  matcher: "200",
};

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "draining";

export interface TargetHealth {
  id: string;
  host: string;
  port: number;
  state: TargetHealthState;
  requests: number;
  /** Requests proxied to it and not yet answered. */
  inFlight: number;
}

interface Target extends TargetHealth {
  passes: number;
  failures: number;
  timer?: NodeJS.Timeout;
  /** Draining: the deregistration, resolved once nothing is in flight or the delay passed. */
  drain?: Promise<void>;
  /** Draining: ends the drain now (the last in-flight answer, or the balancer closing). */
  drained?: () => void;
}

/** `200`, `200,204`, `200-299` → a predicate over status codes. */
export function statusMatcher(matcher: string): (status: number) => boolean {
  const parts = matcher.split(",").map((part) => part.trim());
  const ranges = parts.map((part) => {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || Number.isNaN(from) || (to !== undefined && Number.isNaN(to))) {
      throw new Error(`health check matcher "${matcher}" is not codes or ranges`);
    }
    return [from, to ?? from] as const;
  });
  return (status) => ranges.some(([from, to]) => status >= from && status <= to);
}

export interface LoadBalancerOptions {
  name: string;
  healthCheck?: Partial<HealthCheckSettings>;
  /** Called whenever a target changes state (progress output, tests). */
  onTargetHealthChange?(target: TargetHealth): void;
}

export class LocalLoadBalancer {
  private readonly targets = new Map<string, Target>();
  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private health: HealthCheckSettings;
  private deregistrationDelayMs = DEFAULT_DEREGISTRATION_DELAY_MS;
  private passes: (status: number) => boolean;
  private next = 0;
  private stopped = false;
  url = "";

  constructor(private readonly options: LoadBalancerOptions) {
    this.health = { ...defaultHealthCheck, ...options.healthCheck };
    this.passes = statusMatcher(this.health.matcher);
    this.server = createServer((request, response) => this.proxy(request, response));
    this.server.keepAliveTimeout = 5_000;
  }

  /** Sets the target group's health check (the balancer exists before its target group is read). */
  configureHealthCheck(settings: Partial<HealthCheckSettings>): void {
    this.health = { ...defaultHealthCheck, ...settings };
    this.passes = statusMatcher(this.health.matcher);
  }

  /** The target group's `deregistration_delay.timeout_seconds`, in (scaled) ms. */
  configureDeregistrationDelay(ms: number): void {
    this.deregistrationDelayMs = ms;
  }

  get name(): string {
    return this.options.name;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.url = `http://${host}:${await listenOnLoopback(this.server, port, host)}`;
    return this.url;
  }

  /** Adds a target (idempotent) and starts checking it at once. */
  register(id: string, host: string, port: number): void {
    if (this.stopped) return;
    const existing = this.targets.get(id);
    if (existing !== undefined && existing.host === host && existing.port === port) return;
    if (existing !== undefined) void this.deregister(id);
    const target: Target = {
      id,
      host,
      port,
      state: "initial",
      requests: 0,
      inFlight: 0,
      passes: 0,
      failures: 0,
    };
    this.targets.set(id, target);
    this.options.onTargetHealthChange?.(snapshot(target));
    void this.check(target);
  }

  /**
   * Takes the target out of rotation at once and resolves when it is drained: no
   * request in flight, or the deregistration delay passed. Then it is forgotten.
   */
  deregister(id: string): Promise<void> {
    const target = this.targets.get(id);
    if (target === undefined) return Promise.resolve();
    if (target.drain !== undefined) return target.drain;
    clearTimeout(target.timer);
    target.state = "draining";
    this.options.onTargetHealthChange?.(snapshot(target));
    target.drain = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(delay);
        target.drained = undefined;
        if (this.targets.get(id) === target) this.targets.delete(id);
        resolve();
      };
      const delay = setTimeout(finish, this.deregistrationDelayMs);
      delay.unref();
      target.drained = finish;
      if (target.inFlight === 0) finish();
    });
    return target.drain;
  }

  /** A registered target's health, as DescribeTargetHealth reports it (undefined: not registered). */
  targetState(id: string): TargetHealthState | undefined {
    return this.targets.get(id)?.state;
  }

  describeTargetHealth(): TargetHealth[] {
    return [...this.targets.values()].map(snapshot);
  }

  get healthyCount(): number {
    return [...this.targets.values()].filter((target) => target.state === "healthy").length;
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const target of this.targets.values()) {
      clearTimeout(target.timer);
      target.drained?.();
    }
    this.targets.clear();
    this.agent.destroy();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async check(target: Target): Promise<void> {
    if (this.stopped || this.targets.get(target.id) !== target) return;
    const ok = await this.probe(target);
    // Deregistered while the check was out: a draining target is no longer checked.
    if (this.stopped || this.targets.get(target.id) !== target || target.state === "draining") {
      return;
    }
    const before = target.state;
    if (ok) {
      target.passes++;
      target.failures = 0;
      if (target.state !== "healthy" && target.passes >= this.health.healthyThreshold) {
        target.state = "healthy";
      }
    } else {
      target.failures++;
      target.passes = 0;
      if (target.state !== "unhealthy" && target.failures >= this.health.unhealthyThreshold) {
        target.state = "unhealthy";
      }
    }
    if (target.state !== before) this.options.onTargetHealthChange?.(snapshot(target));
    target.timer = setTimeout(() => void this.check(target), this.health.intervalMs);
    target.timer.unref();
  }

  private probe(target: Target): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = httpRequest(
        {
          host: target.host,
          port: target.port,
          path: this.health.path,
          method: "GET",
          agent: this.agent,
          timeout: this.health.timeoutMs,
          headers: { "user-agent": "ELB-HealthChecker/2.0" },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(this.passes(response.statusCode ?? 0)));
          response.on("error", () => resolve(false));
        },
      );
      probe.on("timeout", () => probe.destroy(new Error("health check timed out")));
      probe.on("error", () => resolve(false));
      probe.end();
    });
  }

  private pick(): Target | undefined {
    const healthy = [...this.targets.values()].filter((target) => target.state === "healthy");
    if (healthy.length === 0) return undefined;
    const target = healthy[this.next % healthy.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return target;
  }

  private proxy(request: IncomingMessage, response: ServerResponse): void {
    const target = this.pick();
    if (target === undefined) {
      reply(response, 503, { message: `${this.options.name}: no healthy target` });
      request.resume();
      return;
    }
    target.requests++;
    target.inFlight++;
    // A draining target keeps what it was sent: its deregistration waits for this answer.
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      target.inFlight--;
      if (target.inFlight === 0) target.drained?.();
    };
    response.once("close", settle);
    const upstream = httpRequest(
      {
        host: target.host,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: {
          ...request.headers,
          "x-forwarded-for": request.socket.remoteAddress ?? "127.0.0.1",
          "x-forwarded-proto": "http",
        },
        agent: this.agent,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on("error", (error) => {
      // As an ALB does: a target that resets or refuses the connection is a 502.
      if (!response.headersSent) {
        reply(response, 502, {
          message: `${this.options.name}: target ${target.id}: ${error.message}`,
        });
      } else {
        response.destroy();
      }
    });
    request.pipe(upstream);
  }
}

function snapshot(target: Target): TargetHealth {
  const { id, host, port, state, requests, inFlight } = target;
  return { id, host, port, state, requests, inFlight };
}

function reply(response: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}
