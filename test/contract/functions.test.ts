import { beforeAll, describe, expect, it } from "vitest";
import { asError } from "../../functions/lib/errors";
import {
  type FunctionSource,
  functionSource,
  functionSources,
} from "../../local/template/functions";
import { type Json, type JsonObject, readTemplate, type Template } from "../../local/template/read";
import { resolveIntrinsics } from "../../local/template/resolve";
import { onDemandImportsLeftOut } from "../support/sam-esbuild";
import {
  actionsSentBy,
  type Bundle,
  bundleFunction,
  handlerProblems,
  packagesLeftOut,
} from "./checks/functions";
import { grantedActions, leastPrivilege, neededActions } from "./checks/iam";
import { type Mode, modeContext, modeNamed, modes, templateInMode } from "./checks/modes";

const template = readTemplate();
const sources = functionSources(template);
const byId = (t: Template, id: string): FunctionSource => functionSource(t, id);
const bundles = new Map<string, Bundle | Error>();
const bundleOf = (id: string): Bundle => {
  const bundle = bundles.get(id);
  if (bundle === undefined) throw new Error(`${id} was not bundled`);
  if (bundle instanceof Error) throw bundle;
  return bundle;
};

beforeAll(async () => {
  // A function that does not build fails its own tests, not the whole file.
  for (const source of sources) {
    bundles.set(
      source.logicalId,
      await bundleFunction(source).catch((error: unknown) => asError(error)),
    );
  }
});

describe("functions in template.yaml", () => {
  it("are the five the design names, on nodejs22.x arm64, with no layer", () => {
    expect(sources.map((s) => s.logicalId).sort()).toEqual([
      "BenchmarkRunnerFunction",
      "DemandRandomizerFunction",
      "DesiredCountSyncFunction",
      "HostConsolidatorFunction",
      "PriorityScalerFunction",
    ]);
    for (const { properties } of sources) {
      expect(properties.Runtime).toBe("nodejs22.x");
      expect(properties.Architectures).toEqual(["arm64"]);
      // Each bundle carries its dependencies (docs/performance.md).
      expect(properties).not.toHaveProperty("Layers");
    }
  });

  it.each(sources.map((s) => [s.logicalId, s] as const))(
    "%s: Handler resolves to a source file that exports it",
    async (_, source) => {
      expect(await handlerProblems(source)).toEqual([]);
    },
  );

  it("catches a broken handler path and a wrong export name", async () => {
    const copy = structuredClone(template);
    const fn = copy.Resources.DemandRandomizerFunction;
    if (fn?.Metadata?.BuildProperties === undefined) throw new Error("no BuildProperties");
    (fn.Metadata.BuildProperties as Record<string, unknown>).EntryPoints = [
      "functions/demand-randomiser/index.ts",
    ];
    expect((await handlerProblems(byId(copy, "DemandRandomizerFunction")))[0]).toMatch(
      /does not exist/,
    );
    const renamed = structuredClone(template);
    const props = renamed.Resources.DemandRandomizerFunction?.Properties;
    if (props) props.Handler = "index.main";
    expect(await handlerProblems(byId(renamed, "DemandRandomizerFunction"))).toEqual([
      expect.stringMatching(/does not export a function "main"/),
    ]);
  });

  describe("esbuild bundles", () => {
    it.each(sources.map((s) => [s.logicalId, s] as const))(
      "%s: ESM for node20, ES modules first, with the createRequire banner and source maps",
      (_, { buildProperties }) => {
        expect(buildProperties).toMatchObject({
          Format: "esm",
          Target: "node20",
          MainFields: "module,main",
          Sourcemap: true,
          OutExtension: [".js=.mjs"],
        });
        expect(String((buildProperties.Banner as string[])[0])).toContain("createRequire");
      },
    );

    const onDemand: ReadonlySet<string> = new Set(onDemandImportsLeftOut);

    it.each(sources.map((s) => [s.logicalId, s] as const))(
      "%s: bundles no code of the local cloud (the emulator borrows the functions' placement model, not the other way)",
      (id) => {
        expect(bundleOf(id).inputs.filter((input) => input.startsWith("local/"))).toEqual([]);
      },
    );

    it.each(sources.map((s) => [s.logicalId, s] as const))(
      "%s: does not decode its source map at every cold start (stacks are mapped when logged)",
      (_, { properties }) => {
        const variables = (properties.Environment as JsonObject | undefined)?.Variables;
        expect(String((variables as JsonObject | undefined)?.NODE_OPTIONS ?? "")).not.toContain(
          "--enable-source-maps",
        );
      },
    );

    it.each(sources.map((s) => [s.logicalId, s] as const))(
      "%s: bundles every package it imports, so it needs no layer; only what the SDK imports on demand stays out",
      async (_, source) => {
        const left = await packagesLeftOut(source);
        expect(left.filter((entry) => entry.kind !== "dynamic-import")).toEqual([]);
        expect(left.map((entry) => entry.path).filter((path) => !onDemand.has(path))).toEqual([]);
      },
    );

    it.each(sources.map((s) => [s.logicalId, s] as const))(
      "%s: External is exactly the on-demand imports where it sends SDK calls, else none",
      (id, source) => {
        const sendsSdkCalls = actionsSentBy(bundleOf(id).code).size > 0;
        expect(source.buildProperties.External ?? []).toEqual(
          sendsSdkCalls ? [...onDemandImportsLeftOut] : [],
        );
      },
    );

    it("sees a package left to a layer, and a credential source the module would load at import", async () => {
      const copy = structuredClone(template);
      const fn = copy.Resources.DesiredCountSyncFunction;
      if (fn?.Metadata?.BuildProperties === undefined) throw new Error("no BuildProperties");
      const props = fn.Metadata.BuildProperties as Record<string, unknown>;
      props.External = ["@aws-sdk/*"];
      expect(await packagesLeftOut(byId(copy, "DesiredCountSyncFunction"))).toContainEqual({
        path: "@aws-sdk/client-ecs",
        kind: "import-statement",
      });
      props.External = [...onDemandImportsLeftOut, "@aws-sdk/credential-provider-env"];
      expect(await packagesLeftOut(byId(copy, "DesiredCountSyncFunction"))).toContainEqual({
        path: "@aws-sdk/credential-provider-env",
        kind: "import-statement",
      });
    });
  });

  describe("least privilege", () => {
    // Each mode's policies as CloudFormation creates them, for the functions it has.
    const inModes = modes.flatMap((mode) =>
      functionSources(templateInMode(template, mode)).map(
        (source) => [`${mode.name}: ${source.logicalId}`, source, mode] as const,
      ),
    );
    const environmentOf = (source: FunctionSource, mode: Mode) =>
      resolveIntrinsics(
        ((source.properties.Environment as JsonObject | undefined)?.Variables ?? {}) as Json,
        modeContext(template, mode),
      ) as JsonObject;

    it.each(inModes)(
      "%s: policies allow exactly the SDK commands its code sends, no wildcards",
      (_, source, mode) => {
        const id = source.logicalId;
        const needed = neededActions(
          id,
          actionsSentBy(bundleOf(id).code),
          environmentOf(source, mode),
        );
        const report = leastPrivilege(needed, grantedActions(source.properties.Policies));
        expect(report).toEqual({ missing: [], unused: [], wildcards: [] });
      },
    );

    it("asks for ListClusters exactly where the sync serves every cluster", () => {
      const sync = (name: string) => {
        const mode = modeNamed(name);
        const source = functionSource(templateInMode(template, mode), "DesiredCountSyncFunction");
        const sent = actionsSentBy(bundleOf(source.logicalId).code);
        return {
          needed: neededActions(source.logicalId, sent, environmentOf(source, mode)),
          granted: grantedActions(source.properties.Policies).map((grant) => grant.action),
        };
      };
      const one = sync("own cluster");
      const every = sync("own cluster, sync for every cluster");
      expect(one.needed.has("ecs:ListClusters")).toBe(false);
      expect(one.granted).not.toContain("ecs:ListClusters");
      expect(every.needed.has("ecs:ListClusters")).toBe(true);
      // Granted in the one-cluster mode too, it would be reported unused.
      expect(
        leastPrivilege(
          one.needed,
          grantedActions([
            {
              Statement: [
                { Effect: "Allow", Action: [...one.granted, "ecs:ListClusters"], Sid: "Wide" },
              ],
            },
          ]),
        ).unused,
      ).toEqual(["ecs:ListClusters (Wide)"]);
    });

    it("reads commands and paginators from a bundle's SDK imports", () => {
      const code = [
        'import { ECSClient, UpdateServiceCommand as U, paginateListServices } from "@aws-sdk/client-ecs";',
        'import { GetItemCommand } from "@aws-sdk/client-dynamodb";',
      ].join("\n");
      expect([...actionsSentBy(code)].sort()).toEqual([
        "dynamodb:GetItem",
        "ecs:ListServices",
        "ecs:UpdateService",
      ]);
    });

    it("catches a removed action, an extra action and a wildcard", () => {
      const id = "DesiredCountSyncFunction";
      const sent = actionsSentBy(bundleOf(id).code);
      expect(sent.size).toBeGreaterThan(0);
      const [first] = [...sent];
      const policies = [
        {
          Statement: [
            { Effect: "Allow", Action: [...sent].filter((a) => a !== first), Sid: "Cut" },
            { Effect: "Allow", Action: ["ecs:DeleteService"], Sid: "Extra" },
            { Effect: "Allow", Action: "ecs:*", Sid: "Wide" },
          ],
        },
      ];
      const report = leastPrivilege(
        [...sent].filter((a) => a !== "never"),
        grantedActions(policies as unknown as Parameters<typeof grantedActions>[0]).filter(
          (g) => g.sid !== "Wide",
        ),
      );
      expect(report.missing).toEqual([first]);
      expect(report.unused).toEqual(["ecs:DeleteService (Extra)"]);
      const wide = leastPrivilege(sent, grantedActions(policies as never));
      expect(wide.wildcards).toEqual(["ecs:* (Wide)"]);
    });
  });
});
