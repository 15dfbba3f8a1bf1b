/**
 * The rules in force: added, listed, removed, and taken by requests (consumed once unless persistent).
 * Faults are data (docs/architecture.md §4.2).
 */
import { randomUUID } from 'node:crypto';
import { isKakaoPath } from '../../http/paths.js';
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

export class FaultRegistry {
  #rules: Fault[] = [];
  readonly #now: () => number;

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
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
    return structuredClone(fault);
  }

  /** Active rules, oldest first. */
  list(): Fault[] {
    return structuredClone(this.#rules);
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
  }

  /** Rules whose method and path match, before any client check (cheap, synchronous). */
  candidates(method: string, path: string): Fault[] {
    if (this.#rules.length === 0 || !isKakaoPath(path)) return []; // the control plane must stay reachable to remove a fault
    return this.#rules.filter((r) => (r.match.method === undefined || r.match.method === method) && pathMatches(r.match.path, path));
  }

  /**
   * Takes what applies to one request and consumes it, synchronously (two concurrent requests
   * cannot both take a one-shot fault): every matching delay, added up to at most MAX_DELAY_MS, and
   * the first matching error.
   */
  take(candidates: Fault[], facts: RequestFacts | undefined): { delayMs: number; error: Fault | undefined } {
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

  #consume(rule: Fault): void {
    rule.hits += 1;
    if (rule.remaining === null) return;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r.id !== rule.id);
  }
}
