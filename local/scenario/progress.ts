/**
 * How the scenario tells what it is doing: the CLI prints it, tests collect it or
 * stay silent. Lines are plain text; `phase` starts a section, `converged` marks a
 * condition met (or missed) with the counts that show it.
 */
export interface ProgressReporter {
  phase(name: string, what: string): void;
  info(line: string): void;
  converged(what: string, ok: boolean, detail: string): void;
}

export const silentProgress: ProgressReporter = {
  phase() {},
  info() {},
  converged() {},
};

/** Keeps every line, for tests that assert on the story or print it when they fail. */
export function collectingProgress(): ProgressReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    phase: (name, what) => lines.push(`== ${name}: ${what}`),
    info: (line) => lines.push(line),
    converged: (what, ok, detail) => lines.push(`${ok ? "✓" : "✗"} ${what}: ${detail}`),
  };
}

/** Console output with the seconds since the start, for `npm start` and the other commands. */
export function consoleProgress(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): ProgressReporter {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  return {
    phase: (name, what) => write(`\n${stamp()}  ▶ ${name} — ${what}`),
    info: (line) => write(`${stamp()}    ${line}`),
    converged: (what, ok, detail) => write(`${stamp()}    ${what}: ${detail} ${ok ? "✓" : "✗"}`),
  };
}
