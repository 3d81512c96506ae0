import {
  projectRoot as defaultProjectRoot,
  isObject,
  type Json,
  type Template,
  withGlobals,
} from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";
import { type LocalFunctionDefinition, resolveHandlerModule } from "./runtime";

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
  const resource = template.Resources[logicalId];
  if (resource?.Type !== "AWS::Serverless::Function") {
    throw new Error(`${logicalId} is not an AWS::Serverless::Function in the template`);
  }
  const properties = resolveIntrinsics(withGlobals(template, resource), context) as Record<
    string,
    Json
  >;
  const codeUri = typeof properties.CodeUri === "string" ? properties.CodeUri : ".";
  const handler = typeof properties.Handler === "string" ? properties.Handler : "index.handler";
  const buildProperties = resource.Metadata?.BuildProperties;
  const entryPoints =
    isObject(buildProperties ?? null) &&
    Array.isArray((buildProperties as { EntryPoints?: Json }).EntryPoints)
      ? ((buildProperties as { EntryPoints: Json[] }).EntryPoints.filter(
          (entry) => typeof entry === "string",
        ) as string[])
      : [];
  const { modulePath, exportName } = resolveHandlerModule(
    projectRoot,
    codeUri,
    handler,
    entryPoints,
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
