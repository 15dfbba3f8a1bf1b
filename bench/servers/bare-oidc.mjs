// Startup reference: a bare oidc-provider with an empty configuration, listening.
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const provider = new Provider(`http://localhost:${port}`, {});
const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
