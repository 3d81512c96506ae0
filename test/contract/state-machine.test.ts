import { describe, expect, it } from "vitest";
import { type Json, readTemplate } from "../../local/template/read";
import { resolveIntrinsics } from "../../local/template/resolve";
import { grantedActions, leastPrivilege } from "./checks/iam";
import { modeContext, modes, templateInMode } from "./checks/modes";
import {
  actionsOfDefinition,
  aslProblems,
  impliedActions,
  placeholders,
  stateMachineSources,
  substitutionProblems,
  withStandIns,
} from "./checks/state-machine";

const template = readTemplate();
const [deployAndBenchmark] = stateMachineSources(template);

describe("DeployAndBenchmarkStateMachine", () => {
  if (deployAndBenchmark === undefined) throw new Error("no AWS::Serverless::StateMachine");
  const definition = withStandIns(deployAndBenchmark.definitionText);

  it("is the one state machine, defined in statemachines/deploy-and-benchmark.asl.json", () => {
    expect(stateMachineSources(template).map((s) => s.logicalId)).toEqual([
      "DeployAndBenchmarkStateMachine",
    ]);
    expect(deployAndBenchmark.definitionPath).toMatch(
      /statemachines\/deploy-and-benchmark\.asl\.json$/,
    );
  });

  it("validates with asl-validator", () => {
    expect(aslProblems(definition)).toEqual([]);
  });
  it("every ${...} has a DefinitionSubstitution and every substitution is used", () => {
    expect(substitutionProblems(deployAndBenchmark)).toEqual([]);
  });

  it("is written in JSONPath (aws-local-stepfunctions ignores JSONata)", () => {
    expect(deployAndBenchmark.definitionText).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"/);
  });

  it.each(modes.map((mode) => [mode.name, mode] as const))(
    "%s: its policies allow exactly what its tasks call, no wildcards",
    (_, mode) => {
      const [inMode] = stateMachineSources(templateInMode(template, mode));
      if (inMode === undefined) throw new Error(`no state machine in ${mode.name}`);
      const needed = impliedActions(actionsOfDefinition(definition), inMode.properties);
      const report = leastPrivilege(needed, grantedActions(inMode.properties.Policies));
      expect(report).toEqual({ missing: [], unused: [], wildcards: [] });
    },
  );

  it.each(modes.map((mode) => [mode.name, mode] as const))(
    "%s: every substitution resolves, the base URL only where the stack has a load balancer",
    (_, mode) => {
      const [inMode] = stateMachineSources(templateInMode(template, mode));
      const substitutions = resolveIntrinsics(
        inMode?.substitutions ?? {},
        modeContext(template, mode),
      ) as Record<string, Json>;
      expect(Object.values(substitutions).every((value) => typeof value === "string")).toBe(true);
      expect(substitutions.ClusterName).toBe("microscale");
      expect(substitutions.LoadBalancerUrl).toMatch(mode.createsCluster ? /^http:\/\/.+/ : /^$/);
    },
  );

  it("catches an undefined substitution and an unused one", () => {
    const text = `${deployAndBenchmark.definitionText.slice(0, -1).trimEnd()}, "Comment2": "\${Undefined}"}`;
    const problems = substitutionProblems({
      ...deployAndBenchmark,
      definitionText: text,
      substitutions: { ...deployAndBenchmark.substitutions, Unused: "x" },
    });
    expect(problems).toEqual([
      "${Undefined} has no substitution",
      "substitution Unused is never used",
    ]);
    expect(placeholders(text).has("Undefined")).toBe(true);
  });

  it("catches an invalid definition", () => {
    const invalid = structuredClone(definition) as { StartAt: string };
    invalid.StartAt = "NoSuchState";
    expect(aslProblems(invalid).length).toBeGreaterThan(0);
  });

  it("reads IAM actions from aws-sdk, optimized and Lambda task resources", () => {
    const actions = actionsOfDefinition({
      StartAt: "A",
      States: {
        A: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:describeServices", Next: "B" },
        B: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Next: "C" },
        C: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", End: true },
      },
    });
    expect([...actions].sort()).toEqual([
      "dynamodb:PutItem",
      "ecs:DescribeServices",
      "lambda:InvokeFunction",
    ]);
  });
});
