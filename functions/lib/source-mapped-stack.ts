import { existsSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Stack traces that name our TypeScript files and lines, paid for only when a failure is
 * logged. Node's `--enable-source-maps` maps every stack too, but it reads and decodes
 * the bundle's whole map at every cold start, a fifth of a function's import
 * (docs/performance.md). The map ships beside the bundle (`Sourcemap: true` in each
 * function's BuildProperties) and is read here the first time a failure needs it.
 *
 * Only the locations are mapped; a frame's function name stays the minified one, and
 * the file and line it now names are where to read it.
 */

/**
 * `at name (file:///var/task/index.mjs:1:2345)`, `at file:///var/task/index.mjs:1:2345`
 * or `at async file:///var/task/index.mjs:1:2345`.
 */
const FRAME = /^(\s+at (?:async )?(?:.+? \()?)((?:file:\/\/)?\/[^():]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

const maps = new Map<string, SourceMap | undefined>();

function mapBeside(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const path = `${file}.map`;
    let map: SourceMap | undefined;
    try {
      if (existsSync(path))
        map = new SourceMap(JSON.parse(readFileSync(path, "utf8")) as SourceMapPayload);
    } catch {
      // A map that can't be read leaves the stack as the runtime wrote it.
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** esbuild writes sources relative to the bundle (`../../functions/lib/x.ts`): name them from the project. */
function projectPath(source: string): string {
  return source.replace(/^(?:\.\.?\/)+/, "");
}

function mapFrame(line: string): string {
  const frame = FRAME.exec(line);
  if (frame === null) return line;
  const [, head = "", location = "", lineText = "", columnText = "", tail = ""] = frame;
  const file = location.startsWith("file://") ? fileURLToPath(location) : location;
  const entry = mapBeside(file)?.findEntry(Number(lineText) - 1, Number(columnText) - 1);
  if (entry === undefined || !("originalSource" in entry)) return line;
  const { originalSource, originalLine, originalColumn } = entry;
  return `${head}${projectPath(originalSource)}:${originalLine + 1}:${originalColumn + 1}${tail}`;
}

/** `stack` with every frame in a bundle that has a map beside it pointed at its source. */
export function sourceMappedStack(stack: string): string {
  return stack.split("\n").map(mapFrame).join("\n");
}

/**
 * Points `error.stack` at the sources, in place, so the log line and the rethrown error
 * agree; and its `cause`'s, down the chain (an SDK error is often the cause of ours).
 */
export function mapStackToSources(error: Error): Error {
  const seen = new Set<unknown>();
  for (let next: unknown = error; next instanceof Error && !seen.has(next); next = next.cause) {
    seen.add(next);
    if (typeof next.stack === "string") next.stack = sourceMappedStack(next.stack);
  }
  return error;
}
