import type { StateMachineDefinition } from "aws-local-stepfunctions";
import type { LocalClock } from "../clock";

/**
 * A state machine's ASL as the local Step Functions reads it: `${…}` substitutions
 * applied, its states walked (Parallel branches and Map processors included), and its
 * fixed Wait and Retry intervals on the local clock.
 */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
export type AslState = {
  Type: string;
  Resource?: string;
  Seconds?: number;
  [key: string]: unknown;
};
type AslStates = Record<string, AslState>;

/** `${Name}` → value, as SAM's DefinitionSubstitutions do (values land inside JSON strings). */
export function substituteDefinition(
  text: string,
  substitutions: Readonly<Record<string, string>>,
): string {
  return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no DefinitionSubstitutions value for \${${name}}`);
    return JSON.stringify(value).slice(1, -1);
  });
}

function statesOf(definition: StateMachineDefinition): AslStates {
  return definition.States as unknown as AslStates;
}

function nestedStates(state: AslState): AslStates[] {
  const branches = (state.Branches as { States: AslStates }[] | undefined) ?? [];
  const processor = (state.ItemProcessor ?? state.Iterator) as { States: AslStates } | undefined;
  return [...branches.map((branch) => branch.States), ...(processor ? [processor.States] : [])];
}

/** Every state, with those nested in Parallel branches and Map processors. */
function allStates(states: AslStates): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    [name, state],
    ...nestedStates(state).flatMap(allStates),
  ]);
}

/** Every Task state, nested ones included. */
export function taskStates(definition: StateMachineDefinition): [string, AslState][] {
  return allStates(statesOf(definition)).filter(([, state]) => state.Type === "Task");
}

/**
 * aws-local-stepfunctions' overrides that make each fixed `Wait` `Seconds` and each
 * `Retry` `IntervalSeconds` last what it does on the clock; none at real time.
 */
export function timingOverrides(
  definition: StateMachineDefinition,
  clock: LocalClock,
): {
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number[]>;
} {
  if (clock.timeScale === 1) return {};
  const states = allStates(statesOf(definition));
  const waitTimeOverrides = Object.fromEntries(
    states
      .filter(([, state]) => state.Type === "Wait" && typeof state.Seconds === "number")
      .map(([name, state]) => [name, clock.realMs(state.Seconds as number)]),
  );
  const retryIntervalOverrides = Object.fromEntries(
    states
      .filter(([, state]) => Array.isArray(state.Retry))
      .map(([name, state]) => [
        name,
        (state.Retry as { IntervalSeconds?: number }[]).map((retrier) =>
          clock.realMs(retrier.IntervalSeconds ?? 1),
        ),
      ]),
  );
  return { waitTimeOverrides, retryIntervalOverrides };
}
