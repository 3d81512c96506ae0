import { functionSource, resolveHandlerModule, stringList } from "../template/functions";
import {
  projectRoot as defaultProjectRoot,
  isObject,
  type Json,
  type Template,
} from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";
import type { LocalFunctionDefinition } from "./runtime";

/**
 * An `AWS::Serverless::Function` from the template (Globals merged, intrinsics
 * resolved to local values) as the local runtime runs it.
 */
export function functionFromTemplate(
  template: Template,
  logicalId: string,
  context: ResolveContext,
  projectRoot: string = defaultProjectRoot,
): LocalFunctionDefinition {
  const source = functionSource(template, logicalId, projectRoot);
  const properties = resolveIntrinsics(source.properties, context) as Record<string, Json>;
  const { modulePath, exportName } = resolveHandlerModule(
    projectRoot,
    source.codeUri,
    typeof properties.Handler === "string" ? properties.Handler : "index.handler",
    stringList(source.buildProperties.EntryPoints),
  );
  const environment = isObject(properties.Environment ?? null)
    ? (properties.Environment as { Variables?: Json }).Variables
    : undefined;
  return {
    logicalId,
    functionName:
      typeof properties.FunctionName === "string"
        ? properties.FunctionName
        : (context.refs[logicalId] ?? logicalId),
    modulePath,
    exportName,
    timeoutSeconds: typeof properties.Timeout === "number" ? properties.Timeout : 3,
    memorySizeMb: typeof properties.MemorySize === "number" ? properties.MemorySize : 128,
    // A number, or a parameter's value (a string); AWS::NoValue leaves it out.
    ...(properties.ReservedConcurrentExecutions !== undefined &&
    properties.ReservedConcurrentExecutions !== null &&
    Number.isInteger(Number(properties.ReservedConcurrentExecutions))
      ? { reservedConcurrency: Number(properties.ReservedConcurrentExecutions) }
      : {}),
    environment: isObject(environment ?? null)
      ? Object.fromEntries(
          Object.entries(environment as Record<string, Json>).map(([name, value]) => [
            name,
            typeof value === "string" ? value : JSON.stringify(value),
          ]),
        )
      : {},
  };
}
