import { describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/host-consolidator/config";
import { ruleViolations } from "../../local/template/conditions";
import {
  isObject,
  type Json,
  type JsonObject,
  readTemplate,
  type Template,
} from "../../local/template/read";
import { danglingReferences } from "../../local/template/references";
import { resolveIntrinsics } from "../../local/template/resolve";
import { brokenCopy, properties } from "./checks/copies";
import { type Mode, modeContext, modeNamed, modes, templateInMode } from "./checks/modes";

const template = readTemplate();
const broken = (mutate: (copy: Template) => void): Template => brokenCopy(template, mutate);

/** Resource types only the demo stack has: network, hosts, load balancer, services, images. */
const demoOnlyType =
  /^AWS::(EC2|AutoScaling|ElasticLoadBalancingV2|ECR|ServiceDiscovery)::|^AWS::ECS::(Cluster|CapacityProvider|ClusterCapacityProviderAssociations|Service|TaskDefinition)$|^AWS::IAM::(Role|InstanceProfile|ServiceLinkedRole)$/;
const controllers = [
  "DesiredCountSyncFunction",
  "HostConsolidatorFunction",
  "BenchmarkRunnerFunction",
  "DeployAndBenchmarkStateMachine",
  "BenchmarkResultsTable",
];
const microscaling = ["PriorityScalerFunction", "DemandRandomizerFunction", "DemandTable"];

/** `Function.Event` of every trigger that fires in this template (rule or schedule enabled, stream enabled). */
function liveTriggers(t: Template, context = modeContext(t, modes[0] as Mode)): string[] {
  return Object.entries(t.Resources).flatMap(([id, resource]) => {
    const events = resource.Properties?.Events;
    if (!isObject(events ?? null)) return [];
    return Object.entries(events as JsonObject).flatMap(([name, event]) => {
      const settings = resolveIntrinsics(
        (isObject(event) ? (event.Properties ?? {}) : {}) as Json,
        context,
      ) as JsonObject;
      const off = settings.State === "DISABLED" || settings.Enabled === false;
      return off ? [] : [`${id}.${name}`];
    });
  });
}

describe.each(modes.map((mode) => [mode.name, mode] as const))("mode: %s", (_, mode) => {
  const inMode = templateInMode(template, mode);
  const present = (id: string) => id in inMode.Resources;

  it("passes the template's Rules", () => {
    expect(ruleViolations(template, modeContext(template, mode))).toEqual([]);
  });

  it("refers only to resources that exist in this mode", () => {
    expect(danglingReferences(inMode)).toEqual([]);
  });

  it("has the controllers, and the priority scaler and randomizer only with services to scale", () => {
    expect(controllers.filter((id) => !present(id))).toEqual([]);
    const scales = mode.createsCluster || mode.parameters.HighPriorityServiceName !== undefined;
    expect(microscaling.filter(present)).toEqual(scales ? microscaling : []);
  });

  it(
    mode.createsCluster
      ? "creates the cluster, its hosts and services"
      : "creates no VPC, hosts, load balancer, services or repositories",
    () => {
      const demoResources = Object.entries(inMode.Resources)
        .filter(([, resource]) => demoOnlyType.test(resource.Type))
        .map(([id]) => id);
      if (mode.createsCluster) {
        expect(demoResources).toEqual(
          expect.arrayContaining([
            "Cluster",
            "HostAutoScalingGroup",
            "AgentService",
            "LoadBalancer",
          ]),
        );
      } else {
        expect(demoResources).toEqual([]);
      }
    },
  );
});

describe("the modes' parameters", () => {
  const violations = (parameters: Record<string, string>) =>
    ruleViolations(
      template,
      modeContext(template, { name: "x", parameters, createsCluster: true }),
    );

  it("are refused by the Rules when they do not go together", () => {
    expect(violations({ ExistingClusterName: "c", HighPriorityServiceName: "p1" })).toEqual([
      expect.stringMatching(/^PriorityServicesTogether:/),
    ]);
    expect(violations({ HighPriorityServiceName: "p1", LowPriorityServiceName: "p2" })).toEqual([
      expect.stringMatching(/^PriorityServicesOfAnExistingCluster:/),
    ]);
    expect(violations({ ExistingVpcId: "vpc-0123456789abcdef0" })).toEqual([
      expect.stringMatching(/^SubnetsForExistingVpc:/),
    ]);
    expect(violations({ ExistingSubnetIds: "subnet-0123456789abcdef0" })).toEqual([
      expect.stringMatching(/^ExistingVpcForSubnets:/),
    ]);
    expect(violations({ ExistingAutoScalingGroupName: "hosts" })).toEqual([
      expect.stringMatching(/^AutoScalingGroupOfAnExistingCluster:/),
    ]);
  });
});

describe("references under conditions", () => {
  const ownCluster = modeNamed("own cluster");

  it("catch a controller that names the demo's cluster in every mode", () => {
    const copy = broken((t) => {
      const env = (properties(t, "DesiredCountSyncFunction").Environment as JsonObject)
        .Variables as JsonObject;
      env.CLUSTER = { Ref: "Cluster" };
    });
    expect(danglingReferences(templateInMode(copy, ownCluster))).toEqual([
      expect.objectContaining({ kind: "Ref", target: "Cluster" }),
    ]);
    expect(danglingReferences(templateInMode(copy, modeNamed("demo stack, first deploy")))).toEqual(
      [],
    );
  });

  it("catch a DependsOn and an output on a resource the mode does not create", () => {
    const copy = broken((t) => {
      const table = t.Resources.BenchmarkResultsTable;
      if (table) table.DependsOn = "Cluster";
      const outputs = t.Outputs ?? {};
      const { Condition: _, ...unconditional } = outputs.LoadBalancerUrl ?? {};
      outputs.LoadBalancerUrl = unconditional;
    });
    expect(danglingReferences(templateInMode(copy, ownCluster)).map((r) => r.target)).toEqual([
      "LoadBalancer",
      "Cluster",
    ]);
  });
});

describe("controllers and images", () => {
  const firstDeploy = modeNamed("demo stack, first deploy");
  const contextOf = (mode: Mode) => modeContext(template, mode);

  it("the demo stack's first deploy, with no images yet, leaves every trigger disabled", () => {
    expect(liveTriggers(templateInMode(template, firstDeploy), contextOf(firstDeploy))).toEqual([]);
  });

  it.each(modes.filter((mode) => mode !== firstDeploy).map((mode) => [mode.name, mode] as const))(
    "%s: every trigger is live",
    (_, mode) => {
      const inMode = templateInMode(template, mode);
      const all = Object.entries(inMode.Resources).flatMap(([id, resource]) =>
        Object.keys((resource.Properties?.Events ?? {}) as JsonObject).map(
          (name) => `${id}.${name}`,
        ),
      );
      expect(all.length).toBeGreaterThan(0);
      expect(liveTriggers(inMode, contextOf(mode))).toEqual(all);
    },
  );

  it("catches a trigger that is not held back", () => {
    const copy = broken((t) => {
      const events = properties(t, "DesiredCountSyncFunction").Events as Record<string, JsonObject>;
      const reconcile = events.Reconcile?.Properties as JsonObject | undefined;
      if (reconcile) delete reconcile.State;
    });
    expect(liveTriggers(templateInMode(copy, firstDeploy), contextOf(firstDeploy))).toEqual([
      "DesiredCountSyncFunction.Reconcile",
    ]);
  });
});

describe("per-host sync scope", () => {
  /** The ECS resources and ecs:cluster conditions of the sync's policy, resolved. */
  function ecsScope(mode: Mode): string[] {
    const inMode = templateInMode(template, mode);
    const policies = resolveIntrinsics(
      properties(inMode, "DesiredCountSyncFunction").Policies ?? [],
      modeContext(template, mode),
    );
    return JSON.stringify(policies).match(/arn:aws:ecs:[^"]+/g) ?? [];
  }

  it.each([
    ["demo stack, images pushed", "microscale"],
    ["own cluster", "microscale"],
    ["own cluster, sync for every cluster", "*"],
  ])("%s: IAM names cluster %s", (name, cluster) => {
    const prefix = "arn:aws:ecs:us-east-1:111122223333";
    expect(ecsScope(modeNamed(name)).sort()).toEqual(
      [
        `${prefix}:cluster/${cluster}`,
        `${prefix}:cluster/${cluster}`,
        `${prefix}:service/${cluster}/*`,
        `${prefix}:container-instance/${cluster}/*`,
      ].sort(),
    );
  });

  it("tells the sync its clusters in CLUSTERS: * for every cluster, else the one", () => {
    const env = (mode: string) =>
      resolveIntrinsics(
        (
          properties(templateInMode(template, modeNamed(mode)), "DesiredCountSyncFunction")
            .Environment as JsonObject
        ).Variables as Json,
        modeContext(template, modeNamed(mode)),
      ) as JsonObject;
    expect(env("demo stack, images pushed").CLUSTERS).toBe("microscale");
    expect(env("own cluster").CLUSTERS).toBe("microscale");
    expect(env("own cluster, sync for every cluster").CLUSTERS).toBe("*");
    for (const mode of modes) expect(env(mode.name)).not.toHaveProperty("CLUSTER");
  });
});

describe("host consolidator scope", () => {
  const prefix = "arn:aws:ecs:us-east-1:111122223333";
  const groups =
    "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:*:autoScalingGroupName";
  /** The consolidator's statements in this mode, resolved, by Sid. */
  function statements(mode: Mode, t: Template = template): Record<string, JsonObject> {
    const inMode = templateInMode(t, mode);
    const [policy] = resolveIntrinsics(
      properties(inMode, "HostConsolidatorFunction").Policies ?? [],
      modeContext(t, mode),
    ) as JsonObject[];
    const list = (policy?.Statement ?? []) as JsonObject[];
    return Object.fromEntries(list.map((statement) => [String(statement.Sid), statement]));
  }
  function environment(mode: Mode): JsonObject {
    const inMode = templateInMode(template, mode);
    return resolveIntrinsics(
      (properties(inMode, "HostConsolidatorFunction").Environment as JsonObject).Variables ?? {},
      modeContext(template, mode),
    ) as JsonObject;
  }
  const terminate = (sids: Record<string, JsonObject>) =>
    Object.values(sids).filter((statement) =>
      JSON.stringify(statement.Action).includes("TerminateInstanceInAutoScalingGroup"),
    );

  it.each([
    ["demo stack, images pushed", "microscale"],
    ["own cluster", "microscale"],
    ["own cluster and its Auto Scaling group", "microscale"],
    ["own cluster, sync for every cluster", "*"],
  ])("%s: every ECS resource and ecs:cluster condition names cluster %s", (name, cluster) => {
    const found = JSON.stringify(statements(modeNamed(name))).match(/arn:aws:ecs:[^"]+/g) ?? [];
    const allowed = [
      `${prefix}:cluster/${cluster}`,
      `${prefix}:container-instance/${cluster}/*`,
      `${prefix}:task/${cluster}/*`,
      `${prefix}:service/${cluster}/*`,
      // Named by the cluster at run time, only where the groups are discovered.
      `${prefix}:capacity-provider/*`,
    ];
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((arn) => !allowed.includes(arn))).toEqual([]);
  });

  it("terminates only in the demo's group, the named group, or groups ECS manages", () => {
    const demo = terminate(statements(modeNamed("demo stack, images pushed")));
    expect(demo).toEqual([
      expect.objectContaining({ Resource: `${groups}/microscale-HostAutoScalingGroup` }),
    ]);
    expect(demo[0]).not.toHaveProperty("Condition");
    const named = terminate(statements(modeNamed("own cluster and its Auto Scaling group")));
    expect(named).toEqual([expect.objectContaining({ Resource: `${groups}/microscale-hosts` })]);
    for (const name of ["own cluster", "own cluster, sync for every cluster"]) {
      expect(terminate(statements(modeNamed(name))), name).toEqual([
        {
          Sid: "TerminateHostsOfEcsManagedGroups",
          Effect: "Allow",
          Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"],
          Resource: `${groups}/*`,
          Condition: { Null: { "aws:ResourceTag/AmazonECSManaged": "false" } },
        },
      ]);
    }
  });

  it("catches a termination grant that drops its tag condition", () => {
    const copy = broken((t) => {
      const policy = (properties(t, "HostConsolidatorFunction").Policies as JsonObject[])[0];
      const list = (policy?.Statement ?? []) as JsonObject[];
      for (const statement of list) {
        const choice = statement["Fn::If"] as JsonObject[] | undefined;
        const tagged = choice?.[1];
        if (tagged?.Sid === "TerminateHostsOfEcsManagedGroups") delete tagged.Condition;
      }
    });
    const [grant] = terminate(statements(modeNamed("own cluster"), copy));
    expect(grant).not.toHaveProperty("Condition");
  });

  it("tells the consolidator its cluster, group and expendable service, as config.ts reads them", () => {
    const demo = environment(modeNamed("demo stack, images pushed"));
    expect(demo).toMatchObject({
      CLUSTERS: "microscale",
      AUTO_SCALING_GROUPS: "microscale-HostAutoScalingGroup",
      EXPENDABLE_SERVICES: "low-priority",
      PER_HOST_TAG_KEY: "microscale:per-host",
      CONSOLIDATE_AFTER_SECONDS: "600",
      MIN_HOST_AGE_SECONDS: "900",
      DISRUPTION_BUDGET: "1",
      DRY_RUN: "false",
    });
    const own = environment(modeNamed("own cluster"));
    expect(own).not.toHaveProperty("AUTO_SCALING_GROUPS");
    expect(own).not.toHaveProperty("EXPENDABLE_SERVICES");
    expect(
      environment(modeNamed("own cluster and its Auto Scaling group")).AUTO_SCALING_GROUPS,
    ).toBe("microscale-hosts");
    expect(environment(modeNamed("own cluster with priority services")).EXPENDABLE_SERVICES).toBe(
      "low-priority",
    );
    expect(environment(modeNamed("own cluster, sync for every cluster")).CLUSTERS).toBe("*");
    for (const mode of modes) {
      const config = loadConfig(environment(mode) as Record<string, string>);
      expect(config.consolidateAfterSeconds, mode.name).toBe(600);
      expect(config.minHostAgeSeconds, mode.name).toBe(900);
      expect(config.disruptionBudget, mode.name).toEqual({ kind: "count", count: 1 });
    }
  });

  it("passes the timing and budget parameters through, so a scenario can shorten them", () => {
    const mode: Mode = {
      name: "fast",
      parameters: {
        ConsolidateAfterSeconds: "60",
        MinHostAgeSeconds: "0",
        DisruptionBudget: "50%",
      },
      createsCluster: true,
    };
    const config = loadConfig(environment(mode) as Record<string, string>);
    expect(config).toMatchObject({
      consolidateAfterSeconds: 60,
      minHostAgeSeconds: 0,
      disruptionBudget: { kind: "percent", percent: 50 },
    });
  });
});
