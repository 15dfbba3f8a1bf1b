/**
 * What Node's parser refuses before any handler runs (headers over 16 KB, a malformed request) is
 * answered in the shape of the path's family (http/client-error.ts), not with a bare status.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

/** Sends raw bytes and reads the whole answer (the server closes the connection after it). */
function rawExchange(bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(mock.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
  });
}

const hugeHeader = `x-big: ${'a'.repeat(20_000)}\r\n`;

describe('requests the HTTP parser refuses', () => {
  it('answers headers too large on kapi with 431 {msg, code: -1}', async () => {
    const res = await rawExchange(`GET /v2/user/me HTTP/1.1\r\nHost: localhost\r\n${hugeHeader}\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(res.body)).toEqual({ msg: expect.stringContaining('headers are too large'), code: -1 });
  });

  it('answers headers too large on kauth with 431 KOE001', async () => {
    // A query longer than the headers' limit: the path is still read.
    const res = await rawExchange(`POST /oauth/token?scope=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('headers are too large'), error_code: 'KOE001' });
  });

  it('answers a path of no family, and a request line it cannot read, with a plain JSON error', async () => {
    const control = await rawExchange(`GET /__mock/clock HTTP/1.1\r\nHost: localhost\r\n${hugeHeader}\r\n`);
    expect(control.status).toBe(431);
    expect(JSON.parse(control.body)).toEqual({ error: 'bad_request', message: expect.stringContaining('headers are too large') });
    const garbage = await rawExchange('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toEqual({ error: 'bad_request', message: 'the request could not be parsed' });
  });
});
