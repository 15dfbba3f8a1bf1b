#!/usr/bin/env node
import { ConfigError, HelpRequested, USAGE, loadConfig } from './config/load.js';
import { safeRedisUrl } from './config/option-rules.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { DataFolderError } from './store/errors.js';
import type { TlsSetup } from './tls.js';
import { collectGarbage, favourSmallHeap } from './heap.js';

/**
 * From this many records loaded, a compacting full GC once the store has settled pays (0.1-0.9 s,
 * for ~1 GB of load garbage at 300k records); without it an idle server keeps that garbage (RSS)
 * until allocation happens to trigger a full collection. Below it the garbage is tens of MB, which
 * V8's own collections reclaim soon enough.
 */
const LARGE_STORE_RECORDS = 100_000;

/** After a second SIGTERM/SIGINT, how long the store's flush may still take. */
const FORCED_FLUSH_MS = 3000;

/** CLI entry: flags/env → config → store → app → listen. The only place that reads process.env. */
async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`kakao-mock: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // A long-running mock: a small footprint matters more than the last percent of GC throughput.
  favourSmallHeap();
  let running;
  try {
    running = await startServer(config, log, {
      // The load's garbage (file text, parsed copies) goes at once, instead of whenever V8 gets to it.
      onSettled: (records) => {
        if (records >= LARGE_STORE_RECORDS) collectGarbage();
      },
    });
  } catch (err) {
    // Like a bad option's message (config/load.ts): the option first, then what is wrong with it.
    const message = err instanceof DataFolderError ? `--data ${err.folder}: ${err.reason}` : (err as Error).message;
    process.stderr.write(`kakao-mock: cannot start: ${message}\n`);
    process.exit(1);
  }
  const demo = config.fixtures.apps.find((a) => a.simpleSignup) ?? config.fixtures.apps[0];
  const lines = [
    `kakao-mock listening on ${running.url}`,
    running.issuer === running.publicUrl ? `  issuer / public URL : ${running.issuer}` : `  public URL          : ${running.publicUrl}\n  issuer (iss)        : ${running.issuer}`,
    ...(running.backchannelUrl === running.publicUrl ? [] : [`  backchannel URL     : ${running.backchannelUrl} (discovery's token, userinfo and JWKS endpoints)`]),
    ...(running.httpUrl === null ? [] : [`  plain HTTP          : ${running.httpUrl} (--http-port)`]),
    ...tlsLines(running.tls),
    `  kauth (kauth.kakao.com) : ${running.publicUrl}/oauth/authorize, /oauth/token`,
    `  kapi  (kapi.kakao.com)  : ${running.publicUrl}/v2/user/me`,
    `  store               : ${config.store !== null ? `${safeRedisUrl(config.store)} (prefix ${config.storePrefix})` : (config.dataDir ?? 'in memory')}`,
  ];
  if (config.control.enabled && config.control.tokenGenerated) {
    // Remote access without a chosen token: the made-up one is only useful if the operator sees it.
    lines.push(`  inspector           : ${running.publicUrl}/__mock/?token=${config.control.token}`);
    lines.push(`  control token       : ${config.control.token} (generated: remote access is on without --control-token; choose one with KAKAO_MOCK_CONTROL_TOKEN)`);
  } else if (config.control.enabled) {
    lines.push(`  inspector           : ${running.publicUrl}/__mock/`);
  }
  if (demo) {
    lines.push(`  demo app "${demo.name}" (app_id ${demo.appId})`);
    lines.push(`    REST API key  : ${demo.restApiKey}`);
    lines.push(`    client secret : ${demo.clientSecret ?? '(off)'}`);
    lines.push(`    redirect URIs : ${demo.redirectUris.join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // Whoever signals twice will not wait: close every connection now, and exit once the store is
      // flushed, or after FORCED_FLUSH_MS if even that hangs.
      log.warn(`${signal} again: closing every connection now`);
      setTimeout(() => {
        log.error(`the store did not flush within ${FORCED_FLUSH_MS} ms; exiting without it`);
        process.exit(1);
      }, FORCED_FLUSH_MS);
      void running.close({ deadlineMs: 0 });
      return;
    }
    stopping = true;
    log.info(`${signal}: finishing requests (up to ${config.shutdownTimeoutMs} ms) and flushing the store`);
    running.close().then(() => process.exit(0), (err: unknown) => {
      log.error('shutdown failed', { err });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** With TLS: the CA to trust and how each kind of client trusts it (README "HTTPS"). */
function tlsLines(tls: TlsSetup | null): string[] {
  if (tls === null) return [];
  if (tls.ca === null) return ['  TLS                 : your certificate (--tls-cert)'];
  if (tls.caFile === null) {
    return ['  TLS CA (in memory, new each start; keep one with --data):', ...tls.ca.trimEnd().split('\n').map((l) => `    ${l}`)];
  }
  return [
    `  TLS CA to trust     : ${tls.caFile}`,
    `    Node              : NODE_EXTRA_CA_CERTS=${tls.caFile}`,
    '    Android           : res/raw/ + network_security_config.xml <certificates src="@raw/kakao_mock_ca"/> (README "HTTPS")',
    `    iOS simulator     : xcrun simctl keychain booted add-root-cert ${tls.caFile}`,
  ];
}

void main();
