import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/log.js';

describe('createLogger', () => {
  it('writes each line through a given writer at once, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.info('shown', { a: 1 });
    log.error('bad');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ INFO {2}shown a=1$/);
    expect(lines[1]).toMatch(/ ERROR bad$/);
  });

  it('batches stderr lines into one write per event-loop turn, in order', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const log = createLogger('info');
      log.info('one');
      log.info('two');
      expect(spy).not.toHaveBeenCalled();
      await new Promise((r) => setImmediate(r));
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]![0])).toMatch(/ INFO {2}one\n.* INFO {2}two\n$/);
    } finally {
      spy.mockRestore();
    }
  });

  it('stamps lines with the real time, not the virtual clock', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2099, 0, 1));
    try {
      log.info('later');
    } finally {
      spy.mockRestore();
    }
    const stamped = Date.parse(lines[0]!.split(' ')[0]!);
    expect(Math.abs(stamped - Date.now())).toBeLessThan(5_000);
  });
});
