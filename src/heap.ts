/**
 * Process-wide heap policy, for the CLI only (main.ts): V8 flags and a forced collection are the
 * host process's business, so an embedding process (startKakaoMock in a test runner) keeps its own.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * One full garbage collection now. Loading a large store makes ~1 GB of short-lived garbage (the
 * file text, parsed records that were copied or re-indexed); with no allocation after it V8 has no
 * reason to collect, so a server at 100k records idled at 1.1 GB RSS with 240 MB live (bench
 * growth figures). Node reaches the collector only with --expose-gc, which a CLI cannot ask its
 * users for: set the flag, take `gc` from a fresh context, unset it (the main context never gets
 * a `gc` global). Returns false where that is not possible.
 */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gc = exposed;
    else {
      try {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
        setFlagsFromString('--no-expose-gc');
      } catch {
        gc = null;
      }
      if (typeof gc !== 'function') gc = null;
    }
  }
  if (gc === null) return false;
  // Compact every page, not only the most fragmented ones: a load interleaves records that stay
  // with garbage on every page.
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}

/**
 * Keep the old generation within 30% of what is live, instead of V8's default of up to ~3x. Under
 * token traffic oidc-provider promotes ~11 KB per refresh request that dies soon after; with 300 MB
 * live (100k records) V8 let the heap reach 800 MB before collecting. Measured on the bench: RSS at
 * the end 812 → 451 MB with 20%, throughput unchanged (±3%). 20% made a full collection of the
 * 300 MB so frequent that /v2/user/me on that store ran at 0.81-0.88× its empty-store rate; 30% gave
 * 0.95× at 365 MB, 40% 1.19× at 405 MB (over the 400 MB target) (bench/RESULTS.md, seventh session).
 * For the CLI only (main.ts): an embedding process keeps its own GC policy.
 */
export function favourSmallHeap(): void {
  // An explicit `node --heap-growing-percent=N` wins.
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return;
  try {
    setFlagsFromString('--heap-growing-percent=30');
  } catch {
    // Not supported by this runtime: default heap growth.
  }
}
