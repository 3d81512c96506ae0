import { isObject, type Json } from "../../../local/template/read";

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

/** Allowed actions of a SAM `Policies` list (inline documents and policy templates). */
export function grantedActions(policies: Json | undefined): Grant[] {
  const list = Array.isArray(policies) ? policies : policies === undefined ? [] : [policies];
  const grants: Grant[] = [];
  for (const policy of list) {
    if (typeof policy === "string") {
      grants.push({ action: `managed-policy:${policy}`, sid: policy });
      continue;
    }
    if (!isObject(policy)) continue;
    if (Array.isArray(policy.Statement)) {
      for (const statement of policy.Statement) {
        if (!isObject(statement) || statement.Effect !== "Allow") continue;
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        const sid = typeof statement.Sid === "string" ? statement.Sid : "(no Sid)";
        for (const action of actions) {
          if (typeof action === "string") grants.push({ action, sid });
        }
      }
      continue;
    }
    for (const name of Object.keys(policy)) {
      const actions = samPolicyTemplates[name];
      for (const action of actions ?? [`unknown-policy-template:${name}`]) {
        grants.push({ action, sid: name });
      }
    }
  }
  return grants;
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
