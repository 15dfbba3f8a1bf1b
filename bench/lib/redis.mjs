// The bench's Redis (docs/storage.md §10): its own redis-server on a free port, persistence off, and
// the commands it served, counted from `INFO commandstats` (what a request type costs in Redis).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

export const REDIS_SERVER = process.env.KAKAO_MOCK_REDIS_SERVER || '/usr/bin/redis-server';
export const haveRedis = () => existsSync(REDIS_SERVER);

/** One inline command over a fresh socket; resolves to the raw reply text. */
function command(port, line, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on ${port}: no answer to ${line}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (d) => {
      out += d.toString();
      // A simple string, an error, or a complete bulk string.
      const bulk = /^\$(\d+)\r\n/.exec(out);
      if (/^[+-].*\r\n$/.test(out) || (bulk && Buffer.byteLength(out) >= bulk[0].length + Number(bulk[1]) + 2)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function startRedisServer(port) {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if ((await command(port, 'PING', 300).catch(() => '')).startsWith('+PONG')) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, url: `redis://127.0.0.1:${port}` };
}

/**
 * Calls per command name since the server started. Left out: the INFO call itself, and PING (each
 * instance's health probe, every 5 s whatever the traffic).
 */
export async function commandStats(port) {
  const text = await command(port, 'INFO commandstats');
  const out = {};
  for (const m of text.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) if (m[1] !== 'info' && m[1] !== 'ping') out[m[1]] = Number(m[2]);
  return out;
}

/** What `run` cost in Redis, per call of it: commands by name, and in all. */
export async function commandsPer(port, n, run) {
  const before = await commandStats(port);
  for (let i = 0; i < n; i++) await run(i);
  const after = await commandStats(port);
  const per = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    const d = (calls - (before[name] ?? 0)) / n;
    if (d >= 0.005) {
      per[name] = d;
      total += d;
    }
  }
  return { per, total };
}
