import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * A valid stored demand item (functions/lib/demand-item.ts) in DynamoDB's attribute
 * shape: GetItem's `Item`, a stream record's `NewImage`. `overrides` replace or, with
 * `undefined`, remove attributes, to make a corrupt one.
 */
export function demandImage(
  value: number,
  version: number,
  overrides: Record<string, AttributeValue | undefined> = {},
): Record<string, AttributeValue> {
  const image: Record<string, AttributeValue | undefined> = {
    pk: { S: "demand" },
    value: { N: String(value) },
    version: { N: String(version) },
    updatedAt: { S: "2025-03-06T17:00:00.000Z" },
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(image).filter(
      (entry): entry is [string, AttributeValue] => entry[1] !== undefined,
    ),
  );
}
