// Child processes for the bench: start, wait until they answer, read their RSS, stop them.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';

/** A free loopback port (the kernel picks; we close and hand it to the child). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process in MB, from /proc. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One GET on a fresh connection, given up after `timeoutMs`: resolves to the status or 0. */
function probe(port, path, timeoutMs) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.on('error', () => resolve(0));
  });
}

/**
 * Spawn `node args…` and resolve once GET `path` answers 200, with the ms from spawn to that 200.
 * Probes use a short per-attempt timeout: a server may accept connections before it can answer.
 */
export async function startAndWait({ args, port, path, logFile, nodeArgs = [], env = {}, limitMs = 20_000, name = args[0] }) {
  // The child's output goes to a file, not through a pipe the load generator would have to drain.
  const fd = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  const output = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  for (let attempt = 0; attempt < 100_000; attempt++) {
    if (exited) throw new Error(`${name} exited (${exited.code ?? exited.signal}) before answering:\n${output()}`);
    if (performance.now() - started > limitMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${path} within ${limitMs} ms:\n${output()}`);
    }
    if ((await probe(port, path, 25)) === 200) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - started;
  return { child, ms, output };
}

/** SIGTERM (kakao-mock flushes its store), SIGKILL after `graceMs`. */
export function stop(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU seconds used so far: the whole machine (busy, from /proc/stat) and the given processes. */
function cpuNow(pids) {
  const hz = 100; // USER_HZ: jiffies per second on Linux
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  const per = pids.map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(rest[11]) + Number(rest[12])) / hz; // utime + stime
    } catch {
      return 0;
    }
  });
  return { busy: busy / hz, per, at: performance.now() };
}

/**
 * Run `fn` and report the CPU it saw, in cores: the server, this load generator, and everything
 * else on the machine ("other": work that competed with the bench and makes its figures low).
 */
export async function withCpu(serverPid, fn) {
  // Several processes may be the server (instances, their Redis, a load balancer): summed.
  const servers = [serverPid].flat();
  const pids = [process.pid, ...servers];
  const a = cpuNow(pids);
  const result = await fn();
  const b = cpuNow(pids);
  const s = (b.at - a.at) / 1000;
  let server = 0;
  for (let k = 1; k < pids.length; k++) server += (b.per[k] - a.per[k]) / s;
  const bench = (b.per[0] - a.per[0]) / s;
  const other = Math.max(0, (b.busy - a.busy) / s - server - bench);
  result.cpu = { server, bench, other };
  return result;
}

/**
 * Wait (bounded) until the machine is quiet: other processes using less than `maxOther` cores
 * over a 0.5 s sample. Other work on the machine (a test run, a build) steals the cores the bench
 * measures. Returns the seconds waited and the last "other" load seen.
 */
export async function waitQuiet({ pids = [], maxOther = 0.3, limitS = 10 }) {
  const started = performance.now();
  let other = 0;
  for (let i = 0; i < 1000 && performance.now() - started < limitS * 1000; i++) {
    const all = [...pids, process.pid];
    const a = cpuNow(all);
    await new Promise((r) => setTimeout(r, 500));
    const b = cpuNow(all);
    const s = (b.at - a.at) / 1000;
    const ours = b.per.reduce((sum, x, k) => sum + x - a.per[k], 0);
    other = Math.max(0, (b.busy - a.busy - ours) / s);
    if (other < maxOther) break;
  }
  return { waitedS: (performance.now() - started) / 1000, other };
}

/**
 * Wait (bounded) until the server itself is idle: under `maxCores` over a whole `windowS` window.
 * A figure must not pay for the background work the previous figure left: on a 100k-record store
 * the token snapshot that the refresh load made dirty is rewritten for ~3 s after that load ends,
 * in writes up to ~1.5 s apart (the snapshot interval stretches with the cost of a write), so a
 * shorter window sees the pause between two writes as idle. Returns the seconds waited.
 */
export async function waitIdle(pid, { maxCores = 0.1, windowS = 2, limitS = 20 } = {}) {
  const started = performance.now();
  const pids = [pid].flat();
  while (performance.now() - started < limitS * 1000) {
    const a = cpuNow(pids);
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const b = cpuNow(pids);
    const used = b.per.reduce((sum, x, k) => sum + x - a.per[k], 0);
    if (used / ((b.at - a.at) / 1000) < maxCores) break;
  }
  return (performance.now() - started) / 1000;
}
