import { connectionPool } from "./connections";
import type { HttpConnection } from "./http-connection";
import type { LoadRun, LoadRunOptions } from "./load";
import { Tally } from "./tally";

/**
 * An open-loop load run, the way wrk2 drives one: request i is due at
 * start + i / rate whatever the server does, and its latency is measured from when it
 * was due, not from when a free connection finally sent it. A server that stalls
 * shows the stall in every request that waited behind it, instead of in one slow
 * sample (coordinated omission).
 */

export type OpenLoopOptions = LoadRunOptions & { ratePerSecond: number };

/** The scheduler wakes this often to send what has fallen due (timers are no finer than ~1 ms). */
const TICK_MS = 1;

export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadRun & { unsent: number }> {
  const tally = new Tally();
  const intervalMs = 1000 / options.ratePerSecond;
  const durationMs = options.durationSeconds * 1000;
  const dueInRun = Math.ceil(durationMs / intervalMs);
  let sent = 0;
  let measuring = true;
  const pool = connectionPool(options, {
    settled(connection, outcome, dueAt, atMs) {
      if (!measuring) return;
      tally.record(outcome, atMs - dueAt);
      freeSlots.push(connection);
      pump();
    },
    received(bytes) {
      if (measuring) tally.received(bytes);
    },
  });
  // One entry per request a connection can still take, `pipelining` each, taken oldest
  // first and laid out a round at a time: a request goes to an idle connection before it
  // queues behind another on a busy one (taking the newest first piled every request onto
  // the connection that had just answered).
  const freeSlots: HttpConnection[] = [];
  for (let round = 0; round < options.pipelining; round++) freeSlots.push(...pool.connections);
  let oldestFree = 0;
  const takeSlot = (): HttpConnection | undefined => {
    const connection = freeSlots[oldestFree++];
    // Drop the taken entries now and then, so the array does not grow with the run.
    if (oldestFree > 4096 && oldestFree * 2 > freeSlots.length) {
      freeSlots.splice(0, oldestFree);
      oldestFree = 0;
    }
    return connection;
  };
  const start = performance.now();
  const dueNow = () => Math.min(Math.floor((performance.now() - start) / intervalMs) + 1, dueInRun);

  /** Sends every request that is due while a connection can take one, each stamped with when it fell due. */
  function pump(): void {
    for (const due = dueNow(); sent < due && oldestFree < freeSlots.length; sent++) {
      takeSlot()?.send(start + sent * intervalMs);
    }
  }

  await new Promise<void>((resolve) => {
    const tick = () => {
      pump();
      if (performance.now() - start >= durationMs) resolve();
      else setTimeout(tick, TICK_MS);
    };
    tick();
  });
  measuring = false;
  const durationSeconds = (performance.now() - start) / 1000;
  // Requests still in flight belong to no second of the run: drop them, as wrk2 does.
  pool.close();
  return { ...tally.figures(durationSeconds), unsent: dueInRun - sent };
}
