// A kakao-mock for bench/sandbox-cost.mjs, in its own process: `none` never makes a sandbox;
// `used` makes one and sends it one request (so the process has entered a world once: on Node 20/22
// that turns promise hooks on for good); `many=N` makes N sandboxes, each with a fault rule and a
// moved clock. Prints the base URL on stdout, then serves until killed.
import { startKakaoMock } from '../../dist/index.js';

const mode = process.argv[2] ?? 'none';
const mock = await startKakaoMock({ port: 0, sandboxMax: 10_000 });
const sandboxes = [];
if (mode !== 'none') {
  const count = mode.startsWith('many=') ? Number(mode.slice(5)) : 1;
  for (let i = 0; i < count; i++) {
    const s = await mock.sandbox(`s${i}`);
    if (mode.startsWith('many=')) {
      s.faults.slow('/v1/never/used', 1, { persist: true });
      s.advance(`${i + 1}s`);
    }
    sandboxes.push(s);
  }
  await (await fetch(`${mock.url}/sandboxes/s0/.well-known/jwks.json`)).text();
}
process.stdout.write(`${mock.url}\n`);
process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
