import { describe, expect, it } from "vitest";
import { matchesPattern } from "../../local/eventbridge/pattern";
import { validateEventPattern } from "../../local/eventbridge/pattern-validation";
import { parseScheduleExpression } from "../../local/schedules/expression";
import { functionSources } from "../../local/template/functions";
import { isObject, type Json, readTemplate, type Template } from "../../local/template/read";
import { resolveIntrinsics } from "../../local/template/resolve";
import {
  allSamples,
  detailType,
  type Sample,
  samplesFor,
  type TemplateEvent,
  templateEvents,
} from "./checks/event-sources";
import { type Mode, modeContext, modeNamed, modes, templateInMode } from "./checks/modes";

const template = readTemplate();
const sources = functionSources(template);
const everySample = allSamples(sources);
const demo = modeNamed("demo stack, images pushed");

function patternOf(t: Template, event: TemplateEvent, mode: Mode = demo): Json {
  return resolveIntrinsics(event.properties.Pattern ?? null, modeContext(t, mode));
}

function wantedDetailTypes(pattern: Json): string[] {
  const wanted = isObject(pattern) ? pattern["detail-type"] : undefined;
  return Array.isArray(wanted) ? wanted.filter((v): v is string => typeof v === "string") : [];
}

/**
 * A rule's pattern must match every sample of the detail-types it names (and
 * there must be one), and must reject every other sample in events/ — including
 * its own samples moved to another cluster, unless it serves every cluster.
 */
function patternProblems(
  pattern: Json,
  own: Sample[],
  all: Sample[],
  otherClusters: "rejected" | "matched" = "rejected",
): string[] {
  validateEventPattern(pattern);
  const wanted = wantedDetailTypes(pattern);
  const matching = own.filter((s) => wanted.includes(detailType(s.event) ?? ""));
  const problems: string[] = [];
  if (matching.length === 0) problems.push(`no sample of ${wanted.join(", ")} to match`);
  for (const sample of matching) {
    if (!matchesPattern(pattern, sample.event)) problems.push(`does not match ${sample.file}`);
    const elsewhere = structuredClone(sample.event);
    if (isObject(elsewhere.detail ?? null) && "clusterArn" in (elsewhere.detail as object)) {
      (elsewhere.detail as Record<string, Json>).clusterArn =
        "arn:aws:ecs:us-east-1:111122223333:cluster/someone-elses";
      const matched = matchesPattern(pattern, elsewhere);
      if (matched && otherClusters === "rejected")
        problems.push(`matches ${sample.file} of another cluster`);
      if (!matched && otherClusters === "matched")
        problems.push(`does not match ${sample.file} of another cluster`);
    }
  }
  for (const sample of all) {
    const unrelated = !wanted.includes(detailType(sample.event) ?? "");
    if (unrelated && matchesPattern(pattern, sample.event)) {
      problems.push(`matches unrelated ${sample.file}`);
    }
  }
  return problems;
}

const rulesOf = (t: Template) =>
  functionSources(t).flatMap((source) =>
    templateEvents(source)
      .filter((event) => event.type === "EventBridgeRule")
      .map((event) => [`${event.functionId}.${event.name}`, source, event] as const),
  );
const ruleEvents = rulesOf(template);

/** The functions `PerHostClusters=*` points at every cluster (their CLUSTERS is `*`). */
const servesEveryCluster = ["DesiredCountSyncFunction", "HostConsolidatorFunction"];

/** Every rule each mode creates, with whether it serves every cluster (`PerHostClusters=*`). */
const rulesInModes = modes.flatMap((mode) =>
  rulesOf(templateInMode(template, mode)).map(([name, source, event]) => {
    const everyCluster =
      mode.parameters.PerHostClusters === "*" && servesEveryCluster.includes(source.logicalId);
    return [`${mode.name}: ${name}`, mode, source, event, everyCluster] as const;
  }),
);

describe("event wiring in template.yaml", () => {
  it("has at least one EventBridge rule to check", () => {
    expect(ruleEvents.length).toBeGreaterThan(0);
  });

  it.each(rulesInModes)(
    "%s: matches its samples and rejects unrelated events",
    (_, mode, source, event, everyCluster) => {
      const pattern = patternOf(template, event, mode);
      const otherClusters = everyCluster ? "matched" : "rejected";
      expect(patternProblems(pattern, samplesFor(source), everySample, otherClusters)).toEqual([]);
    },
  );

  it("serves every cluster with PerHostClusters=* and only the named one otherwise", () => {
    const everyCluster = rulesInModes.filter(([, , , , all]) => all);
    expect(everyCluster.map(([name]) => name)).toEqual([
      "own cluster, sync for every cluster: DesiredCountSyncFunction.ContainerInstanceStateChange",
      "own cluster, sync for every cluster: HostConsolidatorFunction.TaskStopped",
      "own cluster, sync for every cluster: HostConsolidatorFunction.ContainerInstanceStateChange",
    ]);
    const [, mode, source] = everyCluster[0] ?? [];
    const [, , event] = ruleEvents.find(([name]) => name.startsWith("DesiredCountSync")) ?? [];
    if (mode === undefined || source === undefined || event === undefined) throw new Error("none");
    // The pattern of the one-cluster modes would not do for every cluster, nor the reverse.
    const oneCluster = patternOf(template, event, modeNamed("own cluster"));
    expect(patternProblems(oneCluster, samplesFor(source), everySample, "matched")).toContainEqual(
      expect.stringMatching(/does not match .* of another cluster/),
    );
    expect(
      patternProblems(patternOf(template, event, mode), samplesFor(source), everySample),
    ).toContainEqual(expect.stringMatching(/matches .* of another cluster/));
  });

  it("catches a pattern that no longer matches its sample", () => {
    const [, source, event] = ruleEvents[0] ?? [];
    if (source === undefined || event === undefined) throw new Error("no rule");
    const copy = templateInMode(template, demo);
    const resource = copy.Resources[event.functionId]?.Properties?.Events as Record<
      string,
      { Properties: { Pattern: { detail: Record<string, Json> } } }
    >;
    const pattern = resource[event.name]?.Properties.Pattern;
    if (pattern === undefined) throw new Error("no pattern");
    pattern.detail.status = ["NO_SUCH_STATUS"];
    const changed = templateEvents({
      ...source,
      properties: copy.Resources[event.functionId]?.Properties ?? {},
    }).find((e) => e.name === event.name);
    if (changed === undefined) throw new Error("event vanished");
    expect(patternProblems(patternOf(copy, changed), samplesFor(source), everySample)).not.toEqual(
      [],
    );
  });

  it("catches a pattern so wide it matches unrelated events", () => {
    const [, source] = ruleEvents[0] ?? [];
    if (source === undefined) throw new Error("no rule");
    const wide = { source: ["aws.ecs"], "detail-type": ["ECS Container Instance State Change"] };
    const taskEvent = everySample.find((s) => detailType(s.event) === "ECS Task State Change");
    expect(taskEvent, "a task state change sample in events/").toBeDefined();
    const loose = { source: ["aws.ecs"] };
    expect(patternProblems(loose, samplesFor(source), everySample).join("\n")).toMatch(/unrelated/);
    expect(patternProblems(wide, samplesFor(source), everySample)).toContainEqual(
      expect.stringMatching(/another cluster/),
    );
  });

  const scheduled = sources.flatMap((source) =>
    templateEvents(source)
      .filter((event) => event.type === "Schedule")
      .map((event) => [`${event.functionId}.${event.name}`, source, event] as const),
  );

  it.each(scheduled)(
    "%s: a valid schedule for every stage, and a sample scheduled event",
    (_, source, event) => {
      for (const stage of Object.keys(template.Mappings?.StageSettings ?? {})) {
        const expression = resolveIntrinsics(event.properties.Schedule ?? null, {
          refs: { Stage: stage },
          mappings: template.Mappings,
        });
        expect(() => parseScheduleExpression(String(expression))).not.toThrow();
      }
      const samples = samplesFor(source).filter((s) => detailType(s.event) === "Scheduled Event");
      expect(samples.map((s) => s.event.source)).toContain("aws.events");
    },
  );

  const streams = sources.flatMap((source) =>
    templateEvents(source)
      .filter((event) => event.type === "DynamoDB")
      .map((event) => [`${event.functionId}.${event.name}`, source, event] as const),
  );

  it.each(streams)(
    "%s: reads a table stream and has INSERT and MODIFY samples",
    (_, source, event) => {
      expect(event.properties.Stream).toMatchObject({
        "Fn::GetAtt": [expect.any(String), "StreamArn"],
      });
      const names = samplesFor(source).flatMap((s) =>
        Array.isArray(s.event.Records)
          ? s.event.Records.map((r) => (isObject(r) ? r.eventName : undefined))
          : [],
      );
      expect(names).toEqual(expect.arrayContaining(["INSERT", "MODIFY"]));
    },
  );
});
