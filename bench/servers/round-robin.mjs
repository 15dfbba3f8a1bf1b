// A round-robin load balancer for the bench's Redis phase: `node round-robin.mjs <port> <target port>…`.
// Each request goes to the next instance in turn (keep-alive to each), as a load balancer without
// session affinity would send it: a login's steps land on different instances.
import { Agent, createServer, request } from 'node:http';

const [port, ...targets] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let next = 0;
createServer((req, res) => {
  const target = targets[next++ % targets.length];
  const upstream = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}).listen(port, '127.0.0.1', function ready() {
  process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
