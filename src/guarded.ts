/**
 * `target` with every method (nested objects' too) run after `check()`, through `run`. An async method
 * gets the check's error as a rejection, like any other of its errors; a synchronous one throws it.
 * Used where an object handed to a test must refuse once what it stands for is gone (a closed mock,
 * a deleted sandbox) or must run its calls somewhere (a sandbox's world).
 */
const AsyncFunction = (async () => {}).constructor;

export function guarded<T extends object>(target: T, check: () => void, run: <R>(call: () => R) => R = (call) => call()): T {
  return new Proxy(target, {
    get(obj, key) {
      const value: unknown = Reflect.get(obj, key);
      if (typeof value === 'function') {
        const method = value as (...a: unknown[]) => unknown;
        return (...args: unknown[]) => {
          try {
            check();
          } catch (error) {
            if (method instanceof AsyncFunction) return Promise.reject(error);
            throw error;
          }
          return run(() => method.apply(obj, args));
        };
      }
      if (typeof value === 'object' && value !== null) return guarded(value, check, run);
      return value;
    },
  });
}
