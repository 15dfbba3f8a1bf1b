#!/usr/bin/env node
// Top self-time functions (and files) of a V8 .cpuprofile, e.g. from `BENCH_CPU_PROF=dir npm run bench`.
// Usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [count=25] [--inclusive] [--phase NAME] [--callers FN]
//   --callers FN: time spent in functions named FN (and below), split by the function calling them.
//   --phase NAME: only the samples taken while the bench measured NAME (flows, token, refresh, me),
//   from the <file>.phases.json the bench writes next to the profile.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const phaseAt = args.indexOf('--phase');
const phase = phaseAt === -1 ? null : args.splice(phaseAt, 2)[1];
const callersAt = args.indexOf('--callers');
const callersOf = callersAt === -1 ? null : args.splice(callersAt, 2)[1];
const [file, countArg = '25', ...flags] = args;
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [count] [--inclusive] [--phase NAME]\n');
  process.exit(2);
}
process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
const count = Number(countArg);
const profile = JSON.parse(readFileSync(file, 'utf8'));
let window = null;
if (phase) {
  const phasesFile = file.replace(/\.cpuprofile$/, '.phases.json');
  if (!existsSync(phasesFile)) throw new Error(`no ${phasesFile}`);
  window = JSON.parse(readFileSync(phasesFile, 'utf8')).find((p) => p.name === phase);
  if (!window) throw new Error(`no phase ${phase} in ${phasesFile}`);
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
// Sample times are CLOCK_MONOTONIC µs, the clock the bench stamps its phases with.
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (window && (t < window.fromUs || t > window.toUs)) continue;
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '~/').replace(/.*\/(dist|src)\//, '$1/');
const keyOf = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'}  ${short(f.url) || '(native)'}:${f.lineNumber + 1}`;
};

const fnSelf = new Map();
const fileSelf = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const k = keyOf(n);
  fnSelf.set(k, (fnSelf.get(k) ?? 0) + us);
  const url = short(n.callFrame.url) || `(${n.callFrame.functionName || 'native'})`;
  const pkg = url.startsWith('~/') ? url.split('/').slice(0, url.startsWith('~/@') ? 3 : 2).join('/') : url;
  fileSelf.set(pkg, (fileSelf.get(pkg) ?? 0) + us);
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) process.stdout.write(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`${file}${phase ? ` [${phase}]` : ''}: ${(total / 1e6).toFixed(2)} s sampled\n`);
print('self time by function', fnSelf);
print('self time by file / package', fileSelf);

if (flags.includes('--inclusive')) {
  // Inclusive time per function (each sample counted once per distinct function on its stack).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  print('inclusive time by function', incl);
}

if (callersOf) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const by = new Map();
  for (const [id, us] of self) {
    // The outermost frame named FN on this stack, and who called it.
    let hit;
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) if (byId.get(cur).callFrame.functionName === callersOf) hit = cur;
    if (hit === undefined) continue;
    const caller = parent.get(hit);
    const k = caller === undefined ? '(root)' : keyOf(byId.get(caller));
    by.set(k, (by.get(k) ?? 0) + us);
  }
  print(`time in ${callersOf} (and below) by caller`, by);
}
