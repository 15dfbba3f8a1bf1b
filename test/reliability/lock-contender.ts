/**
 * One contender for the data-folder lock, for data-folder-lock.test.ts: waits until the file `go`
 * (argv[3]) exists, so every contender tries at the same moment, then takes the lock on the folder
 * argv[2] and prints `won` (holding it until stdin closes) or `lost: <message>`.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockFolder } from '../../src/store/lock.js';

const [dir, go] = process.argv.slice(2) as [string, string];
process.stdout.write('ready\n');
while (!existsSync(go)) await sleep(2);
try {
  const lock = await lockFolder(dir, { warn: () => undefined });
  process.stdout.write('won\n');
  process.stdin.resume();
  process.stdin.once('end', () => void lock.release().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`lost: ${(error as Error).message}\n`);
  process.exit(1);
}
