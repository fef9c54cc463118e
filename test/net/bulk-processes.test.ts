/**
 * The bulk channel (src/net/bulk-channel.ts, tls-bulk.ts) between three parties as three OS
 * processes over real sockets: it carries sessions intact, a man in the middle that alters
 * one byte makes every party fail with a typed error (no hang), strangers on the bulk port
 * cannot fail a session, and a blocked bulk port falls back to TLS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/chain/ports.js';
import { createIdentity } from '../../src/net/index.js';
import { startSession, withDeadline, type Party } from './party-processes.js';

const PROXY = fileURLToPath(new URL('./fixtures/tamper-proxy.js', import.meta.url));
const perPeer = 1000 + 65_537 + (8 << 20);

async function exitedCleanly(parties: Party[]): Promise<void> {
  for (const p of parties) assert.equal((await withDeadline(p.exited, 10_000, `${p.id} exit`)).code, 0);
}

describe('bulk channel across three OS processes', () => {
  it('carries every link of a session (8 MiB messages, streams) on the bulk channel, intact', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    for (const scenario of ['exchange', 'stream']) {
      const parties = await startSession(ids, { scenario });
      const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 30_000, scenario);
      for (const r of results) {
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.deepEqual(Object.values(r.channels as Record<string, string>), ['bulk', 'bulk'], JSON.stringify(r));
        if (scenario === 'exchange') assert.equal(r.received, 2 * perPeer);
      }
      await exitedCleanly(parties);
    }
  });

  it('falls back to TLS, and still computes, when the announced bulk port is unreachable', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const closed = await freePort(); // nothing listens there
    const parties = await startSession(ids, { scenario: 'exchange' }, undefined, {
      b: { bulk: { advertisePort: closed, timeoutMs: 500 } },
      c: { bulk: { advertisePort: closed, timeoutMs: 500 } },
    });
    const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 30_000, 'fallback');
    for (const r of results) {
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.received, 2 * perPeer);
      assert.deepEqual(Object.values(r.channels as Record<string, string>), ['tls', 'tls'], JSON.stringify(r));
    }
    await exitedCleanly(parties);
  });

  it('fails every party with a typed error, without hanging, when a man in the middle flips one byte', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const [bulkPort, proxyPort] = [await freePort(), await freePort()];
    // a dials b; b's bulk channel is announced at the proxy, which flips a byte of a's
    // records (past the 32-byte token, inside the first 8 MiB message).
    const proxy = spawn(process.execPath, [PROXY, String(proxyPort), String(bulkPort), String(32 + 200_000)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const proxyEvents = createInterface({ input: proxy.stdout! })[Symbol.asyncIterator]();
    try {
      assert.equal(JSON.parse((await proxyEvents.next()).value as string).event, 'listening');
      const parties = await startSession(ids, { scenario: 'exchange' }, undefined, { b: { bulk: { port: bulkPort, advertisePort: proxyPort } } });
      const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 30_000, 'tamper');
      assert.equal(JSON.parse((await proxyEvents.next()).value as string).event, 'flipped');
      for (const r of results) {
        assert.equal(r.ok, false, JSON.stringify(r));
        const error = r.error as { name: string; message: string; peer: string };
        if (error.name === 'ChannelIntegrityError') continue;
        // The others are told by whoever detected it: an ABORT naming the integrity failure,
        // or (for a party whose link was cut first) the detector's disconnect.
        assert.ok(['SessionAbortedError', 'PeerDisconnectedError'].includes(error.name), JSON.stringify(error));
      }
      const b = results[1]!.error as { name: string; peer: string };
      assert.equal(b.name, 'ChannelIntegrityError', JSON.stringify(b));
      assert.equal(b.peer, 'a');
      // (Whether a and c also name the integrity failure depends on whose ABORT reaches them
      // first: b's, or a's own about b's link closing.)
      await exitedCleanly(parties);
    } finally {
      proxy.stdin!.end();
    }
  });

  it('ignores strangers on the bulk port (wrong tokens, garbage, idle sockets): the session completes on bulk', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const bulkPort = await freePort();
    const parties = await startSession(ids, { scenario: 'exchange' }, undefined, { c: { bulk: { port: bulkPort } } });
    let stop = false;
    let tries = 0;
    const pester = (async () => {
      while (!stop) {
        const s = net.connect({ host: '127.0.0.1', port: bulkPort });
        s.on('error', () => {});
        const kind = tries++ % 3;
        s.on('connect', () => {
          if (kind === 0) s.end(randomBytes(32)); // a wrong token
          else if (kind === 1) s.end(randomBytes(5000)); // garbage
          // kind 2: connects and says nothing (dropped at the preamble deadline or when the session ends)
        });
        await new Promise((r) => setTimeout(r, 15));
        if (kind !== 2) s.destroy();
      }
    })();
    const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 30_000, 'strangers');
    stop = true;
    await pester;
    assert.ok(tries > 3);
    for (const r of results) {
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(Object.values(r.channels as Record<string, string>), ['bulk', 'bulk'], JSON.stringify(r));
    }
    await exitedCleanly(parties);
  });
});
