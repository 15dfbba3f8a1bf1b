// A per-connection round-robin balancer for the bench's Redis phase: `node round-robin-tcp.mjs <port> <target port>…`.
// Each TCP connection goes to the next instance in turn and stays there (an L4 balancer, as a
// Kubernetes Service's kube-proxy or an nginx `stream` block balances): bytes are piped, no HTTP is
// parsed, so the balancer's own cost on the shared cores is a fraction of round-robin.mjs's, whose
// per-request hop costs about what a kapi request does. Requests of one keep-alive connection stay
// on one instance; a login's steps still cross instances when the client opens new connections.
import { connect, createServer } from 'node:net';

const [port, ...targets] = process.argv.slice(2).map(Number);
let next = 0;
createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect({ host: '127.0.0.1', port: targets[next++ % targets.length] });
  upstream.setNoDelay(true);
  client.pipe(upstream).pipe(client);
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', drop);
  upstream.on('error', drop);
}).listen(port, '127.0.0.1', function ready() {
  process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
