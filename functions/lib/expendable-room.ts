import type { ContainerInstance } from "@aws-sdk/client-ecs";

/**
 * The host consolidator's word to the priority scaler: "a host is leaving, and once its
 * tasks have moved the hosts that stay hold at most N tasks of this expendable service".
 * ECS has no preemption, so the consolidator cannot make room for a moving task by
 * evicting expendable ones; the scaler owns their count. The consolidator puts this
 * container instance attribute on the host it drains (or makes room to drain), and the
 * scaler holds the expendable service at or below the smallest room it finds on an
 * ACTIVE or DRAINING host. The consolidator removes it from an ACTIVE host that is no
 * longer leaving; a drained host takes it with it when it deregisters.
 *
 * Value: `<service>:<count>` pairs separated by spaces, then `@<epoch seconds>` when the
 * room was first written (`low-priority:2 @1764583200`): the consolidator lets a host go
 * only once the scaler has had time to see it. ECS attribute values allow letters, digits,
 * `-_.@/\:` and spaces, up to 128 characters; names allow no `:`, hence the dot.
 */
export const EXPENDABLE_ROOM_ATTRIBUTE = "microscale.expendable-room";

export type ExpendableRoom = ReadonlyMap<string, number>;

/** The room's entries, names sorted: one text per room, whenever it was written. */
function roomEntries(room: ExpendableRoom): string {
  return [...room]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, count]) => `${service}:${count}`)
    .join(" ");
}

/** Service name → tasks it may keep, and since when, in the attribute's form. */
export function formatExpendableRoom(room: ExpendableRoom, since: Date): string {
  return `${roomEntries(room)} @${Math.floor(since.getTime() / 1000)}`.trim();
}

/** When the room in `value` was first written, if it is `room` (undefined otherwise). */
export function roomWrittenAt(value: string | undefined, room: ExpendableRoom): Date | undefined {
  if (value === undefined || roomEntries(parseExpendableRoom(value)) !== roomEntries(room)) {
    return undefined;
  }
  const since = /(?:^| )@(\d+)$/.exec(value)?.[1];
  return since === undefined ? undefined : new Date(Number(since) * 1000);
}

/** The attribute's value as a room; entries that are not `<service>:<whole number>` are skipped. */
export function parseExpendableRoom(value: string | undefined): ExpendableRoom {
  const room = new Map<string, number>();
  for (const entry of (value ?? "").split(" ")) {
    const match = /^([A-Za-z0-9_-]+):(\d+)$/.exec(entry);
    if (match?.[1] !== undefined) room.set(match[1], Number(match[2]));
  }
  return room;
}

/**
 * The fewest tasks `service` may keep while hosts leave: the smallest room for it on any
 * ACTIVE or DRAINING container instance, or undefined when no host is leaving for it.
 */
export function expendableCap(
  instances: readonly ContainerInstance[],
  service: string,
): number | undefined {
  let cap: number | undefined;
  for (const instance of instances) {
    if (instance.status !== "ACTIVE" && instance.status !== "DRAINING") continue;
    const value = instance.attributes?.find((a) => a.name === EXPENDABLE_ROOM_ATTRIBUTE)?.value;
    const room = parseExpendableRoom(value).get(service);
    if (room !== undefined) cap = Math.min(cap ?? room, room);
  }
  return cap;
}
