#!/usr/bin/env node
// `npm run bench` (builds first): kakao-mock as a separate process (node dist/main.js, its default
// file-backed store in a temp dir) measured in one run against two baselines and a peer, on the
// same machine; prints one table. Not a test; loopback only; every loop is bounded.
//
// Phases: baselines (plain node:http, plain Koa, oauth2-mock-server's token endpoint) → kakao-mock
// on an empty store (flows, token, refresh, me, RSS) → startup (a small existing store, and the
// store the run left) vs a bare oidc-provider → kakao-mock on a pre-filled store (100k personas,
// links and grants, 100k live tokens) → in-process (startKakaoMock() starts vs a bare in-process
// oidc-provider, sequential mintTokens() vs the server's token/s; bench/servers/in-process.mjs) → sandboxes (flows with
// 100 sandboxes vs one world, memory per idle sandbox; bench/sandbox-cost.mjs) → Redis
// (skipped without redis-server: the same figures with 1 and with 2 instances on one Redis, the 2
// behind a round-robin balancer, bench/servers/round-robin.mjs; Redis commands per request type,
// bench/lib/redis.mjs) → the table. Profiling: BENCH_CPU_PROF, then
// `node bench/cpuprofile-top.mjs <dir>/<empty|grown>.cpuprofile 30 --phase me`.
//
// Environment (all optional):
//   BENCH_SECONDS=4         measured seconds per throughput figure (plus BENCH_WARMUP=1 of warm-up)
//   BENCH_ONLY=a,b          run only some phases: baselines, empty, startup, growth, inprocess, sandboxes, redis
//   BENCH_SANDBOX_ROUNDS=3  interleaved rounds of the sandbox cases (bench/sandbox-cost.mjs)
//   BENCH_CPU_PROF=dir      start kakao-mock with --cpu-prof, profiles (and phase windows) to dir
//   BENCH_KEEP=1            keep the temp dir (data files, server logs)
//   BENCH_NODE_ARGS="..."   extra node flags for kakao-mock (e.g. --trace-gc)
//   BENCH_QUIET_BUDGET=60   seconds the run may wait, in all, for other processes to go quiet
//   BENCH_GROWTH_PERSONAS=100000 BENCH_GROWTH_TOKENS=100000
//   BENCH_FLOW_CONCURRENCY=32 BENCH_CONNECTIONS=20 BENCH_FLOW_PERSONAS=6000 BENCH_CODES=20000
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtures, writeGrownStore } from './lib/data.mjs';
import { codeFromSession, fullLogin, pool, refreshForm, send, tokenForm } from './lib/http.mjs';
import { fixedLoad, flowLoad } from './lib/load.mjs';
import { freePort, rssMb, startAndWait, stop, waitIdle, waitQuiet, withCpu } from './lib/proc.mjs';
import { commandsPer, haveRedis, REDIS_SERVER, startRedisServer } from './lib/redis.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'main.js');
const env = process.env;
const num = (name, dflt) => (env[name] ? Number(env[name]) : dflt);
const SECONDS = num('BENCH_SECONDS', 4);
const WARMUP = num('BENCH_WARMUP', 1);
const CONNECTIONS = num('BENCH_CONNECTIONS', 20);
const FLOW_CONCURRENCY = num('BENCH_FLOW_CONCURRENCY', 32);
const GROWTH_PERSONAS = num('BENCH_GROWTH_PERSONAS', 100_000);
const GROWTH_TOKENS = num('BENCH_GROWTH_TOKENS', 100_000);
/** Fresh personas in the generated fixtures: the most flows one phase can run. */
const FLOW_PERSONAS = num('BENCH_FLOW_PERSONAS', 6000);
/** Codes prepared for token/s: bounded in count and in time. */
const CODES_MAX = num('BENCH_CODES', 20_000);
const CODE_PREP_S = num('BENCH_CODE_PREP_SECONDS', 12);
const STARTUP_RUNS = 5;
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : null;
const runs = (phase) => !ONLY || ONLY.has(phase);
const PROF = env.BENCH_CPU_PROF || null;

const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = await mkdtemp(join(tmpdir(), 'kakao-mock-bench-'));
const results = {};
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function launch(opts) {
  const started = await startAndWait({ logFile: join(tmp, `${opts.name}.log`), ...opts });
  children.add(started.child);
  started.child.once('exit', () => children.delete(started.child));
  return started;
}

async function other(script, name) {
  const port = await freePort();
  const srv = await launch({ args: [join(ROOT, 'bench', 'servers', script), String(port)], port, path: '/', name, env: { NODE_ENV: 'production' } });
  return { ...srv, origin: `http://127.0.0.1:${port}`, port };
}

// ---------------------------------------------------------------------------------------------
// Setup: the shipped demo app (Kakao Sync, OIDC, client secret) and a fixtures file of personas.

const defaultFixtures = JSON.parse(await readFile(join(ROOT, 'fixtures', 'default.json'), 'utf8'));
const demo = defaultFixtures.apps.find((a) => a.simpleSignup && a.oidc) ?? defaultFixtures.apps[0];
const APP = { appId: demo.appId, clientId: demo.restApiKey, clientSecret: demo.clientSecret, redirectUri: demo.redirectUris[0] };
const fixturesFile = join(tmp, 'fixtures.json');
await writeFixtures(fixturesFile, join(ROOT, 'fixtures', 'default.json'), FLOW_PERSONAS);

function kakaoMockArgs(port, dataDir, fixtures = fixturesFile) {
  return [MAIN, '--port', String(port), '--data', dataDir, ...(fixtures ? ['--fixtures', fixtures] : [])];
}

async function startKakaoMock(dataDir, label) {
  const port = await freePort();
  const nodeArgs = PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROF}`, `--cpu-prof-name=${label}.cpuprofile`] : [];
  // e.g. BENCH_NODE_ARGS=--trace-gc (the server's output is in <temp dir>/kakao-mock-<label>.log).
  if (env.BENCH_NODE_ARGS) nodeArgs.push(...env.BENCH_NODE_ARGS.split(' ').filter(Boolean));
  const srv = await launch({ args: kakaoMockArgs(port, dataDir), nodeArgs, port, path: '/health', name: `kakao-mock-${label}` });
  return { ...srv, port, origin: `http://127.0.0.1:${port}` };
}

async function describeStore(dir) {
  const { stat } = await import('node:fs/promises');
  const durable = JSON.parse(await readFile(join(dir, 'kakao-mock.json'), 'utf8'));
  const { readSnapshotFile, SNAPSHOT_FILE } = await import('../dist/store/index.js');
  const tokens = await readSnapshotFile(join(dir, SNAPSHOT_FILE));
  const count = (m) => Object.keys(tokens[m] ?? {}).length;
  const mb = async (f) => ((await stat(join(dir, f))).size / 1e6).toFixed(1);
  return `${fmt(durable.links.length)} links, ${fmt(count('Grant'))} grants, ${fmt(count('AccessToken') + count('RefreshToken'))} tokens, ${fmt(count('Session'))} sessions; files ${await mb('kakao-mock.json')} + ${await mb(SNAPSHOT_FILE)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Baselines and the peer.

async function baselines() {
  for (const [key, script] of [
    ['http', 'plain-http.mjs'],
    ['koa', 'plain-koa.mjs'],
  ]) {
    const srv = await other(script, key);
    log(`baseline ${key}`);
    await settle([srv.child.pid]);
    results[key] = await withCpu(srv.child.pid, () => fixedLoad({ url: `${srv.origin}/`, connections: CONNECTIONS, seconds: SECONDS, warmupS: WARMUP }));
    results[key].rss = rssMb(srv.child.pid);
    await stop(srv.child);
  }
  const port = await freePort();
  const peer = await launch({
    args: [join(ROOT, 'bench', 'servers', 'peer-oauth2.mjs'), String(port)],
    port,
    path: '/.well-known/openid-configuration',
    name: 'peer',
  });
  log('peer oauth2-mock-server token endpoint');
  await settle([peer.child.pid]);
  results.peer = await withCpu(peer.child.pid, () => fixedLoad({
    url: `http://127.0.0.1:${port}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    // Same grant and form as ours (it accepts any code; it signs an access token and an ID token).
    body: tokenForm(APP, 'any-code'),
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupS: WARMUP,
  }));
  await stop(peer.child);
}

// ---------------------------------------------------------------------------------------------
// kakao-mock: flows, token, refresh, me; RSS idle and at the end.

async function prepareCodes(p, origin, jars) {
  const codes = [];
  const deadline = performance.now() + CODE_PREP_S * 1000;
  const workers = Math.min(16, jars.length);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let k = w; codes.length < CODES_MAX && performance.now() < deadline; k += workers) {
        codes.push(await codeFromSession(p, origin, APP, jars[k % jars.length]));
      }
    }),
  );
  return { codes, rps: codes.length / ((performance.now() - started) / 1000) };
}

/** With BENCH_CPU_PROF: when each figure was measured (CLOCK_MONOTONIC µs, the profile's clock). */
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
let quietBudgetS = num('BENCH_QUIET_BUDGET', 90);
const QUIET_WAIT_S = 20;
const quiet = { waitedS: 0, figures: 0 };
/** Before a figure: wait (bounded per figure and per run) for other work on the machine to stop. */
async function settle(pids) {
  if (quietBudgetS <= 0) return;
  const q = await waitQuiet({ pids, limitS: Math.min(QUIET_WAIT_S, quietBudgetS) });
  quietBudgetS -= q.waitedS;
  quiet.waitedS += q.waitedS;
  quiet.figures += 1;
}

async function phase(phases, name, fn, pid) {
  // The server's own leftovers first (a snapshot write the previous figure made due), then others'.
  const idleS = await waitIdle(pid);
  await settle([pid].flat());
  const fromUs = monoUs();
  try {
    const result = await withCpu(pid, fn);
    result.idleWaitS = idleS;
    return result;
  } finally {
    phases.push({ name, fromUs, toUs: monoUs() });
  }
}

async function measureKakaoMock(label, dataDir, grown, start = () => startKakaoMock(dataDir, label)) {
  const srv = await start();
  // A deployment on Redis is several processes: its instances, Redis, the balancer.
  const pids = srv.pids ?? srv.child.pid;
  const out = { startMs: srv.ms };
  const phases = [];
  const ph = (name, fn) => phase(phases, name, fn, pids);
  const { origin } = srv;
  const p = pool(origin, Math.max(FLOW_CONCURRENCY, CONNECTIONS));
  try {
    // Idle means idle: a loaded store settles in the background (its records parsed and re-keyed,
    // then one GC) after /health answers.
    await sleep(1000);
    out.settleS = await waitIdle(pids);
    out.rssIdle = rssMb(srv.child.pid);

    if (grown) {
      // The pre-filled records are live: one of each must work like a fresh one.
      const me = await send(p, { path: '/v2/user/me', headers: { authorization: `Bearer ${grown.sample.accessTokens[0]}` } });
      const rt = await send(p, { method: 'POST', path: '/oauth/token', body: refreshForm(APP, grown.sample.refreshTokens[0]) });
      if (me.status !== 200 || rt.status !== 200) throw new Error(`pre-filled tokens do not work: me ${me.status} ${me.text}; refresh ${rt.status} ${rt.text}`);
    }

    log(`${label}: flows (${FLOW_CONCURRENCY} browsers)`);
    out.flows = await ph('flows', () =>
      flowLoad({
        task: (i) => fullLogin(p, origin, APP, `bench-${i}`),
        concurrency: FLOW_CONCURRENCY,
        limit: FLOW_PERSONAS,
        seconds: SECONDS,
        warmupS: WARMUP,
      }),
    );
    const sessions = out.flows.results;
    // Codes, refresh and access tokens come from these logins (however few completed).
    if (sessions.length === 0) throw new Error(`${label}: no flow completed`);
    if (sessions.length < 20) log(`${label}: only ${sessions.length} flows completed; the other figures reuse their sessions`);

    log(`${label}: preparing codes from ${sessions.length} logged-in browsers`);
    const prep = await ph('codes', () => prepareCodes(p, origin, sessions.map((s) => s.jar)));
    out.codePrep = prep.rps;
    const codes = prep.codes;
    let c = 0;
    log(`${label}: token/s with ${codes.length} codes`);
    out.token = await ph('token', () => fixedLoad({
      url: `${origin}/oauth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      next: () => (c < codes.length ? { body: tokenForm(APP, codes[c++]) } : null),
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupS: WARMUP,
      supply: () => codes.length - c,
    }));

    const rts = sessions.map((s) => s.tokens.refresh_token);
    let r = 0;
    log(`${label}: refresh/s over ${rts.length} refresh tokens`);
    out.refresh = await ph('refresh', () => fixedLoad({
      url: `${origin}/oauth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      next: () => ({ body: refreshForm(APP, rts[r++ % rts.length]) }),
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupS: WARMUP,
    }));

    const ats = sessions.map((s) => s.tokens.access_token);
    let a = 0;
    log(`${label}: me/s over ${ats.length} access tokens`);
    out.me = await ph('me', () => fixedLoad({
      url: `${origin}/v2/user/me`,
      next: () => ({ headers: { authorization: `Bearer ${ats[a++ % ats.length]}` } }),
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupS: WARMUP,
    }));
    out.rssEnd = rssMb(srv.child.pid);
  } finally {
    await p.close();
    await (srv.stopAll ?? (() => stop(srv.child)))();
    if (PROF) await writeFile(join(PROF, `${label}.phases.json`), JSON.stringify(phases));
  }
  return out;
}

/**
 * A small existing store, as a developer or a CI job has it: the shipped fixtures, each shipped
 * persona logged in to the demo app once (links, grants, sessions, tokens on disk).
 */
async function writeSmallStore(dir) {
  const port = await freePort();
  const srv = await launch({ args: kakaoMockArgs(port, dir, null), port, path: '/health', name: 'small-store' });
  const origin = `http://127.0.0.1:${port}`;
  const p = pool(origin, 4);
  let linked = 0;
  try {
    for (const persona of defaultFixtures.accounts) {
      try {
        await fullLogin(p, origin, APP, persona.id);
        linked += 1;
      } catch {
        // The under-14 persona is refused by the Kakao Sync app: as on Kakao.
      }
    }
  } finally {
    await p.close();
    await stop(srv.child);
  }
  return linked;
}

/** Spawn to first /health 200 (median of STARTUP_RUNS), alternating with a bare oidc-provider. */
async function startupOn(dataDir, fixtures) {
  const ours = [];
  const bare = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    await settle([]);
    // Alternate the two so drift (page cache, CPU frequency) hits both alike.
    const port = await freePort();
    const srv = await launch({ args: kakaoMockArgs(port, dataDir, fixtures), port, path: '/health', name: 'startup' });
    ours.push(srv.ms);
    await stop(srv.child);
    const bport = await freePort();
    const b = await launch({ args: [join(ROOT, 'bench', 'servers', 'bare-oidc.mjs'), String(bport)], port: bport, path: '/.well-known/openid-configuration', name: 'bare-oidc' });
    bare.push(b.ms);
    await stop(b.child);
  }
  return { ours, bare, oursMs: median(ours), bareMs: median(bare), store: await describeStore(dataDir) };
}

// ---------------------------------------------------------------------------------------------
// Redis (docs/storage.md §10): the same figures on `--store redis://…`, and commands per request.

/**
 * Its own redis-server (persistence off) and `instances` kakao-mock processes on it; 2+ behind a
 * round-robin balancer: per request (round-robin.mjs), or per connection (round-robin-tcp.mjs).
 */
async function redisDeployment(label, instances, balancer = 'round-robin.mjs') {
  const redis = await startRedisServer(await freePort());
  children.add(redis.child);
  const front = instances > 1 ? await freePort() : null;
  const started = performance.now();
  const srvs = [];
  try {
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const args = [...kakaoMockArgs(port, join(tmp, `data-${label}-${i}`)), '--store', redis.url, ...(front === null ? [] : ['--public-url', `http://127.0.0.1:${front}`])];
      // A longer bound than the embedded store's: on a loaded 2-core machine an instance that
      // loads node-redis and reads the log was seen to take over 20 s.
      srvs.push({ ...(await launch({ args, port, path: '/health', name: `kakao-mock-${label}-${i}`, limitMs: 60_000 })), port });
    }
  } catch (error) {
    for (const srv of srvs) await stop(srv.child);
    await stop(redis.child);
    throw error;
  }
  let lb = null;
  if (front !== null) lb = await launch({ args: [join(ROOT, 'bench', 'servers', balancer), String(front), ...srvs.map((s) => String(s.port))], port: front, path: '/health', name: `round-robin-${label}` });
  const port = front ?? srvs[0].port;
  return {
    child: srvs[0].child,
    ms: performance.now() - started,
    port,
    origin: `http://127.0.0.1:${port}`,
    redisPort: redis.port,
    pids: [...srvs.map((s) => s.child.pid), redis.child.pid, ...(lb ? [lb.child.pid] : [])],
    async stopAll() {
      if (lb) await stop(lb.child);
      for (const srv of srvs) await stop(srv.child);
      await stop(redis.child);
    },
  };
}

const ROUND_TRIP_N = 100;
/** Redis commands per request type, one instance, requests one at a time (no shared catch-up). */
async function commandsPerRequest(srv, p, first) {
  const out = {};
  const jars = [];
  out.flow = await commandsPer(srv.redisPort, 20, async (i) => {
    jars.push((await fullLogin(p, srv.origin, APP, `bench-${first + i}`, { me: false })).jar);
  });
  const codes = [];
  out.authorize = await commandsPer(srv.redisPort, ROUND_TRIP_N, async (i) => codes.push(await codeFromSession(p, srv.origin, APP, jars[i % jars.length])));
  const tokens = [];
  out.token = await commandsPer(srv.redisPort, ROUND_TRIP_N, async (i) => {
    const r = await send(p, { method: 'POST', path: '/oauth/token', body: tokenForm(APP, codes[i]) });
    if (r.status !== 200) throw new Error(`/oauth/token: ${r.status} ${r.text.slice(0, 200)}`);
    tokens.push(JSON.parse(r.text));
  });
  out.me = await commandsPer(srv.redisPort, ROUND_TRIP_N, async (i) => {
    const r = await send(p, { path: '/v2/user/me', headers: { authorization: `Bearer ${tokens[i].access_token}` } });
    if (r.status !== 200) throw new Error(`/v2/user/me: ${r.status}`);
  });
  out.refresh = await commandsPer(srv.redisPort, ROUND_TRIP_N, async (i) => {
    const r = await send(p, { method: 'POST', path: '/oauth/token', body: refreshForm(APP, tokens[i].refresh_token) });
    if (r.status !== 200) throw new Error(`refresh: ${r.status} ${r.text.slice(0, 200)}`);
  });
  return out;
}

async function redisPhase() {
  const out = {};
  log('redis: 1 instance');
  out.one = await measureKakaoMock('redis-1', null, null, () => redisDeployment('redis-1', 1));
  log('redis: 2 instances behind a round-robin balancer');
  out.two = await measureKakaoMock('redis-2', null, null, () => redisDeployment('redis-2', 2));
  log('redis: 2 instances behind a per-connection (TCP) balancer');
  out.twoTcp = await measureKakaoMock('redis-2-tcp', null, null, () => redisDeployment('redis-2-tcp', 2, 'round-robin-tcp.mjs'));
  log('redis: commands per request type, on an empty store and after a burst of flows');
  const srv = await redisDeployment('redis-rt', 1);
  const p = pool(srv.origin, FLOW_CONCURRENCY);
  try {
    // Personas from the end of the generated ones for the counted logins; the burst takes the others.
    out.commands = { empty: await commandsPerRequest(srv, p, FLOW_PERSONAS - 20) };
    const fill = await flowLoad({ task: (i) => fullLogin(p, srv.origin, APP, `bench-${i}`, { me: false }), concurrency: FLOW_CONCURRENCY, limit: FLOW_PERSONAS - 40, seconds: SECONDS * 2, warmupS: 0 });
    out.fillFlows = fill.results.length;
    out.commands.filled = await commandsPerRequest(srv, p, FLOW_PERSONAS - 40);
  } finally {
    await p.close();
    await srv.stopAll();
  }
  return out;
}

/** In a child process of its own, so the bench's own load generator and heap stay out of it. */
async function inProcess() {
  await settle([]);
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'bench', 'servers', 'in-process.mjs'), '10', String(SECONDS)], { maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  const r = JSON.parse(out.trim().split('\n').pop());
  return { ...r, oursMs: median(r.starts.ours), bareMs: median(r.starts.bare) };
}

/**
 * Sandboxes (docs/architecture.md §5): login flows/s with 100 sandboxes active (each with a fault rule
 * and a moved clock) against one world, measured by bench/sandbox-cost.mjs in the same run; the
 * memory of an idle sandbox (bench/servers/sandbox-memory.mjs).
 */
async function sandboxes() {
  await settle([]);
  const run = (args, extraEnv = {}) =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, args, { maxBuffer: 1 << 20, env: { ...process.env, ...extraEnv } }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()))));
    });
  const memory = await run(['--expose-gc', join(ROOT, 'bench', 'servers', 'sandbox-memory.mjs'), '500']);
  const cost = await run([join(ROOT, 'bench', 'sandbox-cost.mjs')], { BENCH_JSON: '1', BENCH_ROUNDS: env.BENCH_SANDBOX_ROUNDS ?? '3', BENCH_SECONDS: String(SECONDS) });
  return { memory, cost };
}

// ---------------------------------------------------------------------------------------------

const t0 = performance.now();
const emptyDir = join(tmp, 'data-empty');
const grownDir = join(tmp, 'data-grown');
try {
  if (runs('baselines')) await baselines();
  if (runs('empty') || runs('startup') || runs('growth') || runs('redis')) {
    log('kakao-mock, empty store');
    results.empty = await measureKakaoMock('empty', emptyDir, null);
  }
  if (runs('startup')) {
    const smallDir = join(tmp, 'data-small');
    log('startup: a small existing store (shipped personas logged in once)');
    results.smallLinked = await writeSmallStore(smallDir);
    results.startup = await startupOn(smallDir, null);
    log('startup: the store the empty-store phase left behind');
    results.startupLeft = await startupOn(emptyDir, fixturesFile);
  }
  if (runs('growth')) {
    log(`writing a store with ${GROWTH_PERSONAS} personas + links and ${GROWTH_TOKENS} live tokens`);
    const grown = await writeGrownStore({
      templateDir: emptyDir,
      dir: grownDir,
      appId: APP.appId,
      clientId: APP.clientId,
      personas: GROWTH_PERSONAS,
      tokens: GROWTH_TOKENS,
    });
    results.grownCounts = grown.counts;
    log(`kakao-mock, pre-filled store ${JSON.stringify(grown.counts)}`);
    results.grown = await measureKakaoMock('grown', grownDir, grown);
  }
  if (runs('inprocess')) {
    log('in-process: startKakaoMock() starts and sequential mintTokens()');
    results.inProcess = await inProcess();
  }
  if (runs('sandboxes')) {
    log('sandboxes: flows with 100 sandboxes vs one world, memory per idle sandbox');
    results.sandboxes = await sandboxes();
  }
  if (runs('redis')) {
    if (haveRedis()) results.redis = await redisPhase();
    else log(`redis: SKIPPED, no redis-server at ${REDIS_SERVER} (apt-get install redis-server)`);
  }
} finally {
  for (const c of children) await stop(c);
  if (!env.BENCH_KEEP) await rm(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
results.totalS = (performance.now() - t0) / 1000;
results.quiet = quiet;

// ---------------------------------------------------------------------------------------------
// The table.

const ratio = (a, b) => (a === undefined || b === undefined || !b ? '—' : `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}×`);
const verdict = (ok) => (ok === undefined ? '' : ok ? 'PASS' : 'MISS');
const H = results.http?.rps;
const K = results.koa?.rps;
const rows = [];
// autocannon measures latency in whole milliseconds: 0 means under 1 ms.
const row = (figure, value, p99, target, ok, note = '') =>
  rows.push([figure, value, p99 === undefined ? '—' : p99 === 0 ? '< 1 ms' : `${fmt(p99, p99 < 10 ? 1 : 0)} ms`, target, verdict(ok), note]);
const thr = (r) => (r ? `${fmt(r.rps)}/s` : '—');
const vs = (r) => (r ? `${ratio(r.rps, H)} http · ${ratio(r.rps, K)} Koa` : '—');
const warn = (r) =>
  (r && (r.non2xx || r.errors) ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : '') +
  (r?.exhausted ? ' (supply ran out)' : '') +
  (r?.cpu ? `; CPU cores: server ${r.cpu.server.toFixed(2)}, generator ${r.cpu.bench.toFixed(2)}, other ${r.cpu.other.toFixed(2)}` : '') +
  (r?.cpu && r.cpu.other > 0.3 ? ' — DISTURBED by other processes' : '') +
  (r?.idleWaitS > 2.5 ? `; started once the server was idle (${r.idleWaitS.toFixed(1)} s after the previous figure)` : '');

if (results.http) row('baseline: node:http, small JSON', thr(results.http), results.http.p99, '', undefined, `${vs(results.http)}${warn(results.http)}`);
if (results.koa) row('baseline: Koa, small JSON', thr(results.koa), results.koa.p99, '', undefined, `${vs(results.koa)}${warn(results.koa)}`);
if (results.peer) row('peer: oauth2-mock-server token/s', thr(results.peer), results.peer.p99, '', undefined, `${vs(results.peer)}${warn(results.peer)}`);

const rssVs = (r) =>
  results.http && results.koa
    ? `end ÷ baselines after their load (node:http ${fmt(results.http.rss)} MB, Koa ${fmt(results.koa.rss)} MB): ${ratio(r.rssEnd, results.http.rss)} http · ${ratio(r.rssEnd, results.koa.rss)} Koa`
    : '';
const E = results.empty;
const G = results.grown;
if (E) {
  row('flows/s (empty store)', thr(E.flows), E.flows.p99, '≥ 300', E.flows.rps >= 300, `${vs(E.flows)}; ${FLOW_CONCURRENCY} browsers, 9 requests each${warn(E.flows)}`);
  row('token/s (empty)', thr(E.token), E.token.p99, `≥ 1,000 and ≥ peer`, E.token.rps >= 1000 && (!results.peer || E.token.rps >= results.peer.rps), `${vs(E.token)}; ${results.peer ? `${ratio(E.token.rps, results.peer.rps)} peer` : 'no peer run'}${warn(E.token)}`);
  row('refresh/s (empty)', thr(E.refresh), E.refresh.p99, '≥ 2,000', E.refresh.rps >= 2000, `${vs(E.refresh)}${warn(E.refresh)}`);
  row('me/s (empty)', thr(E.me), E.me.p99, '≥ 40% of Koa', K ? E.me.rps >= 0.4 * K : undefined, `${vs(E.me)}${warn(E.me)}`);
  row('RSS idle / end (empty)', `${fmt(E.rssIdle)} / ${fmt(E.rssEnd)} MB`, undefined, '', undefined, rssVs(E));
}
const startupRow = (label, S) =>
  row(
    label,
    `${fmt(S.oursMs)} ms`,
    undefined,
    '< 500 ms and < 1.5× bare',
    S.oursMs < 500 && S.oursMs < 1.5 * S.bareMs,
    `bare oidc-provider ${fmt(S.bareMs)} ms → ${ratio(S.oursMs, S.bareMs)}; runs ${S.ours.map((x) => fmt(x)).join(', ')} vs ${S.bare.map((x) => fmt(x)).join(', ')}; store: ${S.store}`,
  );
if (results.startup) startupRow(`startup, small existing store (median of ${STARTUP_RUNS})`, results.startup);
if (results.startupLeft) startupRow(`startup, the store this run left (median of ${STARTUP_RUNS})`, results.startupLeft);
if (G) {
  const grow = (r, e) => `${ratio(r.rps, e.rps)} of empty; ${vs(r)}${warn(r)}`;
  row('flows/s (pre-filled)', thr(G.flows), G.flows.p99, '≥ 100', G.flows.rps >= 100, grow(G.flows, E.flows));
  row('token/s (pre-filled)', thr(G.token), G.token.p99, '≥ 90% of empty', G.token.rps >= 0.9 * E.token.rps, grow(G.token, E.token));
  row('refresh/s (pre-filled)', thr(G.refresh), G.refresh.p99, '≥ 90% of empty', G.refresh.rps >= 0.9 * E.refresh.rps, grow(G.refresh, E.refresh));
  row('me/s (pre-filled)', thr(G.me), G.me.p99, '≥ 90% of empty', G.me.rps >= 0.9 * E.me.rps, grow(G.me, E.me));
  row('RSS idle / end (pre-filled)', `${fmt(G.rssIdle)} / ${fmt(G.rssEnd)} MB`, undefined, '< 400 MB', Math.max(G.rssIdle, G.rssEnd) < 400, rssVs(G));
  row('startup on the pre-filled store (1 run)', `${fmt(G.startMs)} ms`, undefined, '', undefined, 'information');
}
const I = results.inProcess;
if (I) {
  const starts = I.starts.ours.length;
  row(
    `in-process startKakaoMock() to /health 200, starts 2..${starts + 1} (median)`,
    `${fmt(I.oursMs, 1)} ms`,
    undefined,
    '≤ 5× bare in-process',
    I.oursMs <= 5 * I.bareMs,
    `bare new Provider() + listen(0) + first request ${fmt(I.bareMs, 1)} ms → ${ratio(I.oursMs, I.bareMs)}; first start ${fmt(I.first.ours)} ms (bare ${fmt(I.first.bare)} ms); runs ${I.starts.ours.map((x) => fmt(x)).join(', ')} vs ${I.starts.bare.map((x) => fmt(x)).join(', ')}`,
  );
  const server = E?.token.rps;
  row(
    'in-process mintTokens(), sequential',
    `${fmt(I.mintPerS)}/s`,
    undefined,
    '≥ 0.8× server token/s',
    server ? I.mintPerS >= 0.8 * server : undefined,
    `${server ? `${ratio(I.mintPerS, server)} server token/s (empty)` : 'no token/s in this run'}; ${fmt(I.mints)} mints in ${SECONDS} s, each kauth's code made without the pages (Session, Grant, code; the consent step's records on a first link), then the real code exchange in memory`,
  );
  const exchangeMs = I.mintSteps?.['POST /oauth/token'];
  if (exchangeMs) {
    // A sequential mint waits for its own code exchange (ID token signature included) however cheap
    // the pages are: 1000 / that time is the most a sequential mint could reach.
    row(
      "a mint's code exchange alone, server time (median)",
      `${fmt(exchangeMs, 2)} ms`,
      undefined,
      '',
      undefined,
      `bound for a sequential mint (the rest of a mint is its code, made without the pages): ${fmt(1000 / exchangeMs)}/s${server ? ` = ${ratio(1000 / exchangeMs, server)} server token/s` : ''}; steps: ${Object.entries(I.mintSteps).map(([k, v]) => `${k} ${fmt(v, 2)} ms`).join(', ')}`,
    );
  }
}

const S = results.sandboxes;
if (S) {
  const rowsOf = S.cost.rows;
  const none = rowsOf['no sandbox ever'];
  const many = rowsOf['100 sandboxes (faults, clocks), spread'];
  const one = rowsOf['inside one sandbox'];
  const used = rowsOf['default world, after one sandbox was used'];
  row(
    'login flows/s, 100 sandboxes (each a fault rule and a moved clock)',
    `${fmt(many.flows, 1)}/s`,
    undefined,
    '≥ 0.8× one world',
    many.flows >= 0.8 * none.flows,
    `one world (no sandbox ever) ${fmt(none.flows, 1)}/s → ${ratio(many.flows, none.flows)}; server CPU per flow ${fmt(many.flowCpu, 1)} vs ${fmt(none.flowCpu, 1)} ms; inside one sandbox ${ratio(one.flows, none.flows)}, default world after a sandbox was used ${ratio(used.flows, none.flows)}; me/s after a sandbox was used ${ratio(used.me, none.me)} (Node ${S.cost.node}: promise hooks stay on once a world was entered); ${S.cost.rounds} round(s) of ${S.cost.seconds} s, a fresh server process per case`,
  );
  row(
    'memory per idle sandbox',
    `${fmt(S.memory.heapKbPerSandbox, 1)} KB heap`,
    undefined,
    '≤ 200 KB',
    S.memory.heapKbPerSandbox <= 200 && S.memory.rssKbPerSandbox <= 200,
    `RSS ${fmt(S.memory.rssKbPerSandbox, 1)} KB per sandbox over ${S.memory.sandboxes} sandboxes (each used once, then idle; after full collections); creating one ${fmt(S.memory.createMsMedian, 2)} ms (median)`,
  );
}
const R = results.redis;
if (R && E) {
  const how = {
    one: ['1 instance', ''],
    two: ['2 instances', '; through a per-request round-robin balancer (one more HTTP hop, and one more process on the cores)'],
    twoTcp: ['2 instances, per-connection balancer', '; through a per-connection TCP balancer (an L4 balancer, as a Kubernetes Service: bytes piped, no HTTP parsed)'],
  };
  const onRedis = (name, key, n, target, min) => {
    const r = R[n]?.[key];
    if (!r) return;
    row(`${name} on Redis, ${how[n][0]}`, thr(r), r.p99, target, min === undefined ? undefined : r.rps >= min * E[key].rps, `${ratio(r.rps, E[key].rps)} embedded${how[n][1]}${warn(r)}`);
  };
  for (const n of ['one', 'two', 'twoTcp']) {
    onRedis('flows/s', 'flows', n, '≥ 0.6× embedded', 0.6);
    onRedis('token/s', 'token', n, '', undefined);
    onRedis('refresh/s', 'refresh', n, '', undefined);
    onRedis('me/s', 'me', n, '≥ 0.5× embedded', 0.5);
  }
  const kinds = [
    ['flow', 'a whole login (authorize, login page + post, consent page + post, code exchange)'],
    ['authorize', 'authorize with a live Kakao session (→ code)'],
    ['token', 'POST /oauth/token, code'],
    ['refresh', 'POST /oauth/token, refresh'],
    ['me', 'GET /v2/user/me'],
  ];
  // Growth is the question: the plane's feed batches (one EVAL, and the INCRBY and XADD it runs, per
  // 5 ms: docs/storage.md §10.8) are counted too, and their share per request follows the pacing, not the data.
  const same = (a, b) => b.total - a.total < 0.25;
  const detail = (c) => Object.entries(c.per).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ');
  for (const [kind, what] of kinds) {
    const e = R.commands.empty[kind];
    const f = R.commands.filled[kind];
    row(`Redis commands per request: ${what}`, `${fmt(e.total, 1)} → ${fmt(f.total, 1)}`, undefined, 'not growing with the data', same(e, f), `empty: ${detail(e)}; after ${fmt(R.fillFlows)} more flows: ${detail(f)}`);
  }
}

const cpu = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? '?';
const lines = [];
lines.push(`kakao-mock bench — ${new Date().toISOString()}`);
lines.push(`machine: ${cpus().length} cores (${cpu}), ${fmt(totalmem() / 2 ** 30, 1)} GB RAM, node ${process.version}, ${process.platform}`);
lines.push(
  `load generator: this process (autocannon, undici), on the SAME machine and cores as the servers; ${CONNECTIONS} connections for single-request loads, ` +
    `${FLOW_CONCURRENCY} concurrent browsers for flows; ${WARMUP} s warm-up + ${SECONDS} s measured per figure.`,
);
lines.push(
  `other load: before each figure the bench waited for other processes to use < 0.3 cores (at most ${QUIET_WAIT_S} s each, ${num('BENCH_QUIET_BUDGET', 90)} s per run; waited ${results.quiet.waitedS.toFixed(1)} s in all); ` +
    'the CPU each figure saw (server, generator, other processes) is in its notes, DISTURBED where others took > 0.3 cores.',
);
lines.push(`kakao-mock: node dist/main.js --data <temp dir> --fixtures <shipped apps + ${FLOW_PERSONAS} fresh personas>, defaults otherwise (file-backed store, log level info to a file).`);
if (R) {
  lines.push(
    `redis: its own redis-server (persistence off) on a free port per deployment, kakao-mock --store redis://… with the same fixtures; 2 instances behind bench/servers/round-robin.mjs; ` +
      `ratios to the embedded empty-store figures of this run; "server" CPU sums the instances, Redis and the balancer. Commands per request from INFO commandstats over ${ROUND_TRIP_N} sequential requests ` +
      "(20 for a whole login; PING, the health probe, left out): the catch-up's XREAD and its 2 GETs travel in one round trip (pipelined), each XADD and claim is one.",
  );
}
if (results.grownCounts) {
  const c = results.grownCounts;
  lines.push(
    `pre-filled store: ${fmt(c.accounts)} runtime personas, ${fmt(c.links)} links, ${fmt(c.grants)} grants, ${fmt(c.accessTokens)} access + ${fmt(c.refreshTokens)} refresh tokens (live), cloned from records a real login wrote.`,
  );
}
if (E) lines.push(`codes for token/s prepared by authorize with a live Kakao session (1 request per code): ${fmt(E.codePrep)}/s empty${G ? `, ${fmt(G.codePrep)}/s pre-filled` : ''}.`);
lines.push('');
const header = ['figure', 'value', 'p99', 'target', '', 'ratios / notes'];
lines.push(`| ${header.join(' | ')} |`);
lines.push(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
lines.push('');
lines.push(`total bench time ${fmt(results.totalS)} s`);
process.stdout.write(`${lines.join('\n')}\n`);
if (env.BENCH_JSON) {
  const strip = (r) => (r && r.results ? { ...r, results: undefined, firstError: undefined } : r);
  const json = { ...results };
  for (const k of ['empty', 'grown']) if (json[k]) json[k] = { ...json[k], flows: strip(json[k].flows) };
  await writeFile(env.BENCH_JSON, JSON.stringify(json, null, 2));
}
