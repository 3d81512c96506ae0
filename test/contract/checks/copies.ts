import type { JsonObject, Template } from "../../../local/template/read";

/** A copy of the template with one mistake put in, for a check that must fail on it. */
export function brokenCopy(template: Template, mutate: (copy: Template) => void): Template {
  const copy = structuredClone(template);
  mutate(copy);
  return copy;
}

/** A resource's Properties, to read or to break. */
export const properties = (t: Template, id: string): JsonObject =>
  t.Resources[id]?.Properties as JsonObject;
