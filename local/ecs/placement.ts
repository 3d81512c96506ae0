import { type Expression, evaluate, type SubjectValues } from "./query-language";

/** One container instance as placement sees it. */
export interface PlacementCandidate {
  arn: string;
  remainingCpu: number;
  remainingMemory: number;
  portsInUse: ReadonlySet<number>;
  /** Non-stopped tasks of the task's group (service) already on this instance. */
  groupTaskCount: number;
  /** Subject values for `memberOf` expressions and `spread`/`binpack` fields. */
  subjectValues: SubjectValues;
}

export interface PlacementStrategy {
  type: "spread" | "binpack" | "random";
  field?: string;
}

export interface PlacementRequest {
  cpu: number;
  memory: number;
  /** Fixed host ports the task needs (dynamic ports, hostPort 0, always fit). */
  hostPorts: readonly number[];
  distinctInstance: boolean;
  memberOf: readonly Expression[];
  strategy: readonly PlacementStrategy[];
}

/** Why nothing fitted: AWS's reason codes in `SERVICE_TASK_PLACEMENT_FAILURE`. */
export type PlacementFailureReason =
  | "RESOURCE:CPU"
  | "RESOURCE:MEMORY"
  | "RESOURCE:PORTS"
  | "DistinctInstance placement constraint unsatisfied."
  | "MemberOf placement constraint unsatisfied."
  | "No Container Instances were found in your cluster.";

export type Placement =
  | { placed: true; candidate: PlacementCandidate }
  | { placed: false; reason: PlacementFailureReason; closest?: string };

/** Default when a service names no strategy: spread over zones, then over instances. */
export const defaultStrategy: readonly PlacementStrategy[] = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
  { type: "spread", field: "instanceId" },
];

/**
 * How many of the group's tasks sit on instances sharing each value of a spread field;
 * the caller keeps these counts up to date as tasks are placed.
 */
export type SpreadCounts = (field: string, candidate: PlacementCandidate) => number;

/**
 * Picks the instance for one task, as the ECS scheduler does: filter by constraints and
 * resources, then order by the strategies in turn. Pure: the caller applies the result.
 */
export function placeTask(
  request: PlacementRequest,
  candidates: readonly PlacementCandidate[],
  spreadCount: SpreadCounts,
  random: () => number = Math.random,
): Placement {
  if (candidates.length === 0) {
    return { placed: false, reason: "No Container Instances were found in your cluster." };
  }
  let best: PlacementCandidate | undefined;
  let bestScore: number[] = [];
  // The most common rejection names the failure, as AWS's "closest matching" message does.
  const rejections = new Map<PlacementFailureReason, string>();
  const reject = (reason: PlacementFailureReason, arn: string) => {
    if (!rejections.has(reason)) rejections.set(reason, arn);
  };
  for (const candidate of candidates) {
    if (request.memberOf.some((expression) => !evaluate(expression, candidate.subjectValues))) {
      reject("MemberOf placement constraint unsatisfied.", candidate.arn);
      continue;
    }
    if (request.distinctInstance && candidate.groupTaskCount > 0) {
      reject("DistinctInstance placement constraint unsatisfied.", candidate.arn);
      continue;
    }
    if (candidate.remainingCpu < request.cpu) {
      reject("RESOURCE:CPU", candidate.arn);
      continue;
    }
    if (candidate.remainingMemory < request.memory) {
      reject("RESOURCE:MEMORY", candidate.arn);
      continue;
    }
    if (request.hostPorts.some((port) => candidate.portsInUse.has(port))) {
      reject("RESOURCE:PORTS", candidate.arn);
      continue;
    }
    const score = request.strategy.map((strategy) => {
      switch (strategy.type) {
        case "spread":
          return spreadCount(strategy.field ?? "instanceId", candidate);
        case "binpack":
          return strategy.field === "cpu" ? candidate.remainingCpu : candidate.remainingMemory;
        default:
          return random();
      }
    });
    if (best === undefined || lexicographicallyLess(score, bestScore)) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best !== undefined) return { placed: true, candidate: best };
  // Report the most specific reason: resources before constraints, as AWS does.
  const order: PlacementFailureReason[] = [
    "RESOURCE:CPU",
    "RESOURCE:MEMORY",
    "RESOURCE:PORTS",
    "DistinctInstance placement constraint unsatisfied.",
    "MemberOf placement constraint unsatisfied.",
  ];
  const reason = order.find((r) => rejections.has(r)) ?? "RESOURCE:CPU";
  return { placed: false, reason, closest: rejections.get(reason) };
}

function lexicographicallyLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
