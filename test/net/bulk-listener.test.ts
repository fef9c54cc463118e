/**
 * The bulk listener's routing (src/net/bulk-listener.ts) over real loopback sockets: a
 * token someone expects, from the expected address, hands the socket over with nothing read
 * beyond the token; wrong or spent tokens, short preambles, slow preambles and floods beyond
 * the per-address cap are closed without anyone being told.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, it } from 'node:test';
import { BULK_TOKEN_BYTES, listenBulk } from '../../src/net/bulk-listener.js';

const HOST = '127.0.0.1';

const closes = new WeakMap<net.Socket, Promise<void>>();

function dial(port: number, bytes?: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port }, () => {
      if (bytes) s.write(bytes);
      resolve(s);
    });
    s.on('error', () => {});
    s.once('error', reject);
    closes.set(s, new Promise((r) => s.once('close', () => r())));
    s.resume();
  });
}

/** Resolves true when the peer closes `s` within `ms` (counting from when it was dialed). */
function closedWithin(s: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void closes.get(s)!.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('bulk listener (token routing)', () => {
  it('hands over the socket carrying an expected token, with the bytes behind the token unread', async () => {
    const listener = await listenBulk(HOST, 0, 2000);
    try {
      const token = randomBytes(BULK_TOKEN_BYTES);
      const wait = listener.expect(token.toString('hex'), HOST, 2000);
      const client = await dial(listener.port, Buffer.concat([token, Buffer.from('first record')]));
      const got = await wait.socket;
      assert.ok(got, 'the socket is handed over');
      assert.ok(got.isPaused(), 'handed over paused');
      const rest = await new Promise<Buffer>((resolve) => {
        got.once('data', resolve);
        got.resume();
      });
      assert.equal(rest.toString(), 'first record');
      // The token is spent: a second connection with it is dropped.
      const again = await dial(listener.port, token);
      assert.equal(await closedWithin(again, 2000), true);
      assert.deepEqual({ accepted: listener.stats().accepted, expected: listener.stats().expected }, { accepted: 1, expected: 0 });
      got.destroy();
      client.destroy();
    } finally {
      await listener.close();
    }
  });

  it('drops wrong tokens, garbage, the right token from another address, and silent sockets at the deadline', async () => {
    const listener = await listenBulk(HOST, 0, 300);
    try {
      const token = randomBytes(BULK_TOKEN_BYTES);
      const wait = listener.expect(token.toString('hex'), '10.9.9.9', 3000); // the link's TLS came from elsewhere
      const wrong = await dial(listener.port, randomBytes(BULK_TOKEN_BYTES));
      const garbage = await dial(listener.port, randomBytes(5000));
      const fromElsewhere = await dial(listener.port, token);
      const silent = await dial(listener.port);
      const t0 = Date.now();
      assert.deepEqual(await Promise.all([wrong, garbage, fromElsewhere].map((s) => closedWithin(s, 1000))), [true, true, true]);
      assert.equal(await closedWithin(silent, 2000), true);
      assert.ok(Date.now() - t0 >= 200, 'a silent socket is kept until the preamble deadline, not longer');
      wait.cancel();
      assert.equal(await wait.socket, undefined);
      assert.equal(listener.stats().refused, 4);
      assert.equal(listener.stats().pending, 0);
    } finally {
      await listener.close();
    }
  });

  it('refuses connections beyond 16 pending from one address', async () => {
    const listener = await listenBulk(HOST, 0, 5000);
    try {
      const idle = await Promise.all(Array.from({ length: 16 }, () => dial(listener.port)));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(listener.stats().pending, 16);
      const extra = await dial(listener.port);
      assert.equal(await closedWithin(extra, 2000), true);
      assert.equal(listener.stats().refused, 1);
      for (const s of idle) s.destroy();
    } finally {
      await listener.close();
    }
  });
});
