import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateConditions, templateUnderConditions } from "../../local/template/conditions";
import {
  type JsonObject,
  readTemplate,
  type Template,
  templatePath,
} from "../../local/template/read";
import { danglingReferences } from "../../local/template/references";
import {
  cfnLint,
  cfnLintInstalled,
  samTransform,
  samTranslatorInstalled,
} from "./checks/aws-tools";
import { brokenCopy, properties } from "./checks/copies";
import { modeContext, modes } from "./checks/modes";

if (!cfnLintInstalled)
  console.warn("cfn-lint tests skipped: install cfn-lint (pip install cfn-lint)");
if (!samTranslatorInstalled) {
  console.warn(
    "SAM transform tests skipped: install aws-sam-translator (pip install aws-sam-translator)",
  );
}

const template = readTemplate();
const scratch = mkdtempSync(join(tmpdir(), "microscale-template-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A broken copy on disk (JSON is a template format both tools read). */
function writeCopy(name: string, mutate: (copy: Template) => void): string {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(brokenCopy(template, mutate), null, 2));
  return path;
}

/** Computed by the first test that needs it: each tool takes seconds to start. */
function once<T>(compute: () => T): () => T {
  let value: { result: T } | undefined;
  return () => {
    value ??= { result: compute() };
    return value.result;
  };
}

const lintBroken = () =>
  writeCopy("broken.json", (t) => {
    properties(t, "Cluster").ClusterNmae = "typo";
    delete properties(t, "WebTargetGroup").HealthCheckPort;
    delete t.Resources.LoadBalancer?.Metadata;
  });
const linted = once(() => {
  const broken = lintBroken();
  const findings = cfnLint([templatePath, broken]);
  return { ours: findings.get(templatePath), broken: findings.get(broken) };
});

describe("cfn-lint, as sam validate --lint runs it", () => {
  // cfn-lint weighs every combination of the template's conditions itself, so one
  // run covers the demo stack and each existing-cluster mode.
  it.skipIf(!cfnLintInstalled)(
    "reports no error, warning or informational finding on template.yaml",
    () => {
      expect(linted().ours).toEqual([]);
    },
    180_000,
  );

  it.skipIf(!cfnLintInstalled)(
    "reports a broken copy's errors and warnings",
    () => {
      const ids = (linted().broken ?? []).map((finding) => finding.split(" ")[0]);
      expect(ids).toEqual(expect.arrayContaining(["E3002", "E3049", "W1030"]));
    },
    180_000,
  );

  it("gives every check the template tells cfn-lint to ignore its reason, next to it", () => {
    const lines = readFileSync(templatePath, "utf8").split("\n");
    const ignores = lines.flatMap((line, i) => (/^\s*ignore_checks:/.test(line) ? [i] : []));
    expect(ignores.length).toBeGreaterThan(0);
    for (const i of ignores) {
      expect(lines[i - 1] ?? "", `line ${i + 1}`).toMatch(/^\s*#/);
    }
  });
});

const misspelt = () =>
  writeCopy("misspelt.json", (t) => {
    const events = properties(t, "DemandRandomizerFunction").Events as Record<string, JsonObject>;
    (events.Tick?.Properties as JsonObject).Schedul = "rate(1 minute)";
  });
const transformed = once(() => ({
  modes: samTransform(
    templatePath,
    modes.map((mode) => mode.parameters),
  ),
  misspelt: samTransform(misspelt(), [{}]),
}));

describe("the SAM transform, as CloudFormation applies it on deploy", () => {
  it.skipIf(!samTranslatorInstalled).each(modes.map((mode, i) => [mode.name, mode, i] as const))(
    "%s: succeeds, and what it emits refers only to resources the mode creates",
    (_, mode, i) => {
      const result = transformed().modes[i];
      expect(result).toHaveProperty("template");
      if (result === undefined || !("template" in result)) return;
      const output = result.template;
      expect(output.Transform).toBeUndefined();
      expect(Object.keys(output.Resources)).toContain("DesiredCountSyncFunctionRole");
      const conditions = evaluateConditions(output, modeContext(template, mode));
      expect(danglingReferences(templateUnderConditions(output, conditions))).toEqual([]);
    },
    120_000,
  );

  it.skipIf(!samTranslatorInstalled)(
    "refuses a misspelt SAM property",
    () => {
      expect(transformed().misspelt).toEqual([
        { errors: [expect.stringMatching(/property Schedul not defined/)] },
      ]);
    },
    120_000,
  );
});
