#!/usr/bin/env node
// A/B of two builds on a busy machine (bench/RESULTS.md, sixth session): both in ONE process, the
// same requests through each one's request listener in memory (http/in-memory-request.ts: no
// sockets, so the kernel's share, the same for both, is left out), CPU time per op, short batches
// alternated so that other load on the machine hits both alike. Figures: CPU ms per whole login
// flow (the bench's fullLogin: authorize → login page → login → consent page → consent → token →
// me) and CPU µs per GET /v2/user/me; this process's CPU, so the client side is included in both.
// Usage: node bench/inprocess-ab.mjs <rootA> <rootB> [rounds=8] [flow,me] 2>/dev/null
//   (each root a checkout with dist/ built, e.g. `git worktree add` or `git archive` + `npm run build`)
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const { fullLogin } = await import('./lib/http.mjs');
const { writeFixtures } = await import('./lib/data.mjs');
const [rootA, rootB, roundsArg = '8', what = 'flow,me'] = process.argv.slice(2);
if (!rootA || !rootB) throw new Error('usage: node bench/inprocess-ab.mjs <rootA> <rootB> [rounds] [flow,me]');
const rounds = Number(roundsArg);
const ME_BATCH = Number(process.env.AB_ME_BATCH ?? 4000);
const tmp = await mkdtemp(join(tmpdir(), 'inproc-'));
const fx = join(tmp, 'fixtures.json');
await writeFixtures(fx, new URL('../fixtures/default.json', import.meta.url).pathname, 6000);
const def = JSON.parse(await readFile(new URL('../fixtures/default.json', import.meta.url).pathname, 'utf8'));
const demo = def.apps.find((a) => a.simpleSignup && a.oidc) ?? def.apps[0];
const APP = { appId: demo.appId, clientId: demo.restApiKey, clientSecret: demo.clientSecret, redirectUri: demo.redirectUris[0] };
async function mk(root, name) {
  const { startKakaoMock } = await import(pathToFileURL(resolve(root, 'dist/index.js')).href);
  const { inMemoryRequest } = await import(pathToFileURL(resolve(root, 'dist/http/in-memory-request.js')).href);
  const mock = await startKakaoMock({ fixtures: fx, dataDir: await mkdtemp(join(tmp, name)), logLevel: 'info' });
  const listener = mock.server.app.callback();
  const host = new URL(mock.publicUrl).host;
  const p = { async request({ method, path, headers, body }) {
    const r = await inMemoryRequest(listener, { method, path, headers: { host, ...headers }, body });
    return { statusCode: r.status, headers: { ...r.headers, 'set-cookie': r.setCookies }, body: { text: async () => r.text } };
  } };
  const origin = new URL(mock.publicUrl).origin;
  const first = await fullLogin(p, origin, APP, 'bench-5999');
  return { name, mock, p, origin, next: 0, token: first.tokens.access_token, flow: [], me: [] };
}
const S = [await mk(rootA, 'A'), await mk(rootB, 'B')];
// Back to the event loop now and then: in-memory requests run on promises alone, and the nextTick
// queue (each request's stream callbacks) is only drained between macrotasks; without this it
// grew by one IncomingMessage and Socket per request, and the heap with it.
const turn = () => new Promise(setImmediate);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; // ms
async function flows(s, n) { const t = cpu(); for (let i = 0; i < n; i++) { await turn(); await fullLogin(s.p, s.origin, APP, `bench-${s.next++}`); } return (cpu() - t) / n; }
async function mes(s, n) { const h = { authorization: `Bearer ${s.token}` }; const t = cpu(); for (let i = 0; i < n; i++) { if (i % 100 === 0) await turn(); const r = await s.p.request({ method: 'GET', path: '/v2/user/me', headers: h }); await r.body.text(); } return ((cpu() - t) * 1000) / n; }
// warm-up
for (const s of S) { await flows(s, 100); await mes(s, 3000); }
for (let r = 0; r < rounds; r++) for (const s of r % 2 ? [...S].reverse() : S) {
  if (what.includes('flow')) s.flow.push(await flows(s, 150));
  if (what.includes('me')) s.me.push(await mes(s, ME_BATCH));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [A, B] = S;
// Each round measures A and B back to back: the median of their per-round ratios is steadier than
// the ratio of the medians when other work on the machine comes and goes.
const paired = (a, b) => med(a.map((x, i) => b[i] / x));
if (what.includes('flow')) process.stdout.write(`flow ms CPU: A ${A.flow.map((x) => x.toFixed(2)).join(' ')} | B ${B.flow.map((x) => x.toFixed(2)).join(' ')}\n  median A ${med(A.flow).toFixed(3)} B ${med(B.flow).toFixed(3)} B/A ${(med(B.flow) / med(A.flow)).toFixed(3)}, paired B/A ${paired(A.flow, B.flow).toFixed(3)}\n`);
if (what.includes('me')) process.stdout.write(`me µs CPU: A ${A.me.map((x) => x.toFixed(1)).join(' ')} | B ${B.me.map((x) => x.toFixed(1)).join(' ')}\n  median A ${med(A.me).toFixed(2)} B ${med(B.me).toFixed(2)} B/A ${(med(B.me) / med(A.me)).toFixed(3)}, paired B/A ${paired(A.me, B.me).toFixed(3)}\n`);
for (const s of S) await s.mock.close();
process.exit(0);
