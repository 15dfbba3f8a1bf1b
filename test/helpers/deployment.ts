/**
 * A shared deployment for the Redis tests (docs/storage.md §10): its own redis-server, `count` CLI
 * instances on it (separate processes, each its own clock, as separate machines would be), and a
 * round-robin proxy in front. Registers its own beforeAll/afterAll; call inside a describe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { killClis, startCli, type Cli } from './cli.js';
import { freePort, roundRobin, startRedis, type RedisServer, type RoundRobin } from './redis.js';

export interface Deployment {
  readonly redis: RedisServer;
  readonly proxy: RoundRobin;
  /** The instances started with the deployment (not those `start()` adds). */
  readonly clis: Cli[];
  /** One more instance on the same Redis (a restart, an instance started later); not behind the proxy. */
  start(): Promise<Cli>;
}

/** `args`: more CLI arguments for every instance, given the proxy's URL (`--public-url`, `--sandbox-max`). */
export function useDeployment(count: number, name: string, args: (proxyUrl: string) => string[] = () => []): Deployment {
  let redis: RedisServer | undefined;
  let proxy: RoundRobin | undefined;
  const clis: Cli[] = [];
  const dirs: string[] = [];
  const start = async (): Promise<Cli> => {
    const dir = await mkdtemp(join(tmpdir(), `kakao-mock-${name}-`));
    dirs.push(dir);
    return startCli(dir, { args: ['--store', redis!.url, ...args(proxy!.url)], logLevel: 'error' });
  };

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await roundRobin(await freePort());
    clis.push(...(await Promise.all(Array.from({ length: count }, () => start()))));
    proxy.targets.push(...clis.map((c) => c.url));
  }, 90_000);

  afterAll(async () => {
    killClis();
    await proxy?.close();
    await redis?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  return {
    get redis() {
      return redis!;
    },
    get proxy() {
      return proxy!;
    },
    clis,
    start,
  };
}
