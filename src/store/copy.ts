/**
 * The copy every store read and write makes (callers may mutate what they get; oidc-provider keeps
 * using the objects it saved). Records are JSON-shaped data (they come from and go to JSON files), so
 * a plain recursive copy does the job: 5-10× cheaper than structuredClone on these small records,
 * which showed up at the top of the bench profiles (an App copy on every kauth and kapi request).
 *
 * Objects are copied with spread, not by adding keys one by one: V8 turns an object that gets more
 * than ~12 properties through computed-key stores into a slow dictionary (an Account copied that way
 * took 1.9 KB instead of 0.6 KB). Spread keeps the source's shape, and defines a `"__proto__"` key
 * (JSON.parse makes it an own property) as data instead of setting the prototype.
 * Anything that is not a plain object, array or primitive (a Date, a Map, a typed array) falls back
 * to structuredClone, so the result is never less faithful than before.
 */
export function copy<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(out)) {
    const v = out[key];
    // Overwrites an own data property (never the __proto__ accessor), so no new keys, no shape change.
    if (typeof v === 'object' && v !== null) out[key] = copyValue(v);
  }
  return out;
}
