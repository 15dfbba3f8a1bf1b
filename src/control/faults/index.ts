/**
 * Fault injection: "the next token exchange answers KOE320", "the next /v2/user/me answers -401",
 * "this route answers Kakao's 5xx-class error", "this route is slowed by N ms". Faults are data
 * (docs/architecture.md §4.2): rules in a registry, consumed once unless persistent, applied by one
 * middleware mounted before kauth and kapi. Errors come out in Kakao's exact shapes because they are
 * Kakao's own error classes, rendered by the one Kakao error boundary.
 *
 * - `answers.ts`: the Kakao error each code answers;
 * - `input.ts`: a rule as input, checked;
 * - `registry.ts`: the rules in force, taken by requests;
 * - `facts.ts`: what a rule matches on besides method and path (the calling app, the parameters);
 * - `inject.ts`: the middleware;
 * - `api.ts`: the in-process shortcuts.
 */
export { faultApi, type FaultApi, type FaultOptions } from './api.js';
export { faultInjector, type FaultMiddlewareDeps } from './inject.js';
export { MAX_DELAY_MS, parseFaultInput } from './input.js';
export { FaultRegistry } from './registry.js';
