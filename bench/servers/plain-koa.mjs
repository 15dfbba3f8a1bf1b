// Baseline: plain Koa (the framework kakao-mock runs on) answering a small JSON body.
import Koa from 'koa';

const port = Number(process.argv[2] ?? 0);
const app = new Koa();
app.use((ctx) => {
  ctx.body = { status: 'ok' };
});
const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
