// The in-process figures (a test suite's view): startKakaoMock() to the first /health 200, starts
// 2..N in one process, alternating with a bare oidc-provider (new Provider() + listen(0) + its first
// request); then sequential mintTokens() for a fixed time, with the server's median time per step of a
// mint (from the journal). Prints one JSON line. Run by bench/run.mjs.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { startKakaoMock } from '../../dist/index.js';

const STARTS = Number(process.argv[2] ?? 10);
const MINT_SECONDS = Number(process.argv[3] ?? 4);
const now = () => performance.now();

async function bare() {
  const t = now();
  const provider = new Provider('http://localhost:0', {});
  const server = createServer(provider.callback());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await (await fetch(`http://127.0.0.1:${server.address().port}/.well-known/openid-configuration`)).text();
  const ms = now() - t;
  await new Promise((resolve) => server.close(resolve));
  return ms;
}

async function ours() {
  const t = now();
  const mock = await startKakaoMock();
  const res = await fetch(`${mock.url}/health`);
  await res.text();
  if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
  const ms = now() - t;
  await mock.close();
  return ms;
}

const first = { ours: await ours(), bare: await bare() };
const starts = { ours: [], bare: [] };
for (let i = 1; i < STARTS; i++) {
  starts.ours.push(await ours());
  starts.bare.push(await bare());
}

const mock = await startKakaoMock();
const app = mock.config.fixtures.apps.find((a) => a.appId === 1002) ?? mock.config.fixtures.apps[0];
const account = mock.config.fixtures.accounts[0].id;
for (let i = 0; i < 50; i++) await mock.mintTokens(app.appId, account);
let mints = 0;
const t = now();
while (now() - t < MINT_SECONDS * 1000) {
  await mock.mintTokens(app.appId, account);
  mints++;
}
const mintPerS = mints / ((now() - t) / 1000);
// Where a mint's time goes: the server's own time per step (the journal's `ms`) over the last mints.
// The code exchange alone bounds a sequential mint from above, whatever the pages cost.
const steps = {};
for (const entry of mock.journal({ limit: 1000 })) {
  const step = `${entry.method} ${entry.path.split('?')[0].replace(/\/[^/]{16,}$/, '/:uid')}`;
  (steps[step] ??= []).push(entry.ms);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mintSteps = Object.fromEntries(Object.entries(steps).map(([step, xs]) => [step, median(xs)]));
await mock.close();
process.stdout.write(`${JSON.stringify({ first, starts, mints, mintPerS, mintSteps })}\n`);
