/** What the Default termination policy looks at in an instance. */
export interface TerminationCandidate {
  instanceId: string;
  availabilityZone: string;
  protectedFromScaleIn: boolean;
  launchedAt: number;
}

/**
 * The Default termination policy for a scale-in of `count` instances: never one
 * protected from scale in; each time from the Availability Zone with the most instances
 * (that has an unprotected one), so the zones stay balanced; within it the oldest. AWS
 * then prefers the oldest launch template and the instance closest to its next billing
 * hour, picking at random among equals — one launch template and no billing hours here,
 * so the oldest instance decides, which keeps the choice reproducible.
 * Returns fewer than `count` when the rest are protected (the group stays above desired
 * until their protection is removed, as on AWS).
 */
export function selectForScaleIn<T extends TerminationCandidate>(
  instances: readonly T[],
  count: number,
): T[] {
  const remaining = [...instances];
  const selected: T[] = [];
  while (selected.length < count) {
    const perZone = new Map<string, number>();
    for (const instance of remaining) {
      perZone.set(instance.availabilityZone, (perZone.get(instance.availabilityZone) ?? 0) + 1);
    }
    const choice = remaining
      .filter((instance) => !instance.protectedFromScaleIn)
      .sort(
        (a, b) =>
          (perZone.get(b.availabilityZone) ?? 0) - (perZone.get(a.availabilityZone) ?? 0) ||
          a.launchedAt - b.launchedAt ||
          (a.instanceId < b.instanceId ? -1 : 1),
      )[0];
    if (choice === undefined) break;
    selected.push(choice);
    remaining.splice(remaining.indexOf(choice), 1);
  }
  return selected;
}
