import { isObject, type Json, type Template } from "./read";

/** One `!Ref`, `!GetAtt`, `${…}` in a `!Sub` or `DependsOn` entry, with where it stands. */
export interface Reference {
  kind: "Ref" | "GetAtt" | "Sub" | "DependsOn";
  target: string;
  attribute?: string;
  path: string;
}

const pseudoParameters = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

/** `${Name}`, `${Name.Attr}`; `${!Literal}` is an escape and not a reference. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => (match[1] ?? "").trim());
}

export function collectReferences(node: Json, path = ""): Reference[] {
  if (Array.isArray(node))
    return node.flatMap((item, i) => collectReferences(item, `${path}[${i}]`));
  if (!isObject(node)) return [];
  const found: Reference[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = path === "" ? key : `${path}.${key}`;
    if (key === "Ref" && typeof value === "string") {
      found.push({ kind: "Ref", target: value, path: here });
    } else if (key === "Fn::GetAtt" && Array.isArray(value) && typeof value[0] === "string") {
      const attribute = typeof value[1] === "string" ? value[1] : undefined;
      found.push({ kind: "GetAtt", target: value[0], attribute, path: here });
    } else if (key === "Fn::Sub") {
      const [text, variables] = Array.isArray(value) ? value : [value, undefined];
      const local = isObject(variables ?? null) ? Object.keys(variables as object) : [];
      if (typeof text === "string") {
        for (const variable of subVariables(text)) {
          if (local.includes(variable)) continue;
          const [target = "", attribute] = variable.split(/\.(.*)/s);
          found.push({ kind: "Sub", target, attribute: attribute || undefined, path: here });
        }
      }
      if (variables !== undefined) found.push(...collectReferences(variables, `${here}[1]`));
      continue;
    }
    found.push(...collectReferences(value, here));
  }
  return found;
}

/** Every reference whose target is neither a parameter, a resource nor a pseudo parameter. */
export function danglingReferences(template: Template): Reference[] {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = new Set(Object.keys(template.Resources));
  const sections: [string, Json][] = [
    ["Resources", template.Resources as unknown as Json],
    ["Outputs", (template.Outputs ?? {}) as Json],
    ["Conditions", (template.Conditions ?? {}) as Json],
    ["Globals", (template.Globals ?? {}) as Json],
  ];
  const dependencies = Object.entries(template.Resources).flatMap(([id, resource]) => {
    const named = resource.DependsOn ?? [];
    return (Array.isArray(named) ? named : [named]).map(
      (target): Reference => ({ kind: "DependsOn", target, path: `Resources.${id}.DependsOn` }),
    );
  });
  return [
    ...sections.flatMap(([name, section]) => collectReferences(section, name)),
    ...dependencies,
  ].filter((ref) => {
    if (pseudoParameters.has(ref.target)) return false;
    if (ref.kind === "GetAtt" || ref.kind === "DependsOn") return !resources.has(ref.target);
    return !parameters.has(ref.target) && !resources.has(ref.target);
  });
}
