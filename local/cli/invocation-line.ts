import type { InvocationRecord } from "../lambda/runtime";

/** How much of a summary one line shows. */
const SUMMARY_CHARS = 160;

/**
 * One line per controller invocation, what `npm run local` prints: when, which function,
 * how long, and what it decided (its JSON summary, cut to fit) or why it failed.
 */
export function invocationLine(record: InvocationRecord): string {
  const time = new Date(record.startedAt).toISOString().slice(11, 19);
  const head = `${time} ${record.logicalId} (${record.durationMs} ms)`;
  if (record.outcome === "error") {
    return `${head} failed: ${record.error?.errorType}: ${record.error?.errorMessage.split("\n")[0]}`;
  }
  const summary = JSON.stringify(record.result) ?? "null";
  return `${head} ${summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS - 1)}…` : summary}`;
}
