/**
 * Whether an unknown value (an event, a field of one) is an object with named fields:
 * not null, not an array. The first check of every hand-written event validator.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
