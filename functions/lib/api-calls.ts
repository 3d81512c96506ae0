/**
 * Counts the AWS API calls an invocation makes, by IAM action name
 * (`ecs:UpdateService` → 2), so a handler's summary says what it cost and tests and
 * benchmarks can hold the count to a budget. A call is counted when it is sent,
 * whether it then succeeds or fails; the SDK's own retries are not counted.
 */
export type ApiCalls = Record<string, number>;

function count(calls: ApiCalls, action: string): void {
  calls[action] = (calls[action] ?? 0) + 1;
}

/** Counts one call of `action`, then sends it. */
export function sent<T>(calls: ApiCalls, action: string, send: () => Promise<T>): Promise<T> {
  count(calls, action);
  return send();
}

/**
 * A paginator's `withCommand` hook that counts every page request as one call of
 * `action`: the paginator runs the hook once per page it sends.
 */
export function countEachPage<C>(calls: ApiCalls, action: string): (command: C) => C {
  return (command) => {
    count(calls, action);
    return command;
  };
}

export function totalCalls(calls: Readonly<ApiCalls>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}
