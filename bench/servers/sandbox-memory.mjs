// Memory per idle sandbox (docs/architecture.md §5), in a process of its own started with
// --expose-gc: one in-process mock, then N sandboxes, each created and used once (one request under
// its URL), then left idle; heap and RSS after full collections, before and after. Also the time to
// create one. Prints one JSON line. Run by bench/run.mjs (phase `sandboxes`).
import { startKakaoMock } from '../../dist/index.js';

const N = Number(process.argv[2] ?? 500);
const gc = globalThis.gc;
if (!gc) throw new Error('run with --expose-gc');
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};
const mock = await startKakaoMock({ sandboxMax: N + 10 });
// One sandbox first, so what a first sandbox sets up once (the world's machinery) is not counted.
const first = await mock.sandbox('warm');
await (await fetch(`${mock.url}/sandboxes/warm/.well-known/openid-configuration`)).text();
await settle();
const before = process.memoryUsage();
const createMs = [];
const handles = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  handles.push(await mock.sandbox(`idle-${i}`));
  createMs.push(performance.now() - t);
  await (await fetch(`${mock.url}/sandboxes/idle-${i}/.well-known/openid-configuration`)).text();
}
await settle();
const after = process.memoryUsage();
createMs.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    sandboxes: N,
    heapKbPerSandbox: (after.heapUsed - before.heapUsed) / N / 1024,
    rssKbPerSandbox: (after.rss - before.rss) / N / 1024,
    createMsMedian: createMs[createMs.length >> 1],
  })}\n`,
);
await first.close();
await mock.close();
