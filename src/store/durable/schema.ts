/**
 * What a durable data file must look like to be loaded (docs/storage.md §2.5): the base file and
 * each journal line, as valibot schemas. Only the fields the store indexes on are checked; the
 * rest of a record is the domain's business. Checking only validates: the parsed JSON itself is
 * loaded (no copy of 100k records), and the first problem is reported in the words the store has
 * always used, naming the field path (`links[3].appId must be a number`, `ops[0] k must be a string`).
 */
import * as v from 'valibot';
import { isRecord } from '../../config/schema-kit.js';

const string = v.string('must be a string');
const number = v.number('must be a number');

/** A plain object (an array is not one). */
const object = v.custom<Record<string, unknown>>(isRecord, 'must be an object');

/** A missing field reads as the wrong type: `.adminKey must be a string`, as for any other value. */
const asMissing =
  (entries: Record<string, v.GenericSchema>) =>
  (issue: v.BaseIssue<unknown>): string => {
    const field = entries[JSON.parse(issue.expected ?? '""') as string] as { message?: unknown } | undefined;
    return typeof field?.message === 'string' ? field.message : issue.message;
  };

/** A record: an object with these indexed fields (v.object: other fields are neither checked nor copied into the output). */
const record = <E extends Record<string, v.GenericSchema>>(entries: E) => v.pipe(object, v.object(entries, asMissing(entries)));

/** The indexed fields of each record kind: one declaration for the schemas and for recordsLookValid. */
const ACCOUNT_FIELDS = { id: string };
const APP_FIELDS = { appId: number, restApiKey: string, javascriptKey: string, adminKey: string };
const LINK_FIELDS = { appId: number, accountId: string, userId: number };
const CHANNEL_FIELDS = { accountId: string, channelPublicId: string };

const ACCOUNT = record(ACCOUNT_FIELDS);
const APP = record(APP_FIELDS);
const LINK = record(LINK_FIELDS);
const CHANNEL = record(CHANNEL_FIELDS);

const KEYS = v.custom<unknown>((keys) => keys === null || (Array.isArray(keys) && keys.every(isRecord)), 'must be null or an array of JWK objects');
const list = <S extends v.GenericSchema>(item: S) => v.optional(v.array(item, 'must be an array'));

/** Everything in kakao-mock.json but the record lists. */
const HEAD_ENTRIES = {
  version: v.literal(1, 'it is not a kakao-mock data file (version must be 1)'),
  seq: v.optional(v.pipe(v.number('must be a whole number'), v.safeInteger('must be a whole number'), v.minValue(0, 'must be a whole number'))),
  keys: v.optional(KEYS),
};

/** kakao-mock.json, its entries in the order problems are reported. */
export const BASE_SCHEMA = v.object({
  ...HEAD_ENTRIES,
  accounts: list(ACCOUNT),
  deletedAccounts: list(string),
  apps: list(APP),
  deletedApps: list(number),
  links: list(LINK),
  channels: list(CHANNEL),
});

/** BASE_SCHEMA without the record lists. */
const HEAD_SCHEMA = v.object({ ...HEAD_ENTRIES, deletedAccounts: list(string), deletedApps: list(number) });

const fieldTypes = (fields: Record<string, v.GenericSchema>): Array<[string, string]> => Object.entries(fields).map(([field, schema]) => [field, schema.type]);

const RECORD_LISTS: ReadonlyArray<[list: string, fields: Array<[field: string, type: string]>]> = [
  ['accounts', fieldTypes(ACCOUNT_FIELDS)],
  ['apps', fieldTypes(APP_FIELDS)],
  ['links', fieldTypes(LINK_FIELDS)],
  ['channels', fieldTypes(CHANNEL_FIELDS)],
];

/**
 * The record lists, checked against the same fields as plain typeof tests. valibot builds an output
 * object per record it checks: ~40 ms per 100k records against ~5 ms here, and the startup of a
 * 100k-user store is a bench figure. So a good file's records are checked here, and valibot runs on
 * the records only when one is wrong, for the message.
 */
function recordsLookValid(data: Record<string, unknown>): boolean {
  for (const [name, fields] of RECORD_LISTS) {
    const items = data[name];
    if (items === undefined) continue;
    if (!Array.isArray(items)) return false;
    for (const item of items) {
      if (!isRecord(item)) return false;
      for (const [field, type] of fields) if (typeof item[field] !== type) return false;
    }
  }
  return true;
}

/** A put (`v` the record) or a delete (`k` the key, `v: null`; `tomb: true` for a fixture account or app). */
function putOrDelete<T extends string, S extends v.GenericSchema>(t: T, put: S, key: 'string' | 'number', tombs: boolean) {
  return v.pipe(
    // Loose: the check below reads k and tomb from the output.
    v.looseObject({ t: v.literal(t), v: v.nullable(put) }, asMissing({ v: object })),
    v.rawCheck(({ dataset, addIssue }) => {
      const op = dataset.value as Record<string, unknown>;
      if (!dataset.typed || op.v !== null) return;
      if (typeof op.k !== key) addIssue({ message: `k must be a ${key}` });
      else if (tombs && op.tomb !== undefined && op.tomb !== true) addIssue({ message: 'tomb must be true when present' });
    }),
  );
}

const OP = v.variant(
  't',
  [
    putOrDelete('account', ACCOUNT, 'string', true),
    putOrDelete('app', APP, 'number', true),
    putOrDelete('link', LINK, 'string', false),
    v.object({ t: v.literal('channel'), v: CHANNEL }, asMissing({ v: object })),
    v.object({ t: v.literal('keys'), v: KEYS }, asMissing({ v: KEYS })),
    v.object({ t: v.literal('reset') }),
  ],
  // Either the op is not an object, or its `t` is none of the above.
  (issue) => (issue.expected === 'Object' ? 'must be an object' : `unknown op type ${JSON.stringify(issue.input)}`),
);

const SEQ = v.pipe(v.number('must be an integer'), v.safeInteger('must be an integer'));
const LINE_ENTRIES = { seq: SEQ, ops: v.array(OP, 'must be an array') };

export const LINE_SCHEMA = v.pipe(v.custom<Record<string, unknown>>(isRecord, 'it is not a JSON object'), v.object(LINE_ENTRIES, asMissing({ seq: v.number('must be an integer'), ops: LINE_ENTRIES.ops })));

/**
 * The first issue in the store's words: the field path, then what is wrong with it. A message that
 * is a whole sentence (`it is …`) stands alone; an op's own problems follow `ops[i] `.
 */
function firstProblem(issues: readonly v.BaseIssue<unknown>[] | undefined): string | null {
  const issue = issues?.[0];
  if (issue === undefined) return null;
  if (issue.message.startsWith('it is ')) return issue.message;
  let keys = (issue.path ?? []).map((item) => item.key as string | number);
  // The discriminator of an unknown op type: the message names it.
  if (issue.message.startsWith('unknown op type')) keys = keys.slice(0, -1);
  let text = '';
  for (const [i, key] of keys.entries()) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (i === 0) text = key;
    // Within an op: `ops[0] v.appId`, as the store has always written it.
    else text += i === 2 && keys[0] === 'ops' ? ` ${key}` : `.${key}`;
  }
  return text === '' ? issue.message : `${text} ${issue.message}`;
}

/** Why `data` (a JSON object) is not a kakao-mock.json, or null. */
export function baseProblem(data: Record<string, unknown>): string | null {
  // With the records right, the first problem (if any) is in the rest of the file.
  const schema = recordsLookValid(data) ? HEAD_SCHEMA : BASE_SCHEMA;
  return firstProblem(v.safeParse(schema, data, { abortEarly: true }).issues);
}

/** Why `line` (parsed JSON) is not a journal line following seq `afterSeq`, or null. */
export function lineProblem(line: unknown, afterSeq: number): string | null {
  // The order the store has always checked in: the seq (and that it follows), then the ops.
  if (isRecord(line) && v.is(SEQ, line.seq) && line.seq <= afterSeq) return `seq ${line.seq} does not follow ${afterSeq}`;
  return firstProblem(v.safeParse(LINE_SCHEMA, line, { abortEarly: true }).issues);
}
