/**
 * Three parties as three separate OS processes on loopback: real processes, real sockets,
 * real TLS. Each runs test/net/fixtures/party.ts (see there for the protocol).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIdentity } from '../../src/net/index.js';
import { startSession, withDeadline } from './party-processes.js';

describe('TLS network across three OS processes', () => {
  it('exchanges messages over TLS 1.3 between three processes', async () => {
    const ids = ['bank-a', 'bank-b', 'lender-c'].map((id) => createIdentity(id));
    const parties = await startSession(ids, { scenario: 'exchange' });
    const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 20_000, 'exchange');
    for (const [i, r] of results.entries()) {
      assert.equal(r.ok, true, JSON.stringify(r));
      const protocols = r.protocols as Record<string, string>;
      assert.deepEqual(Object.keys(protocols).sort(), ids.filter((_, j) => j !== i).map((x) => x.id).sort());
      for (const v of Object.values(protocols)) assert.equal(v, 'TLSv1.3');
      const perPeer = 1000 + 65_537 + (8 << 20);
      assert.equal(r.sent, 2 * perPeer);
      assert.equal(r.received, 2 * perPeer);
      assert.equal(r.messages, 6);
    }
    for (const p of parties) assert.deepEqual((await withDeadline(p.exited, 5000, `${p.id} exit`)).code, 0);
  });

  it('streams 8 MiB messages in uneven chunks between three processes, received intact (into a destination or not)', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const parties = await startSession(ids, { scenario: 'stream' });
    const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 30_000, 'stream');
    const perPeer = 1 + ((8 << 20) + 5) + 1;
    for (const r of results) {
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.sent, 2 * perPeer);
      assert.equal(r.received, 2 * perPeer);
    }
    for (const p of parties) assert.equal((await withDeadline(p.exited, 5000, `${p.id} exit`)).code, 0);
  });

  it('fails the others with PeerDisconnectedError naming a party that vanishes half-way through a streamed message', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const parties = await startSession(ids, { scenario: 'cut', victim: 'b' });
    await withDeadline(parties[1]!.next('cut'), 30_000, 'cut');
    const results = await withDeadline(Promise.all([parties[0]!, parties[2]!].map((p) => p.next('result'))), 10_000, 'cut detection');
    for (const r of results) {
      assert.equal(r.ok, false, JSON.stringify(r));
      const error = r.error as { name: string; peer: string; step: string; culprit?: string };
      if (error.name === 'PeerDisconnectedError') {
        assert.equal(error.peer, 'b');
        assert.equal(error.step, 'stream', JSON.stringify(r));
      } else {
        assert.equal(error.name, 'SessionAbortedError', JSON.stringify(error));
        assert.equal(error.culprit, 'b');
      }
    }
    assert.ok(results.some((r) => (r.error as { name: string }).name === 'PeerDisconnectedError'));
    for (const p of parties) assert.equal((await withDeadline(p.exited, 5000, `${p.id} exit`)).code, 0);
  });

  it('reports a SIGKILLed peer to the others as PeerDisconnectedError naming it, and they exit cleanly', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const parties = await startSession(ids, { scenario: 'crash', victim: 'b' });
    const victim = parties[1]!;
    const survivors = [parties[0]!, parties[2]!];
    await withDeadline(Promise.all([victim.next('ready-to-die'), ...survivors.map((p) => p.next('waiting'))]), 15_000, 'crash set-up');
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    const results = await withDeadline(Promise.all(survivors.map((p) => p.next('result'))), 5000, 'crash detection');
    for (const r of results) {
      assert.equal(r.ok, false);
      const error = r.error as { name: string; peer: string; step: string; culprit?: string; message: string };
      // Each survivor sees the dead socket itself; if the other survivor's ABORT overtakes
      // that, the abort still names the dead party as the culprit.
      if (error.name === 'PeerDisconnectedError') {
        assert.equal(error.peer, 'b');
        assert.equal(error.step, 'round-2');
        assert.match(error.message, /Peer 'b' disconnected \(peer 'b', step 'round-2'\)/);
      } else {
        assert.equal(error.name, 'SessionAbortedError', error.message);
        assert.equal(error.culprit, 'b');
        assert.match(error.message, /PeerDisconnectedError/);
      }
      assert.ok((r.detectMs as number) < 3000);
    }
    assert.ok(results.some((r) => (r.error as { name: string }).name === 'PeerDisconnectedError'));
    for (const p of survivors) {
      const { code, at } = await withDeadline(p.exited, 5000, `${p.id} exit`);
      assert.equal(code, 0);
      assert.ok(at - killedAt < 5000);
    }
    assert.equal((await victim.exited).signal, 'SIGKILL');
  });

  it('refuses a party whose key is not the pinned one, on both sides, without hanging', async () => {
    const ids = ['a', 'b', 'c'].map((id) => createIdentity(id));
    const pinned = new Map([['b', createIdentity('b').fingerprint]]); // b runs with a key nobody pinned
    const t0 = Date.now();
    const parties = await startSession(ids, { scenario: 'connect', connectTimeoutMs: 4000 }, pinned);
    // Generous bounds: the 4 s connect deadline plus process start on a loaded 2-core machine; a hang never ends.
    const results = await withDeadline(Promise.all(parties.map((p) => p.next('result'))), 25_000, 'auth');
    const [ra, rb, rc] = results.map((r) => ({ ok: r.ok, phase: r.phase, error: r.error as { name: string; peer: string; culprit?: string; message: string } }));
    for (const r of [ra!, rb!, rc!]) {
      assert.equal(r.ok, false);
      assert.equal(r.phase, 'connect');
    }
    // b, which holds the unpinned key, is always refused: by a (which dials b and checks b's
    // key) or by c (which b dials and which does not know b's key), whichever comes first.
    assert.equal(rb!.error.name, 'PeerAuthError');
    assert.match(rb!.error.message, /refused by '[ac]'/);
    // a either saw b's wrong key (PeerAuthError) or, when c's refusal made b quit before a's
    // handshake with b completed, found b gone and timed out; both name b.
    assert.ok(['PeerAuthError', 'PeerTimeoutError'].includes(ra!.error.name), JSON.stringify(ra));
    assert.equal(ra!.error.peer, 'b');
    if (ra!.error.name === 'PeerAuthError') assert.match(ra!.error.message, /not the key pinned for 'b'/);
    // c stops as well, told by a (blaming b) or at its deadline (its own refusal of the unknown key, or b missing).
    if (rc!.error.name === 'SessionAbortedError') assert.equal(rc!.error.culprit, 'b');
    else if (rc!.error.name === 'PeerTimeoutError') assert.match(rc!.error.message, /no authenticated connection with .*'b'/); // a and b both gave up before reaching c
    else assert.equal(rc!.error.name, 'PeerAuthError', rc!.error.message);
    for (const p of parties) assert.equal((await withDeadline(p.exited, 10_000, `${p.id} exit`)).code, 0);
    assert.ok(Date.now() - t0 < 40_000, 'refused without hanging');
  });
});
