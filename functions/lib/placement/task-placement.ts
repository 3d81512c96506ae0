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
  // Scores are written into two reused arrays: this loop runs instances × tasks times.
  let score = new Float64Array(request.strategy.length);
  let bestScore = new Float64Array(request.strategy.length);
  // The first rejection of each kind names the failure, as AWS's "closest matching" does.
  const rejections = new Map<PlacementFailureReason, string>();
  const reject = (reason: PlacementFailureReason, arn: string) => {
    if (!rejections.has(reason)) rejections.set(reason, arn);
  };
  for (const candidate of candidates) {
    const rejected = rejection(request, candidate);
    if (rejected !== undefined) {
      reject(rejected, candidate.arn);
      continue;
    }
    for (let i = 0; i < request.strategy.length; i++) {
      const strategy = request.strategy[i] as PlacementStrategy;
      score[i] =
        strategy.type === "spread"
          ? spreadCount(strategy.field ?? "instanceId", candidate)
          : strategy.type === "binpack"
            ? strategy.field === "cpu"
              ? candidate.remainingCpu
              : candidate.remainingMemory
            : random();
    }
    if (best === undefined || lexicographicallyLess(score, bestScore)) {
      best = candidate;
      [score, bestScore] = [bestScore, score];
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

/**
 * Why the instance cannot take the task, or undefined when it can: the filters of
 * placeTask, in its order, for callers that choose among instances their own way.
 */
export function rejection(
  request: Omit<PlacementRequest, "strategy">,
  candidate: PlacementCandidate,
): PlacementFailureReason | undefined {
  for (const expression of request.memberOf) {
    if (!evaluate(expression, candidate.subjectValues)) {
      return "MemberOf placement constraint unsatisfied.";
    }
  }
  if (request.distinctInstance && candidate.groupTaskCount > 0) {
    return "DistinctInstance placement constraint unsatisfied.";
  }
  if (candidate.remainingCpu < request.cpu) return "RESOURCE:CPU";
  if (candidate.remainingMemory < request.memory) return "RESOURCE:MEMORY";
  for (const port of request.hostPorts) {
    if (candidate.portsInUse.has(port)) return "RESOURCE:PORTS";
  }
  return undefined;
}

function lexicographicallyLess(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y;
  }
  return false;
}
