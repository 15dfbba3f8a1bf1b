// Load: autocannon (programmatic) for one-request loads, a bounded concurrent loop for whole flows.
import autocannon from 'autocannon';

function cannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...opts, setupClient: undefined }, (err, result) => (err ? reject(err) : resolve(result)));
    // A hard stop a little after the duration, in case a connection hangs.
    const guard = setTimeout(() => instance.stop(), (opts.duration + 10) * 1000);
    guard.unref();
  });
}

/**
 * One request shape against `url`, `warmupS` seconds discarded, then `seconds` measured. `next()`
 * (optional) returns per-request changes ({ body } / { headers }), or null when a finite supply (e.g.
 * of single-use codes) is exhausted; `supply()` then says how many are left, so autocannon is never
 * asked for more requests than that and the run ends early instead.
 * Returns { rps, p50, p99, ok, errors, non2xx, seconds }: rps counts 2xx only.
 */
export async function fixedLoad({ url, method = 'GET', headers = {}, body, next, supply, connections = 20, seconds = 4, warmupS = 1 }) {
  const base = { method, headers, ...(body !== undefined ? { body } : {}) };
  let exhausted = false;
  const request = {
    ...base,
    setupRequest(req) {
      if (!next) return req;
      const change = next();
      if (change === null) {
        exhausted = true;
        return req;
      }
      return { ...req, ...change, headers: { ...req.headers, ...change.headers } };
    },
  };
  const common = { url, connections, pipelining: 1, requests: [request] };
  // With a finite supply (single-use codes), never ask for more requests than there are.
  const cap = () => (supply ? { maxOverallRequests: Math.max(connections, supply()) } : {});
  if (warmupS > 0) await cannon({ ...common, duration: warmupS, ...cap() });
  if (exhausted) throw new Error(`${url}: supply ran out during warm-up`);
  const result = await cannon({ ...common, duration: seconds, ...cap() });
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    exhausted: exhausted || (supply ? supply() <= 0 : false),
  };
}

/**
 * Whole flows: `concurrency` workers each run `task(i)` for fresh indexes i < `limit` until the
 * deadline. The first `warmupS` seconds are discarded; a flow counts if it completed inside the
 * measured window. Returns { rps, p50, p99, ok, errors, results }.
 */
export async function flowLoad({ task, concurrency, limit, seconds = 4, warmupS = 1, keep = 2000, maxErrors = 20 }) {
  const t0 = performance.now();
  const measureFrom = t0 + warmupS * 1000;
  const deadline = measureFrom + seconds * 1000;
  let nextIndex = 0;
  let errors = 0;
  let firstError = null;
  const latencies = [];
  const results = [];
  let measured = 0;
  async function worker() {
    while (performance.now() < deadline && nextIndex < limit && errors < maxErrors) {
      const i = nextIndex++;
      const started = performance.now();
      try {
        const result = await task(i);
        const done = performance.now();
        if (results.length < keep) results.push(result);
        if (done >= measureFrom && done <= deadline) {
          measured += 1;
          latencies.push(done - started);
        }
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (errors >= maxErrors) throw new Error(`flows failed ${errors} times; first: ${firstError?.stack ?? firstError}`);
  const windowEnd = Math.min(deadline, performance.now());
  latencies.sort((a, b) => a - b);
  const pct = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return {
    rps: measured / ((windowEnd - measureFrom) / 1000),
    p50: pct(0.5),
    p99: pct(0.99),
    ok: measured,
    errors,
    firstError,
    results,
    exhausted: nextIndex >= limit,
  };
}
