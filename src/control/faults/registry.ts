/**
 * The rules in force: added, listed, removed, and taken by requests (consumed once unless persistent).
 * Faults are data (docs/architecture.md §4.2).
 *
 * With a shared store (`plane`, docs/storage.md §10.8) the rules are the deployment's: every change
 * is a plane op, and a take is counted in Redis (INCR per rule), so a rule with `times: 1` fails
 * exactly one request whichever instances the requests reach.
 */
import { randomUUID } from 'node:crypto';
import { isKakaoPath } from '../../http/paths.js';
import type { SharedPlane } from '../../store/types.js';
import type { Fault, FaultInput, FaultMatch } from '../types.js';
import type { RequestFacts } from './facts.js';
import { MAX_DELAY_MS, parseFaultInput } from './input.js';

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Does the rule match on who is calling (or on the token form)? */
function matchesOnClient(match: FaultMatch): boolean {
  return match.clientId !== undefined || match.appId !== undefined || match.grantType !== undefined;
}

/** Does applying the rule need the request's client and parameters (to match, or for the error body)? */
export function needsFacts(rule: Fault): boolean {
  return matchesOnClient(rule.match) || rule.action.kind === 'kauth-error';
}

function factsMatch(match: FaultMatch, facts: RequestFacts): boolean {
  if (match.clientId !== undefined && facts.clientId !== match.clientId) return false;
  if (match.appId !== undefined && facts.appId !== match.appId) return false;
  if (match.grantType !== undefined && facts.params.get('grant_type') !== match.grantType) return false;
  return true;
}

type Taken = { delayMs: number; error: Fault | undefined };

export class FaultRegistry {
  #rules: Fault[] = [];
  readonly #now: () => number;
  readonly #plane: SharedPlane | undefined;

  constructor(now: () => number = () => Date.now(), plane?: SharedPlane) {
    this.#now = now;
    this.#plane = plane;
    if (plane === undefined) return;
    plane.on('fault-add', (rule) => {
      const fault = rule as Fault;
      this.#rules = [...this.#rules.filter((r) => r.id !== fault.id), fault];
    });
    plane.on('fault-remove', (id) => this.#drop(String(id)));
    plane.on('fault-clear', () => {
      this.#rules = [];
    });
    plane.on('fault-hit', (hit) => {
      const { id, hits } = hit as { id: string; hits: number };
      const rule = this.#rules.find((r) => r.id === id);
      if (rule && hits > rule.hits) this.#counted(rule, hits);
    });
    plane.snapshot(() => this.#rules.map((rule) => ({ kind: 'fault-add', key: `fault:${rule.id}`, value: rule })));
  }

  /** Adds a rule (validated); it applies to the next `times` matching requests, or until removed when `persist`. */
  add(input: FaultInput): Fault {
    const parsed = parseFaultInput(input);
    const persist = parsed.persist === true;
    const fault: Fault = {
      id: randomUUID(),
      match: parsed.match,
      action: parsed.action,
      persist,
      remaining: persist ? null : (parsed.times ?? 1),
      hits: 0,
      createdAt: this.#now(),
    };
    this.#rules.push(fault);
    this.#plane?.write('fault-add', `fault:${fault.id}`, fault);
    return structuredClone(fault);
  }

  /** Active rules, oldest first. */
  list(): Fault[] {
    return structuredClone(this.#rules);
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    const removed = this.#rules.length !== before;
    if (removed) this.#plane?.write('fault-remove', `fault:${id}`, id);
    return removed;
  }

  clear(): void {
    this.#rules = [];
    this.#plane?.write('fault-clear', null, null);
  }

  /**
   * Rules whose method and path match, before any client check (cheap, synchronous). A rule without
   * a method is not met by HEAD: a look at a URL must not take a fault meant for the request a test
   * is about (docs/kakao-wire.md §1.1); a rule naming HEAD is.
   */
  candidates(method: string, path: string): Fault[] {
    if (this.#rules.length === 0 || !isKakaoPath(path)) return []; // the control plane must stay reachable to remove a fault
    return this.#rules.filter((r) => (r.match.method === undefined ? method !== 'HEAD' : r.match.method === method) && pathMatches(r.match.path, path));
  }

  /**
   * Takes what applies to one request and consumes it, synchronously (two concurrent requests
   * cannot both take a one-shot fault): every matching delay, added up to at most MAX_DELAY_MS, and
   * the first matching error.
   */
  take(candidates: Fault[], facts: RequestFacts | undefined): Taken | Promise<Taken> {
    if (this.#plane !== undefined) return this.#takeShared(this.#plane, candidates, facts);
    let delayMs = 0;
    let error: Fault | undefined;
    for (const candidate of candidates) {
      const rule = this.#rules.find((r) => r.id === candidate.id);
      if (!rule) continue;
      if (matchesOnClient(rule.match) && (!facts || !factsMatch(rule.match, facts))) continue;
      if (rule.action.kind === 'delay') delayMs += rule.action.ms;
      else if (error) continue;
      else error = rule;
      this.#consume(rule);
    }
    return { delayMs: Math.min(delayMs, MAX_DELAY_MS), error: error ? structuredClone(error) : undefined };
  }

  /**
   * take() across instances: every matching delay and the first matching error are counted in Redis
   * (one round trip); a rule counted past its `times` elsewhere is not taken here (and goes), and the
   * next matching error is tried in its place.
   */
  async #takeShared(plane: SharedPlane, candidates: Fault[], facts: RequestFacts | undefined): Promise<Taken> {
    const matching = candidates
      .map((c) => this.#rules.find((r) => r.id === c.id))
      .filter((r): r is Fault => r !== undefined && (!matchesOnClient(r.match) || (facts !== undefined && factsMatch(r.match, facts))));
    const delays = matching.filter((r) => r.action.kind === 'delay');
    const errors = matching.filter((r) => r.action.kind !== 'delay');
    let delayMs = 0;
    let error: Fault | undefined;
    const first = errors.shift();
    const counts = await plane.count([...delays, ...(first ? [first] : [])].map((r) => `fault:${r.id}`));
    delays.forEach((rule, i) => {
      if (this.#takeCounted(plane, rule, counts[i]!) && rule.action.kind === 'delay') delayMs += rule.action.ms;
    });
    if (first && this.#takeCounted(plane, first, counts[delays.length]!)) error = first;
    for (let rule = errors.shift(); error === undefined && rule !== undefined; rule = errors.shift()) {
      const [count] = await plane.count([`fault:${rule.id}`]);
      if (this.#takeCounted(plane, rule, count!)) error = rule;
    }
    return { delayMs: Math.min(delayMs, MAX_DELAY_MS), error: error ? structuredClone(error) : undefined };
  }

  /** The rule was counted the `count`th time in the deployment: whether that take is within its `times`. */
  #takeCounted(plane: SharedPlane, rule: Fault, count: number): boolean {
    const times = rule.remaining === null ? null : rule.remaining + rule.hits;
    if (times !== null && count > times) {
      this.#drop(rule.id);
      return false;
    }
    if (count > rule.hits) this.#counted(rule, count);
    if (rule.remaining !== null && rule.remaining <= 0) plane.write('fault-remove', `fault:${rule.id}`, rule.id);
    // No key: hits merge by maximum, in any order (a keyed op would hide an older count from another instance).
    else plane.write('fault-hit', null, { id: rule.id, hits: count });
    return true;
  }

  /** The deployment counted `hits` takes of the rule (never fewer than it knew). */
  #counted(rule: Fault, hits: number): void {
    if (rule.remaining !== null) {
      rule.remaining = rule.remaining + rule.hits - hits;
      if (rule.remaining <= 0) this.#drop(rule.id);
    }
    rule.hits = hits;
  }

  #drop(id: string): void {
    this.#rules = this.#rules.filter((r) => r.id !== id);
  }

  #consume(rule: Fault): void {
    rule.hits += 1;
    if (rule.remaining === null) return;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r.id !== rule.id);
  }
}
