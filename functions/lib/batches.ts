/**
 * `items` in order, in batches of at most `size`: for the APIs that take a bounded
 * number of identifiers per call (DescribeServices 10, DescribeContainerInstances 100).
 */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
