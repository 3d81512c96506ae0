import { AwsError } from "../edge/errors";

/** What to inject into matching requests: each rate is a probability in [0, 1]. */
export interface Fault {
  /** Share of requests answered with `ThrottlingException` (HTTP 400, retried by the SDK). */
  throttleRate?: number;
  /** Share of requests answered with the service's 5xx error (e.g. ECS `ServerException`). */
  errorRate?: number;
  /** Added before the request is handled (and before a throttle or error is decided). */
  latencyMs?: number;
}

export interface Faults {
  /** `target` is `<service>:<Operation>`, `<service>:*` or `*`, e.g. `ecs:ListContainerInstances`. */
  set(target: string, fault: Fault): void;
  clear(): void;
}

/** The 5xx error each service really returns, so the SDK raises its own class. */
const serverErrors: Record<string, { type: string; queryCode?: string }> = {
  ecs: { type: "ServerException" },
  dynamodb: { type: "InternalServerError" },
  cloudwatch: { type: "InternalServiceFault", queryCode: "InternalServiceError" },
  // The one 5xx the Auto Scaling model declares: a concurrent update of the same group.
  autoscaling: { type: "ResourceContention" },
};

/**
 * Per-operation fault injection for the edge endpoint. The most specific rule wins:
 * `ecs:ListContainerInstances` over `ecs:*` over `*`.
 */
export class FaultInjector implements Faults {
  private readonly rules = new Map<string, Fault>();

  constructor(private readonly random: () => number = Math.random) {}

  set(target: string, fault: Fault): void {
    for (const rate of [fault.throttleRate, fault.errorRate]) {
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
        throw new RangeError(`fault rate for ${target} must be within [0, 1], got ${rate}`);
      }
    }
    this.rules.set(target, fault);
  }

  clear(): void {
    this.rules.clear();
  }

  private ruleFor(service: string, operation: string): Fault | undefined {
    return (
      this.rules.get(`${service}:${operation}`) ??
      this.rules.get(`${service}:*`) ??
      this.rules.get("*")
    );
  }

  /** Waits the added latency, then throws the injected error, if any. */
  async apply(service: string, operation: string): Promise<void> {
    if (this.rules.size === 0) return;
    const fault = this.ruleFor(service, operation);
    if (fault === undefined) return;
    if (fault.latencyMs !== undefined && fault.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    }
    if (fault.throttleRate !== undefined && this.random() < fault.throttleRate) {
      throw new AwsError("ThrottlingException", "Rate exceeded", 400, "Throttling");
    }
    if (fault.errorRate !== undefined && this.random() < fault.errorRate) {
      const error = serverErrors[service] ?? { type: "InternalFailure" };
      throw new AwsError(
        error.type,
        "We encountered an internal error. Please try again.",
        500,
        error.queryCode,
      );
    }
  }
}
