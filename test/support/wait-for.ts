/**
 * Polls `probe` until it returns a value other than undefined/false and resolves with
 * that value, or fails naming `what` once `deadlineMs` has passed. The one way tests
 * wait on something asynchronous: a condition with a deadline, never a fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  deadlineMs = 10_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
