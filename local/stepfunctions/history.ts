import type { StateMachine } from "aws-local-stepfunctions";
import { offsetPage } from "../edge/paging";
import { stepFunctionsErrors } from "./errors";

/** One event of the runner's log (the package does not export the type by name). */
export type EventLog =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncIterable<infer Event> ? Event : never;

/**
 * An execution's history in GetExecutionHistory's shape, built from the runner's event
 * log: each event gets its id, the previous event's id and AWS's type and details.
 */

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch seconds. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const withData = (field: "input" | "output", value: unknown) => ({
  [field]: json(value),
  [`${field}Details`]: { truncated: false },
});

/** AWS's type and details of one runner event; undefined for events AWS has no counterpart of. */
function shapeOf(event: EventLog, roleArn: string): Record<string, unknown> | undefined {
  switch (event.type) {
    case "ExecutionStarted":
      return {
        type: "ExecutionStarted",
        executionStartedEventDetails: { ...withData("input", event.input), roleArn },
      };
    case "ExecutionSucceeded":
      return {
        type: "ExecutionSucceeded",
        executionSucceededEventDetails: withData("output", event.output),
      };
    case "ExecutionFailed":
      return {
        type: "ExecutionFailed",
        executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) },
      };
    case "ExecutionAborted":
      return { type: "ExecutionAborted", executionAbortedEventDetails: {} };
    case "ExecutionTimeout":
      return { type: "ExecutionTimedOut", executionTimedOutEventDetails: {} };
    case "StateEntered":
      return {
        type: `${event.state.type}StateEntered`,
        stateEnteredEventDetails: {
          name: event.state.name,
          ...withData("input", event.state.input),
        },
      };
    case "StateExited":
      return {
        type: `${event.state.type}StateExited`,
        stateExitedEventDetails: {
          name: event.state.name,
          ...withData("output", event.state.output),
        },
      };
    case "StateFailed":
      return event.state.type === "Task"
        ? {
            type: "TaskFailed",
            taskFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) },
          }
        : undefined;
    case "MapIterationStarted":
    case "MapIterationSucceeded":
    case "MapIterationFailed": {
      const details = { name: event.parentState.name, index: event.index };
      const field = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { type: event.type, [field]: details };
    }
    default:
      return undefined;
  }
}

function causeText(cause: unknown): string {
  return typeof cause === "string" ? cause : JSON.stringify(cause ?? "");
}

/** The history of one execution, appended to as the runner reports events. */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];

  constructor(private readonly roleArn: string) {}

  record(event: EventLog): void {
    const shape = shapeOf(event, this.roleArn);
    if (shape === undefined) return;
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: id - 1,
      timestamp: event.timestamp / 1000,
      type: String(shape.type),
      ...shape,
    });
  }
}

/** GetExecutionHistory's page: `maxResults` (1..1000, default 100), newest first with `reverseOrder`. */
export function historyPage(
  events: readonly HistoryEvent[],
  options: {
    /** The execution's ARN: its tokens page its history, in its order, and nothing else. */
    executionArn: string;
    maxResults?: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  },
): { events: Record<string, unknown>[]; nextToken?: string } {
  const reverse = options.reverseOrder === true;
  const ordered = reverse ? [...events].reverse() : events;
  const { items, nextToken } = offsetPage(ordered, {
    size: options.maxResults === undefined || options.maxResults === 0 ? 100 : options.maxResults,
    token: options.nextToken,
    scope: `GetExecutionHistory ${options.executionArn} ${reverse ? "newest" : "oldest"} first`,
    refuse: () => stepFunctionsErrors.invalidToken(options.nextToken),
  });
  const page = items.map((event) =>
    options.includeExecutionData === false ? withoutData(event) : event,
  );
  return nextToken === undefined ? { events: page } : { events: page, nextToken };
}

/** includeExecutionData=false: the events without their input and output. */
function withoutData(event: HistoryEvent): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([key, value]) => {
      if (!key.endsWith("EventDetails") || typeof value !== "object" || value === null) {
        return [key, value];
      }
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      return [key, rest];
    }),
  );
}
