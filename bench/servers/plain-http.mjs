// Baseline: plain node:http answering a small JSON body.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const body = JSON.stringify({ status: 'ok' });
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(port, '127.0.0.1', function ready() {
  process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
