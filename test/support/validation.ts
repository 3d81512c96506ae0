import { expect } from "vitest";
import { ValidationError } from "../../functions/lib/errors";

/** The field a ValidationError thrown by `act` names; fails the test if `act` throws anything else or nothing. */
export function validationFieldOf(act: () => unknown): string {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  return (thrown as ValidationError).field;
}
