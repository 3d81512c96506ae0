import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { projectRoot } from "../template/read";
import { renderReport, type ScenarioReport } from "./html";

export const defaultReportPath = resolve(projectRoot, "report/index.html");

/** Writes the report page and returns its path. */
export function writeReport(report: ScenarioReport, path: string = defaultReportPath): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(report));
  return path;
}
