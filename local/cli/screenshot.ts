/**
 * `npm run report:screenshot`: the README's picture of the report. Renders the
 * report/index.html that the last `npm start` wrote in headless Chromium and saves it
 * as docs/images/npm-start-report.png. Regenerate both in one go with
 *
 *   npm start && npm run report:screenshot
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { screenshotReport } from "../report/screenshot";
import { defaultReportPath } from "../report/write";
import { projectRoot } from "../template/read";

const usage = "usage: npm run report:screenshot [-- <report.html> [<image.png>]]";
const defaultImagePath = resolve(projectRoot, "docs/images/npm-start-report.png");

try {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length > 2) throw new Error(`too many arguments\n${usage}`);
  const [reportPath = defaultReportPath, imagePath = defaultImagePath] = positionals;
  await screenshotReport(resolve(reportPath), resolve(imagePath));
  console.log(
    `${relative(projectRoot, resolve(imagePath))} ← ${relative(projectRoot, resolve(reportPath))}`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
