import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { hostConsolidatorId } from "../../../../local/scenario/observe";
import { demandRandomizerId } from "../../../../local/scenario/run-context";
import {
  functionSource,
  resolveHandlerModule,
  stringList,
} from "../../../../local/template/functions";
import { projectRoot, readTemplate } from "../../../../local/template/read";

const template = readTemplate();

/** The handler module of a template function, relative to the project. */
function handlerOf(logicalId: string): string {
  const source = functionSource(template, logicalId, projectRoot);
  const handler = source.properties.Handler;
  const { modulePath } = resolveHandlerModule(
    projectRoot,
    source.codeUri,
    typeof handler === "string" ? handler : "index.handler",
    stringList(source.buildProperties.EntryPoints),
  );
  return relative(projectRoot, modulePath);
}

describe("the logical IDs the scenario and the commands name", () => {
  it.each([
    [demandRandomizerId, "functions/demand-randomizer/index.ts"],
    [hostConsolidatorId, "functions/host-consolidator/index.ts"],
  ])("%s is the template's function with handler %s", (id, handler) => {
    expect(template.Resources[id]?.Type).toBe("AWS::Serverless::Function");
    expect(handlerOf(id)).toBe(handler);
  });
});
