/**
 * kapi's route table answers a path spelled as the table spells it from a Map, and any other
 * spelling through @koa/router (kapi/index.ts): both must give the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kapiRoutes, type KapiDeps } from '../../src/kapi/index.js';
import { startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const paths = [...new Set(kapiRoutes({} as KapiDeps).map((r) => r.path))];
const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'];
const HEADERS = ['content-type', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'allow', 'vary', 'www-authenticate'];

/** The answer, with the path as spelled replaced by `as` (some messages quote the path). */
async function answer(method: string, path: string, origin?: string, as = path) {
  const res = await fetch(`${h.url}${path}`, { method, headers: origin ? { Origin: origin } : {} });
  return { status: res.status, headers: HEADERS.map((name) => [name, res.headers.get(name)]), body: (await res.text()).replaceAll(path, as) };
}

describe('kapi route table: the exact spelling answers as the router does', () => {
  it.each(paths)('%s', async (path) => {
    for (const method of METHODS) {
      for (const origin of [undefined, 'https://app.example']) {
        const exact = await answer(method, path, origin);
        expect(await answer(method, `${path}/`, origin, path), `${method} ${path}/`).toEqual(exact);
        expect(await answer(method, path.toUpperCase(), origin, path), `${method} ${path.toUpperCase()}`).toEqual(exact);
      }
    }
  });

  it('a path that is not kapi\'s falls through', async () => {
    expect((await answer('GET', '/v2/user/nothing')).status).toBe(404);
    expect((await answer('GET', '/oauth/nothing')).body).toBe('fell through');
  });
});
