/**
 * `npm run bench [name…]`: runs every `test/bench/*.bench.ts` (or those whose file
 * name contains one of the given names) one after another, so figures from one
 * benchmark are not disturbed by another. Each module exports `run(): Promise<void>`
 * and prints its own table.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The SDK's notice that its 2027 releases need Node 22 is not a figure of this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

interface BenchModule {
  run(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here).filter((file) => file.endsWith(".bench.ts"));
// A name that is a benchmark's own (`start`) runs that one, not every file containing it
// (`cold-start`); any other name matches every file that contains it.
const chosen = (name: string) =>
  benches.includes(`${name}.bench.ts`)
    ? [`${name}.bench.ts`]
    : benches.filter((file) => file.includes(name));
const files = (wanted.length === 0 ? benches : [...new Set(wanted.flatMap(chosen))]).sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ") || "test/bench/*.bench.ts"}`);
  process.exit(1);
}
for (const file of files) {
  console.log(`\n## ${file.replace(".bench.ts", "")}\n`);
  const bench = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  await bench.run();
}
