/**
 * The few helpers that make valibot's schemas speak this project's error language, shared by the
 * fixtures (validate.ts), the command line (options.ts) and the control plane's bodies: every problem
 * at once, each one line naming the dotted field path (`apps[0].redirectUris[1] must be …`), "(got …)"
 * showing the bad value, "did you mean" on unknown keys. docs/architecture.md "Inputs" says where each
 * input is declared.
 *
 * Why these helpers instead of valibot's own strict objects: `strictObject` stops at the first unknown
 * key and takes an array for an object; `record()` reports every unknown key with a suggestion and
 * refuses arrays. Rules are one check each (`rule()`), so one bad value is one problem.
 */
import * as v from 'valibot';

/** The one `isRecord` of the project: a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as messages show it: strings quoted and cut to 80 characters, containers by kind. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}..."` : s;
  }
  // Objects were named above; numbers, booleans and the rest print as themselves.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

export function got(value: unknown): string {
  return ` (got ${describe(value)})`;
}

/** The message of a rule: "must be X (got Y)", or "is required" when there was no value at all. */
export function must(what: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `must be ${what}${got(issue.input)}`);
}

/** One rule, one problem: a value passing `test`, else "must be X (got Y)". */
export function rule<T>(what: string, test: (value: unknown) => boolean): v.GenericSchema<unknown, T> {
  return v.custom<T>(test, must(what));
}

/** The same rule that also takes null ("must be X or null"). */
export function orNull<T>(what: string, test: (value: unknown) => boolean): v.GenericSchema<unknown, T | null> {
  return rule<T | null>(`${what} or null`, (value) => value === null || test(value));
}

export function oneOf<const T extends string>(values: readonly T[]): v.GenericSchema<unknown, T> {
  return rule<T>(`one of ${values.map((value) => `"${value}"`).join(', ')}`, (value) => values.includes(value as T));
}

/** A field with a default (a function when the default is a fresh object or array). */
export function withDefault<T>(schema: v.GenericSchema<unknown, T>, value: T | (() => T)): v.GenericSchema<unknown, T> {
  return v.optional(schema, value as never);
}

/** A field that may be absent, and stays absent. */
export function maybe<T>(schema: v.GenericSchema<unknown, T>): v.GenericSchema<unknown, T | undefined> {
  return v.optional(schema);
}

/** Levenshtein distance, for "did you mean" hints on misspelt names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean "x"?)` when one known name is close to `name`, else ''. */
export function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestScore = Infinity;
  const accepted = Math.max(2, Math.floor(name.length / 4));
  const lower = name.toLowerCase();
  for (const k of known) {
    const candidate = k.toLowerCase();
    // A truncated or extended name ("profile_nick", "redirectUri") is as likely a typo as a swapped letter.
    const prefix = Math.min(lower.length, candidate.length) >= 3 && (candidate.startsWith(lower) || lower.startsWith(candidate));
    // The edit distance is at least the difference in length: past the acceptance bound, skip its
    // length-times-length table (a 1 MB key against every known name took over a second).
    const far = Math.abs(name.length - k.length) > accepted;
    const score = candidate === lower ? 0 : prefix ? 1 : far ? Infinity : distance(name, k);
    if (score < bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= accepted ? ` (did you mean "${best}"?)` : '';
}

/** One schema per field of T: a field added to types.ts without a rule fails to compile. */
export type Entries<T> = { [K in keyof T]-?: v.GenericSchema<unknown, T[K]> };

/** A rule across fields, run only when the fields it reads are valid, reported on field `at`. */
export interface CrossCheck<T> {
  reads: ReadonlyArray<keyof T & string>;
  at: keyof T & string;
  ok: (value: T) => boolean;
  message: string | ((value: T) => string);
}

export interface RecordOptions<T> {
  /** Fill defaults that depend on other fields, before the fields are checked. */
  prepare?: (raw: Record<string, unknown>) => Record<string, unknown>;
  /** Run even when other fields are invalid, so every problem is reported in one pass. */
  checks?: ReadonlyArray<CrossCheck<T>>;
  /** The unknown-key message after the key's path (default: is not a known field, with "did you mean"). */
  unknownKey?: (key: string, known: readonly string[]) => string;
  /** The message when the value is not an object (default: must be an object (got …)). */
  notObject?: string;
  /** Unknown keys are let through (and kept in the output) instead of reported. */
  loose?: true;
  /** Report unknown keys after the fields' problems instead of before. */
  unknownKeysLast?: true;
}

const notKnownField = (key: string, known: readonly string[]): string => `is not a known field${suggest(key, known)}`;

/** An object with exactly these fields, each unknown key reported (with a suggestion). */
export function record<T>(entries: Entries<T>, options: RecordOptions<T> = {}): v.GenericSchema<unknown, T> {
  const known = Object.keys(entries);
  const unknownKey = options.unknownKey ?? notKnownField;
  const checks = (options.checks ?? []).map((c) =>
    v.forward(
      v.partialCheck(
        c.reads.map((k) => [k]) as unknown as [[string]],
        (value) => c.ok(value as T),
        (issue) => (typeof c.message === 'string' ? c.message : c.message(issue.input as T)),
      ),
      [c.at] as never,
    ),
  );
  const notObject = options.notObject;
  // Assembled as a list: the number of steps depends on the options, which valibot's typed pipe() cannot express.
  const pipe = v.pipe as (...items: unknown[]) => unknown;
  return pipe(
    v.custom<Record<string, unknown>>(isRecord, notObject ?? must('an object')),
    ...(options.prepare ? [v.transform(options.prepare)] : []),
    // A loose object keeps the unknown keys in its output, for the check after it to name them all.
    // A missing key gets its field's own message when that is fixed text, else "is required".
    v.looseObject(entries as unknown as v.ObjectEntries, (issue: v.BaseIssue<unknown>) => {
      const message = (entries as Record<string, { message?: unknown }>)[String(issue.path?.at(-1)?.key)]?.message;
      return typeof message === 'string' ? message : 'is required';
    }),
    ...(options.loose
      ? []
      : [
          v.rawCheck(({ dataset, addIssue }) => {
            const value = dataset.value as Record<string, unknown>;
            const before = dataset.issues?.length ?? 0;
            for (const key of Object.keys(value)) {
              if (Object.hasOwn(entries, key)) continue;
              addIssue({ message: unknownKey(key, known), path: [{ type: 'object', origin: 'value', input: value, key, value: value[key] }] });
            }
            // A misspelt key comes first: it often explains the "is required" after it.
            if (!options.unknownKeysLast && before > 0 && dataset.issues) dataset.issues.unshift(...dataset.issues.splice(before));
          }),
        ]),
    ...checks,
  ) as v.GenericSchema<unknown, T>;
}

/** Stands for the array's own path in a "duplicates" message; replaced when the problem is rendered. */
const SAME_ARRAY = '\u0000';

export interface ListOptions<T> {
  max?: number;
  /** Why there is a maximum, quoted in the message. */
  maxReason?: string;
  /** Items with the same identity are reported as duplicates. */
  identity?: (item: T) => string;
}

/** An array of items; the maximum and the duplicates are reported even when some items are bad. */
export function list<T>(item: v.GenericSchema<unknown, T>, options: ListOptions<T> = {}): v.GenericSchema<unknown, T[]> {
  const { max, maxReason, identity } = options;
  return v.pipe(
    v.custom<unknown[]>(Array.isArray, must('an array')),
    v.array(item),
    v.rawCheck(({ dataset, addIssue }) => {
      const items = dataset.value as T[];
      if (max !== undefined && items.length > max) {
        addIssue({ message: `must have at most ${max} entries${maxReason ? ` (${maxReason})` : ''} (got ${items.length})` });
      }
      if (!identity) return;
      const bad = new Set(dataset.issues?.map((issue) => issue.path?.[0]?.key));
      const seen = new Map<string, number>();
      items.forEach((value, i) => {
        if (bad.has(i)) return;
        const id = identity(value);
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else addIssue({ message: `duplicates ${SAME_ARRAY}[${first}]`, path: [{ type: 'array', origin: 'value', input: items, key: i, value }] });
      });
    }),
  );
}

/** `apps[0].redirectUris[1]` from valibot's path items. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    path += item.type === 'array' ? `[${key}]` : path === '' ? String(key) : `.${key}`;
  }
  return path;
}

/** Each issue as one line: the dotted path, then what is wrong. */
export function problemLines(issues: readonly v.BaseIssue<unknown>[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = pathOf(issue);
    const at = prefix && path ? `${prefix}.${path}` : prefix || path;
    const arrayPath = at.replace(/\[\d+\]$/, '');
    const message = issue.message.replaceAll(SAME_ARRAY, arrayPath);
    return at ? `${at} ${message}` : message;
  });
}

/** Run a schema; the value, or every problem as a line. */
export function check<T>(schema: v.GenericSchema<unknown, T>, input: unknown, prefix = ''): { value: T; problems?: undefined } | { value?: undefined; problems: string[] } {
  const result = v.safeParse(schema, input);
  return result.success ? { value: result.output } : { problems: problemLines(result.issues, prefix) };
}
