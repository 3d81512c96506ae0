import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Template } from "../../../local/template/read";
import type { ResourceTypesOf } from "./iam";

/**
 * The template checked as AWS users check it: `cfn-lint` (what `sam validate --lint`
 * runs) and the SAM transform CloudFormation applies on deploy (aws-sam-translator).
 * Both are Python tools; a test skips, naming the tool, where one is not installed.
 */

function succeeds(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.error === undefined && result.status === 0;
}

export const cfnLintInstalled = succeeds("cfn-lint", ["--version"]);
export const samTranslatorInstalled = succeeds("python3", ["-c", "import samtranslator"]);

interface CfnLintMatch {
  Filename: string;
  Rule: { Id: string };
  Message: string;
  Location: { Start: { LineNumber: number }; Path?: (string | number)[] };
}

/**
 * Every error, warning and informational finding of each template, as
 * `ID Resources.X.Y: message (line n)`. One cfn-lint process for all of them: it
 * takes seconds to start.
 */
export function cfnLint(templatePaths: readonly string[]): Map<string, string[]> {
  const result = spawnSync("cfn-lint", ["--format", "json", "--", ...templatePaths], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  if (result.stdout.trim() === "") throw new Error(`cfn-lint printed nothing: ${result.stderr}`);
  const findings = new Map(templatePaths.map((path): [string, string[]] => [path, []]));
  for (const match of JSON.parse(result.stdout) as CfnLintMatch[]) {
    const path = templatePaths.find((candidate) => resolve(candidate) === resolve(match.Filename));
    findings
      .get(path ?? match.Filename)
      ?.push(
        `${match.Rule.Id} ${(match.Location.Path ?? []).join(".")}: ${match.Message} (line ${match.Location.Start.LineNumber})`,
      );
  }
  return findings;
}

export type TransformResult = { template: Template } | { errors: string[] };

const transformScript = join(dirname(fileURLToPath(import.meta.url)), "sam_transform.py");

/**
 * The template after the SAM transform, once per set of parameter values: plain
 * CloudFormation, or the translator's errors.
 */
export function samTransform(
  templatePath: string,
  parameterSets: readonly Readonly<Record<string, string>>[],
): TransformResult[] {
  const result = spawnSync("python3", [transformScript, templatePath], {
    input: JSON.stringify(parameterSets),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`sam_transform.py failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as TransformResult[];
}

interface CfnLintPolicies {
  [service: string]: { Actions?: Record<string, { Resources?: string[] }> } | undefined;
}

/**
 * The IAM data cfn-lint ships (AdditionalSpecs/Policies.json, generated from the
 * Service Authorization Reference): which resource types each action can be scoped to.
 */
export function iamResourceTypes(): ResourceTypesOf {
  const located = spawnSync(
    "python3",
    [
      "-c",
      "import os, cfnlint.data.AdditionalSpecs as s; print(os.path.join(os.path.dirname(s.__file__), 'Policies.json'))",
    ],
    { encoding: "utf8" },
  );
  if (located.error !== undefined) throw located.error;
  if (located.status !== 0) throw new Error(`cfn-lint's IAM data not found: ${located.stderr}`);
  const data = JSON.parse(readFileSync(located.stdout.trim(), "utf8")) as CfnLintPolicies;
  return (action) => {
    const [service = "", name = ""] = action.split(":");
    const entry = data[service]?.Actions?.[name.toLowerCase()];
    return entry === undefined ? undefined : (entry.Resources ?? []);
  };
}
