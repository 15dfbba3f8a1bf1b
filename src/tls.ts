/**
 * What `--tls` serves (docs/architecture.md §3.4): the user's own certificate (`--tls-cert`,
 * `--tls-key`), or the local CA's. The local CA and its server certificate are made once and kept
 * in the data folder through the store's room for them (store/tls-files.ts); a kept server
 * certificate is renewed by the same CA when it is about to expire or lacks a name, so the CA a user
 * trusted once stays trusted. Without a data folder (`--in-memory`) they are made anew each start.
 */
import type { Config } from './config/types.js';
import { makeCa, makeServerCertificate, SERVER_NAMES, serverCertificateProblem } from './http/local-ca.js';
import type { Logger } from './log.js';
import { caFileOf, readLocalCa, writeLocalCa } from './store/tls-files.js';

export interface TlsSetup {
  /** The server's certificate (chain) and key, PEM. */
  cert: string;
  key: string;
  /** The local CA to trust (PEM); null with the user's own certificate. */
  ca: string | null;
  /** Where that CA is kept; null with the user's own certificate or without a data folder. */
  caFile: string | null;
}

/** Whether the server speaks HTTPS: `--tls`, or a certificate of the user's. */
export function tlsWanted(config: Config): boolean {
  return config.tls || config.tlsCert !== null;
}

/** The host names the server certificate names: the fixed ones, and the configured URLs' hosts. */
export function serverNames(config: Config): string[] {
  const hosts = [config.publicUrl, config.backchannelUrl].flatMap((u) => (u === null ? [] : [new URL(u).hostname.replace(/^\[|\]$/g, '')]));
  return [...new Set([...SERVER_NAMES, ...hosts])];
}

export async function tlsSetup(config: Config, log: Logger): Promise<TlsSetup | null> {
  if (!tlsWanted(config)) return null;
  if (config.tlsCert !== null && config.tlsKey !== null) return { cert: config.tlsCert.pem, key: config.tlsKey.pem, ca: null, caFile: null };
  const names = serverNames(config);
  if (config.dataDir === null) {
    const ca = await makeCa();
    const server = await makeServerCertificate(ca, names);
    return { ...server, ca: ca.cert, caFile: null };
  }
  const kept = await readLocalCa(config.dataDir);
  const caFile = caFileOf(config.dataDir);
  if (kept === null) {
    const ca = await makeCa();
    const server = await makeServerCertificate(ca, names);
    await writeLocalCa(config.dataDir, { caCert: ca.cert, caKey: ca.key, serverCert: server.cert, serverKey: server.key });
    log.info(`made a local CA for --tls: ${caFile}`);
    return { ...server, ca: ca.cert, caFile };
  }
  const problem = serverCertificateProblem(kept.serverCert, kept.caCert, names);
  if (problem === undefined) return { cert: kept.serverCert, key: kept.serverKey, ca: kept.caCert, caFile };
  if (problem === 'the CA has expired') throw new Error(`the local CA ${caFile} has expired: delete the folder ${caFile.replace(/[/\\][^/\\]+$/, '')} to make a new one (and trust the new CA)`);
  const server = await makeServerCertificate({ cert: kept.caCert, key: kept.caKey }, names);
  await writeLocalCa(config.dataDir, { serverCert: server.cert, serverKey: server.key });
  log.info(`renewed the --tls server certificate (the kept one ${problem}); the CA ${caFile} is unchanged`);
  return { ...server, ca: kept.caCert, caFile };
}
