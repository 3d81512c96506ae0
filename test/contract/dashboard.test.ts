import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Json, projectRoot, readTemplate, type Template } from "../../local/template/read";
import { resolveIntrinsics } from "../../local/template/resolve";
import { brokenCopy, properties } from "./checks/copies";
import {
  alarmMetrics,
  dashboardMetrics,
  emittedMetrics,
  functionsNotShown,
  type MetricId,
  recordedMetrics,
  unmatchedMetrics,
} from "./checks/metrics";
import { modeContext, modeNamed, templateInMode } from "./checks/modes";

const template = readTemplate();
/** The dashboard exists only in the demo stack. */
const demo = modeNamed("demo stack, images pushed");
const namespace = "Microscale";

function shown(t: Template): { dashboard: MetricId[]; alarms: MetricId[] } {
  const inMode = templateInMode(t, demo);
  const resolve = (node: Json) => resolveIntrinsics(node, modeContext(t, demo));
  const body = resolve(properties(inMode, "Dashboard").DashboardBody ?? "");
  return {
    dashboard: dashboardMetrics(String(body)),
    alarms: alarmMetrics(inMode, resolve),
  };
}
const emitted = emittedMetrics(templateInMode(template, demo), namespace);

/** The dashboard body with one edit, as the template holds it (a !Sub string). */
function dashboardEdited(edit: (body: string) => string): Template {
  return brokenCopy(template, (t) => {
    const body = properties(t, "Dashboard").DashboardBody as { "Fn::Sub": string };
    body["Fn::Sub"] = edit(body["Fn::Sub"]);
  });
}

describe("the functions' custom metrics", () => {
  it("are read from each function's own folder, with the dimensions each call adds", () => {
    expect(emitted).toContainEqual({
      namespace,
      name: "HostsConsolidated",
      functionId: "HostConsolidatorFunction",
      service: "host-consolidator",
      dimensionNames: ["Cluster", "service"],
    });
    expect(emitted).toContainEqual(
      expect.objectContaining({
        name: "Demand",
        service: "priority-scaler",
        dimensionNames: ["service"],
      }),
    );
  });

  it("are recorded only in the function folders (the shared lib records none)", () => {
    expect(recordedMetrics(join(projectRoot, "functions/lib"))).toEqual([]);
  });
});

describe("the dashboard and the alarms", () => {
  it("show only metrics a function emits, by name and with exactly its dimensions", () => {
    const { dashboard, alarms } = shown(template);
    expect(dashboard.filter((m) => m.namespace === namespace).length).toBeGreaterThan(0);
    expect(unmatchedMetrics([...dashboard, ...alarms], emitted)).toEqual([]);
  });

  it("have a widget for every function that emits metrics", () => {
    expect(functionsNotShown(shown(template).dashboard, emitted)).toEqual([]);
  });

  it("catch a metric name typo, a missing service dimension and a widget gone", () => {
    const typo = shown(
      dashboardEdited((body) => body.replace('"HostsConsolidated"', '"HostConsolidated"')),
    );
    expect(unmatchedMetrics(typo.dashboard, emitted)).toEqual([
      'HostConsolidated {"service":"host-consolidator","Cluster":"microscale"}',
    ]);
    const noService = shown(
      dashboardEdited((body) =>
        body.replace('"ActiveInstances", "service", "desired-count-sync",', '"ActiveInstances",'),
      ),
    );
    expect(unmatchedMetrics(noService.dashboard, emitted)).toEqual([
      expect.stringMatching(/^ActiveInstances \{"Service":/),
    ]);
    const gone = shown(
      dashboardEdited((body) => {
        const widget = JSON.parse(body) as { widgets: { properties: { title: string } }[] };
        widget.widgets = widget.widgets.filter((w) => w.properties.title !== "Host consolidation");
        return JSON.stringify(widget);
      }),
    );
    expect(functionsNotShown(gone.dashboard, emitted)).toEqual(["HostConsolidatorFunction"]);
  });
});
