import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { functionSources } from "../../../local/template/functions";
import { isObject, type Json, type Template } from "../../../local/template/read";

/**
 * The custom metrics the functions emit and the ones the template shows (the
 * dashboard's widgets, the alarms), compared the way CloudWatch matches them: by
 * namespace, name and the exact set of dimensions. Powertools adds the `service`
 * dimension (POWERTOOLS_SERVICE_NAME) to every metric, beside those a call adds.
 */

const UNITS = new Set(["Count", "None", "Milliseconds", "Percent"]);

/** A metric as CloudWatch stores it: dimensions by name. */
export interface MetricId {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A metric a function's code records: its name, and the names of the dimensions the call adds. */
export interface RecordedMetric {
  readonly file: string;
  readonly name: string;
  readonly dimensionNames: readonly string[];
}

/**
 * Every `<sink>.record("Name", "Unit", value, { Dimension: … })` (lib/observability
 * MetricSink) in the TypeScript files of a folder, read with the compiler's parser.
 */
export function recordedMetrics(folder: string): RecordedMetric[] {
  const found: RecordedMetric[] = [];
  for (const entry of readdirSync(folder)) {
    if (!entry.endsWith(".ts")) continue;
    const file = join(folder, entry);
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === "record"
      ) {
        const [name, unit, , dimensions] = node.arguments;
        if (
          name !== undefined &&
          ts.isStringLiteral(name) &&
          unit !== undefined &&
          ts.isStringLiteral(unit) &&
          UNITS.has(unit.text)
        ) {
          const dimensionNames =
            dimensions !== undefined && ts.isObjectLiteralExpression(dimensions)
              ? dimensions.properties.flatMap((p) =>
                  p.name !== undefined && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
                    ? [p.name.text]
                    : [],
                )
              : [];
          found.push({ file, name: name.text, dimensionNames });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** A metric a function emits, as CloudWatch will hold it. */
export interface MetricShape {
  readonly namespace: string;
  readonly name: string;
  readonly functionId: string;
  readonly service: string;
  /** Sorted. */
  readonly dimensionNames: readonly string[];
}

/** What each function in the template emits: the metrics its own folder records, with `service`. */
export function emittedMetrics(template: Template, namespace: string): MetricShape[] {
  return functionSources(template).flatMap((source) => {
    const variables = (source.properties.Environment as { Variables?: Record<string, Json> })
      ?.Variables;
    const service = variables?.POWERTOOLS_SERVICE_NAME;
    if (source.entryPoint === undefined || typeof service !== "string") return [];
    return recordedMetrics(dirname(source.entryPoint)).map((metric) => ({
      namespace,
      name: metric.name,
      functionId: source.logicalId,
      service,
      dimensionNames: ["service", ...metric.dimensionNames].sort(),
    }));
  });
}

/**
 * The metrics of a dashboard body's metric widgets. A row is
 * `[namespace, name, dimension, value, …, {options}?]`, and "." repeats the previous
 * row's entry in the same place (CloudWatch's dashboard body structure).
 */
export function dashboardMetrics(body: string): MetricId[] {
  const parsed = JSON.parse(body) as { widgets?: { type?: string; properties?: Json }[] };
  return (parsed.widgets ?? []).flatMap((widget) => {
    const properties = isObject(widget.properties ?? null)
      ? (widget.properties as Record<string, Json>)
      : {};
    if (widget.type !== "metric" || !Array.isArray(properties.metrics)) return [];
    let previous: string[] = [];
    return properties.metrics.flatMap((row): MetricId[] => {
      if (!Array.isArray(row)) return [];
      const entries = row
        .filter((item): item is string => typeof item === "string")
        .map((item, i) => (item === "." ? (previous[i] ?? ".") : item));
      previous = entries;
      const [namespace = "", name = "", ...pairs] = entries;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] ?? ""] = pairs[i + 1] ?? "";
      return [{ namespace, name, dimensions }];
    });
  });
}

/** The metrics of the template's alarms (a single metric, or each MetricStat of a metric-math alarm). */
export function alarmMetrics(template: Template, resolve: (node: Json) => Json): MetricId[] {
  const one = (metric: Record<string, Json>): MetricId => ({
    namespace: String(metric.Namespace),
    name: String(metric.MetricName),
    dimensions: Object.fromEntries(
      (Array.isArray(metric.Dimensions) ? metric.Dimensions : []).flatMap((d) =>
        isObject(d) ? [[String(d.Name), String(d.Value)]] : [],
      ),
    ),
  });
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === "AWS::CloudWatch::Alarm")
    .flatMap((resource) => {
      const properties = resolve(resource.Properties ?? {}) as Record<string, Json>;
      if (typeof properties.MetricName === "string") return [one(properties)];
      return (Array.isArray(properties.Metrics) ? properties.Metrics : []).flatMap((query) => {
        const stat = isObject(query) ? query.MetricStat : undefined;
        const metric = isObject(stat ?? null) ? (stat as Record<string, Json>).Metric : undefined;
        return isObject(metric ?? null) ? [one(metric as Record<string, Json>)] : [];
      });
    });
}

/** Whether CloudWatch would show `emitted` for `shown`: same namespace, name and dimensions. */
function isShownAs(shown: MetricId, emitted: MetricShape): boolean {
  return (
    shown.namespace === emitted.namespace &&
    shown.name === emitted.name &&
    shown.dimensions.service === emitted.service &&
    Object.keys(shown.dimensions).sort().join() === emitted.dimensionNames.join()
  );
}

/**
 * A shown metric in the functions' namespace that no function emits with exactly those
 * dimensions: a typo in the name, a dimension missing or extra, another service's name.
 */
export function unmatchedMetrics(
  shown: readonly MetricId[],
  emitted: readonly MetricShape[],
): string[] {
  const namespaces = new Set(emitted.map((metric) => metric.namespace));
  return shown
    .filter((metric) => namespaces.has(metric.namespace))
    .filter((metric) => !emitted.some((candidate) => isShownAs(metric, candidate)))
    .map((metric) => `${metric.name} ${JSON.stringify(metric.dimensions)}`);
}

/** The functions that emit metrics none of which `shown` has. */
export function functionsNotShown(
  shown: readonly MetricId[],
  emitted: readonly MetricShape[],
): string[] {
  const ids = [...new Set(emitted.map((metric) => metric.functionId))];
  return ids.filter(
    (id) =>
      !emitted.some(
        (metric) => metric.functionId === id && shown.some((one) => isShownAs(one, metric)),
      ),
  );
}
