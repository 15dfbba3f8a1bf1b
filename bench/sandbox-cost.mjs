#!/usr/bin/env node
// What sandboxes cost (docs/architecture.md §5): /v2/user/me per second and full page logins per
// second, on a fresh server process per case: never a sandbox; after one sandbox was used (default-
// world requests); inside that sandbox (its URL); with 100 sandboxes, each with a fault rule and a
// moved clock, logins spread over them. Run `npm run build` first. BENCH_SECONDS (default 4).
// Usage: node bench/sandbox-cost.mjs [node binary for the server]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { fullLogin, pool } from './lib/http.mjs';
import { fixedLoad, flowLoad } from './lib/load.mjs';
import { withCpu } from './lib/proc.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const NODE = process.argv[2] ?? process.execPath;
const SERVER = fileURLToPath(new URL('./servers/sandbox-server.mjs', import.meta.url));
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/default.json', import.meta.url), 'utf8'));
const demo = fixtures.apps.find((a) => a.appId === 1001);
const app = { clientId: demo.restApiKey, clientSecret: demo.clientSecret, redirectUri: demo.redirectUris[0] };
// Adults with a plain login (others are refused by design: a minor, an invalid email, ...).
const accounts = ['kim-minji', 'lee-junho', 'park-seoyeon', 'choi-yuna'];

function start(mode) {
  const child = spawn(NODE, [SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve({ child, url: String(d).trim() }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function measure(mode, prefixOf) {
  const { child, url } = await start(mode);
  try {
    const p = pool(url, 20);
    const prefix = prefixOf(0);
    const mint = await fetch(`${url}${prefix}/__mock/tokens/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 1001, accountId: 'kim-minji' }) });
    const { access_token } = await mint.json();
    // Server CPU per request (ms) besides throughput: on a shared machine the rates move with the
    // neighbours' load, the server's own CPU time per request much less.
    const meLoad = { url: `${url}${prefix}/v2/user/me`, headers: { authorization: `Bearer ${access_token}` } };
    await fixedLoad({ ...meLoad, seconds: 1, warmupS: 0 });
    const me = await withCpu(child.pid, () => fixedLoad({ ...meLoad, seconds: SECONDS, warmupS: 0 }));
    const task = async (i) => {
      const base = prefixOf(i);
      // The bench's login drives absolute paths; a sandbox's are its prefix + the path.
      const prefixed = { request: (o) => p.request({ ...o, path: o.path.startsWith('/sandboxes/') ? o.path : base + o.path }) };
      return fullLogin(prefixed, url, app, accounts[i % accounts.length], { me: false });
    };
    // Warm-up: every (sandbox, persona) pair of the measured flows logs in once, so every case then
    // measures logins whose consent was already given (100 sandboxes would otherwise show more consent screens).
    await flowLoad({ concurrency: 16, limit: 100, seconds: 60, warmupS: 0, task });
    const started = performance.now();
    const flows = await withCpu(child.pid, () => flowLoad({ concurrency: 16, limit: 1e9, seconds: SECONDS, warmupS: 0, task }));
    const flowS = (performance.now() - started) / 1000;
    await p.close();
    return { me: me.rps, meCpu: (me.cpu.server * me.seconds * 1000) / (me.ok + me.non2xx), flows: flows.rps, flowCpu: (flows.cpu.server * flowS * 1000) / flows.ok, other: Math.max(me.cpu.other, flows.cpu.other) };
  } finally {
    child.kill('SIGTERM');
  }
}

// Interleaved rounds, median per case: the machine may be shared, and a quiet moment should not
// favour one case.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cases = [
  ['no sandbox ever', 'none', () => ''],
  ['default world, after one sandbox was used', 'used', () => ''],
  ['inside one sandbox', 'used', () => '/sandboxes/s0'],
  ['100 sandboxes (faults, clocks), spread', 'many=100', (i) => `/sandboxes/s${i % 100}`],
];
const samples = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, mode, prefixOf]] of cases.entries()) samples[i].push(await measure(mode, prefixOf));
}
const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = cases.map(([name], i) => [name, Object.fromEntries(['me', 'meCpu', 'flows', 'flowCpu', 'other'].map((k) => [k, mid(samples[i].map((r) => r[k]))]))]);
const base = rows[0][1];
const version = await new Promise((resolve) => {
  const c = spawn(NODE, ['--version']);
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.on('exit', () => resolve(out.trim()));
});
// bench/run.mjs reads this line (phase `sandboxes`).
if (process.env.BENCH_JSON) {
  console.log(JSON.stringify({ node: version, rounds: ROUNDS, seconds: SECONDS, rows: Object.fromEntries(rows) }));
  process.exit(0);
}
console.log(`node ${version}, ${SECONDS}s per figure, median of ${ROUNDS} interleaved rounds`);
console.log('| case | me/s | server CPU ms per me | vs none | flows/s | server CPU ms per flow | vs none | other load (cores) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, r] of rows) {
  console.log(`| ${name} | ${r.me.toFixed(0)} | ${r.meCpu.toFixed(3)} | ${(r.meCpu / base.meCpu).toFixed(2)} | ${r.flows.toFixed(1)} | ${r.flowCpu.toFixed(1)} | ${(r.flowCpu / base.flowCpu).toFixed(2)} | ${r.other.toFixed(1)} |`);
}
