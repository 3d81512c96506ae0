import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Per-invocation environment variables for functions that run in one process.
 *
 * The handlers read `process.env` on every invocation (through functions/lib/config),
 * and several functions run concurrently in the local cloud: the benchmark runner
 * spends seconds load-testing while the per-host sync reacts to host events. Setting
 * and restoring `process.env` around each call would let one invocation see another's
 * variables after its first `await`. Serialising invocations would let a 10-second
 * benchmark hold back every controller.
 *
 * Instead, `process.env` becomes a view: inside `withEnvironment(vars, fn)` — and in
 * every callback and promise continuation that descends from it (AsyncLocalStorage)
 * — reads see `vars` first, then the process's own environment. Writes inside an
 * invocation stay in that invocation, as they would in a Lambda sandbox. Outside any
 * invocation `process.env` behaves as before.
 */

type Variables = Record<string, string>;

interface Scope {
  variables: Variables;
  /** Names deleted during the invocation, so they read as absent. */
  deleted: Set<string>;
}

const storage = new AsyncLocalStorage<Scope>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const base = process.env;
  const view = new Proxy(base, {
    get(target, name) {
      const scope = storage.getStore();
      if (scope !== undefined && typeof name === "string") {
        if (scope.deleted.has(name)) return undefined;
        if (Object.hasOwn(scope.variables, name)) return scope.variables[name];
      }
      return Reflect.get(target, name);
    },
    set(target, name, value) {
      const scope = storage.getStore();
      if (scope !== undefined && typeof name === "string") {
        scope.variables[name] = String(value);
        scope.deleted.delete(name);
        return true;
      }
      return Reflect.set(target, name, String(value));
    },
    deleteProperty(target, name) {
      const scope = storage.getStore();
      if (scope !== undefined && typeof name === "string") {
        scope.deleted.add(name);
        return true;
      }
      return Reflect.deleteProperty(target, name);
    },
    has(target, name) {
      const scope = storage.getStore();
      if (scope !== undefined && typeof name === "string") {
        if (scope.deleted.has(name)) return false;
        if (Object.hasOwn(scope.variables, name)) return true;
      }
      return Reflect.has(target, name);
    },
    ownKeys(target) {
      const scope = storage.getStore();
      const keys = new Set(Reflect.ownKeys(target));
      if (scope !== undefined) {
        for (const name of Object.keys(scope.variables)) keys.add(name);
        for (const name of scope.deleted) keys.delete(name);
      }
      return [...keys];
    },
    getOwnPropertyDescriptor(target, name) {
      const scope = storage.getStore();
      if (scope !== undefined && typeof name === "string") {
        if (scope.deleted.has(name)) return undefined;
        if (Object.hasOwn(scope.variables, name)) {
          return {
            value: scope.variables[name],
            writable: true,
            enumerable: true,
            configurable: true,
          };
        }
      }
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
  process.env = view;
}

/** Runs `fn` with `variables` layered over the process environment. */
export function withEnvironment<T>(variables: Readonly<Variables>, fn: () => T): T {
  install();
  return storage.run({ variables: { ...variables }, deleted: new Set() }, fn);
}
