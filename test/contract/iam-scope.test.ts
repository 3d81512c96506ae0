import { describe, expect, it } from "vitest";
import { type Json, type JsonObject, readTemplate, type Template } from "../../local/template/read";
import { resolveIntrinsics } from "../../local/template/resolve";
import { cfnLintInstalled, iamResourceTypes } from "./checks/aws-tools";
import { brokenCopy, properties } from "./checks/copies";
import { type ResourceTypesOf, unscopedGrants } from "./checks/iam";
import { type Mode, modeContext, modeNamed, modes, templateInMode } from "./checks/modes";

const template = readTemplate();
const broken = (mutate: (copy: Template) => void): Template => brokenCopy(template, mutate);

let resourceTypes: ResourceTypesOf | undefined;
/** Read on first use: the data comes with cfn-lint, which a test skips without. */
const resourceTypesOf: ResourceTypesOf = (action) => {
  resourceTypes ??= iamResourceTypes();
  return resourceTypes(action);
};

/** Every resource's SAM `Policies` (functions, the state machine) in this mode, unscoped grants by logical ID. */
function unscopedIn(t: Template, mode: Mode): Record<string, string[]> {
  const inMode = templateInMode(t, mode);
  return Object.fromEntries(
    Object.entries(inMode.Resources).flatMap(([id, resource]) => {
      const policies = resource.Properties?.Policies;
      if (policies === undefined) return [];
      const found = unscopedGrants(policies, resourceTypesOf);
      return found.length === 0 ? [] : [[id, found]];
    }),
  );
}

/** A Sid's statement in a function's policy, in this mode, with its intrinsics resolved. */
function statement(t: Template, mode: Mode, functionId: string, sid: string): JsonObject {
  const [policy] = resolveIntrinsics(
    properties(templateInMode(t, mode), functionId).Policies ?? [],
    modeContext(t, mode),
  ) as JsonObject[];
  const found = ((policy?.Statement ?? []) as JsonObject[]).find((s) => s.Sid === sid);
  if (found === undefined) throw new Error(`${functionId} has no statement ${sid} in ${mode.name}`);
  return found;
}

describe("IAM resources: scoped wherever the action allows it", () => {
  it.skipIf(!cfnLintInstalled).each(modes.map((mode) => [mode.name, mode] as const))(
    "%s: no action that takes resource ARNs is granted on * without a Condition",
    (_, mode) => {
      expect(unscopedIn(template, mode)).toEqual({});
    },
  );

  it.skipIf(!cfnLintInstalled)("catches DescribeCapacityProviders granted on * again", () => {
    const copy = broken((t) => {
      const [policy] = properties(t, "PriorityScalerFunction").Policies as JsonObject[];
      const list = (policy?.Statement ?? []) as JsonObject[];
      const read = list.find((s) => s.Sid === "ReadTheClustersCapacityProviders");
      if (read) read.Resource = "*";
    });
    expect(unscopedIn(copy, modeNamed("demo stack, images pushed"))).toEqual({
      PriorityScalerFunction: [
        "ecs:DescribeCapacityProviders (ReadTheClustersCapacityProviders): takes capacity-provider ARNs, granted on *",
      ],
    });
  });

  it("tells an action that must be granted on * from one that takes ARNs, and an unknown one", () => {
    const types: ResourceTypesOf = (action) =>
      ({ "ecs:ListClusters": [], "ecs:DescribeClusters": ["cluster"] })[action];
    const policies: Json = [
      {
        Statement: [
          { Sid: "A", Effect: "Allow", Action: ["ecs:ListClusters", "ecs:Typo"], Resource: "*" },
          { Sid: "B", Effect: "Allow", Action: "ecs:DescribeClusters", Resource: ["*"] },
          {
            Sid: "C",
            Effect: "Allow",
            Action: "ecs:DescribeClusters",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/team": "x" } },
          },
          { Sid: "D", Effect: "Deny", Action: "ecs:DescribeClusters", Resource: "*" },
        ],
      },
    ];
    expect(unscopedGrants(policies, types)).toEqual([
      "ecs:Typo (A): not in the IAM data",
      "ecs:DescribeClusters (B): takes cluster ARNs, granted on *",
    ]);
  });
});

describe("the priority scaler's capacity providers", () => {
  const prefix = "arn:aws:ecs:us-east-1:111122223333:capacity-provider";
  const scalerScope = (t: Template, mode: Mode) =>
    statement(t, mode, "PriorityScalerFunction", "ReadTheClustersCapacityProviders").Resource;

  it("in the demo stack: the one provider the stack associates with its cluster", () => {
    const demo = modeNamed("demo stack, images pushed");
    const associated = resolveIntrinsics(
      properties(templateInMode(template, demo), "ClusterCapacityProviders").CapacityProviders ??
        [],
      modeContext(template, demo),
    ) as string[];
    expect(associated).toHaveLength(1);
    expect(scalerScope(template, demo)).toBe(`${prefix}/${associated[0]}`);
  });

  it("on an existing cluster: whichever it has, as DescribeClusters names them", () => {
    expect(scalerScope(template, modeNamed("own cluster with priority services"))).toBe(
      `${prefix}/*`,
    );
  });
});
