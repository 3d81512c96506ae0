import { isObject, type Json, type JsonObject } from "../../../local/template/read";

/**
 * Least privilege, in both directions: every action the code sends is allowed,
 * and every allowed action is one the code sends. Wildcard actions are refused.
 */

/** Actions of the SAM policy templates we use (see the SAM policy template list). */
const samPolicyTemplates: Record<string, string[]> = {
  LambdaInvokePolicy: ["lambda:InvokeFunction"],
  DynamoDBReadPolicy: [
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
  ],
  DynamoDBWritePolicy: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
  SQSSendMessagePolicy: ["sqs:SendMessage*"],
};

export interface Grant {
  action: string;
  sid: string;
}

const policyList = (policies: Json | undefined): Json[] =>
  Array.isArray(policies) ? policies : policies === undefined ? [] : [policies];

/** The Allow statements of a SAM `Policies` list's inline documents. */
function allowStatements(policies: Json | undefined): JsonObject[] {
  return policyList(policies).flatMap((policy) =>
    isObject(policy) && Array.isArray(policy.Statement)
      ? policy.Statement.filter(
          (statement): statement is JsonObject =>
            isObject(statement) && statement.Effect === "Allow",
        )
      : [],
  );
}

const sidOf = (statement: JsonObject): string =>
  typeof statement.Sid === "string" ? statement.Sid : "(no Sid)";

const actionsOf = (statement: JsonObject): string[] =>
  (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).filter(
    (action): action is string => typeof action === "string",
  );

/** Allowed actions of a SAM `Policies` list (inline documents and policy templates). */
export function grantedActions(policies: Json | undefined): Grant[] {
  return policyList(policies).flatMap((policy): Grant[] => {
    if (typeof policy === "string") return [{ action: `managed-policy:${policy}`, sid: policy }];
    if (!isObject(policy)) return [];
    if (Array.isArray(policy.Statement)) {
      return allowStatements(policy).flatMap((statement) =>
        actionsOf(statement).map((action) => ({ action, sid: sidOf(statement) })),
      );
    }
    return Object.keys(policy).flatMap((name) =>
      (samPolicyTemplates[name] ?? [`unknown-policy-template:${name}`]).map((action) => ({
        action,
        sid: name,
      })),
    );
  });
}

function actionPattern(action: string): RegExp {
  const escaped = action.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

export interface LeastPrivilegeReport {
  /** Sent by the code but not allowed. */
  missing: string[];
  /** Allowed but never sent. */
  unused: string[];
  /** `*` or `service:*`. */
  wildcards: string[];
}

export function leastPrivilege(needed: Iterable<string>, grants: Grant[]): LeastPrivilegeReport {
  const neededList = [...needed];
  const patterns = grants.map((grant) => ({ grant, pattern: actionPattern(grant.action) }));
  return {
    missing: neededList.filter((action) => !patterns.some(({ pattern }) => pattern.test(action))),
    unused: grants
      .filter((grant) => !neededList.some((action) => actionPattern(grant.action).test(action)))
      .map((grant) => `${grant.action} (${grant.sid})`),
    wildcards: grants
      .filter((grant) => grant.action === "*" || grant.action.endsWith(":*"))
      .map((grant) => `${grant.action} (${grant.sid})`),
  };
}

/**
 * SDK commands a function's code holds but sends only under some configuration: the
 * policy must allow them exactly when the function's environment asks for them.
 */
const configurationDependent: Readonly<
  Record<string, Readonly<Record<string, (environment: Readonly<Record<string, Json>>) => boolean>>>
> = {
  // ListClusters finds the clusters of CLUSTERS=* (lib/clusters.ts); a list names them.
  DesiredCountSyncFunction: { "ecs:ListClusters": (env) => env.CLUSTERS === "*" },
  HostConsolidatorFunction: {
    "ecs:ListClusters": (env) => env.CLUSTERS === "*",
    // With no AUTO_SCALING_GROUPS it finds the groups behind the capacity providers.
    "ecs:DescribeClusters": (env) => env.AUTO_SCALING_GROUPS === undefined,
    "ecs:DescribeCapacityProviders": (env) => env.AUTO_SCALING_GROUPS === undefined,
  },
};

/** The actions a function needs with this environment, of those its code can send. */
export function neededActions(
  functionId: string,
  sent: Iterable<string>,
  environment: Readonly<Record<string, Json>>,
): Set<string> {
  const conditional = configurationDependent[functionId] ?? {};
  return new Set([...sent].filter((action) => conditional[action]?.(environment) ?? true));
}

/**
 * The resource types an IAM action can be scoped to (the Service Authorization
 * Reference's "Resource types" column: [] where it must be `*`), or undefined for an
 * action the data does not know.
 */
export type ResourceTypesOf = (action: string) => readonly string[] | undefined;

/**
 * Grants on `Resource: "*"` (alone or in a list) of an action that takes resource ARNs,
 * in a statement with no Condition to scope it instead; and actions the IAM data does
 * not know, which nothing can check. As `action (Sid): why`.
 */
export function unscopedGrants(
  policies: Json | undefined,
  resourceTypesOf: ResourceTypesOf,
): string[] {
  return allowStatements(policies).flatMap((statement) => {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    if (!resources.includes("*") || statement.Condition !== undefined) return [];
    return actionsOf(statement).flatMap((action) => {
      const types = resourceTypesOf(action);
      if (types === undefined) return [`${action} (${sidOf(statement)}): not in the IAM data`];
      if (types.length === 0) return [];
      return [`${action} (${sidOf(statement)}): takes ${types.join(", ")} ARNs, granted on *`];
    });
  });
}
