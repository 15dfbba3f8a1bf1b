/**
 * The README's control-plane examples, run as written: a reader copies them, so each must work when
 * pasted in order. The blocks are read from README.md itself (not copied here), so an edit that breaks
 * one fails this file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useMock } from '../helpers/mock.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The fenced block of `lang` whose text contains `marker`. */
function block(lang: string, marker: string): string {
  const found = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].filter((m) => m[1] === lang && m[2]!.includes(marker));
  expect(found, `one \`\`\`${lang} block containing ${marker}`).toHaveLength(1);
  return found[0]![2]!;
}

/** The words of one shell command: single and double quotes, no escapes (the README uses none). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

const mock = useMock();

describe('README examples', () => {
  it('the sandbox block (kakao.sandbox() and its operations) runs as written', async () => {
    const code = block('ts', 'const sandbox = await kakao.sandbox();');
    // The block is plain JavaScript; run it with `kakao` in scope. An operation it forgets to await
    // would reject after the block ends: collect those too.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (kakao: unknown) => Promise<void>;
      await new AsyncFunction('kakao', code)(mock);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('the control plane curl block answers 2xx for every command, in order', async () => {
    const script = block('sh', 'M=http://localhost:4000/__mock;');
    const base = `${mock.url}/__mock`;
    const commands = script.split('\n').flatMap((line) => line.split(/;\s*(?=curl )/)).filter((c) => c.trim().startsWith('curl '));
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) {
      const args = words(command.replace(/\$J/g, '-H content-type:application/json').replace(/\$M/g, base)).slice(1);
      let method = 'GET';
      let url = '';
      let body: string | undefined;
      const headers: Record<string, string> = {};
      for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        if (arg === '-X') method = args[++i]!;
        else if (arg === '-H') {
          const [name, ...value] = args[++i]!.split(':');
          headers[name!.trim()] = value.join(':').trim();
        } else if (arg === '-d') body = args[++i]!;
        else if (arg.startsWith('-')) throw new Error(`the test does not read the curl option ${arg} (${command})`);
        else url = arg;
      }
      if (body !== undefined && method === 'GET') method = 'POST';
      const res = await fetch(url, { method, headers, body });
      expect(res.status, `${command.trim()} → ${res.status} ${await res.text()}`).toBeLessThan(300);
    }
  });
});
