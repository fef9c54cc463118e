/**
 * Peer port limits over real loopback sockets: the address check (a session takes its
 * parties' connections only from their registered hosts, names resolved), a stranger at
 * another loopback address refused before TLS, per-address pending caps, and the
 * `TACIT_PEER_*` configuration. The attacks across processes are in test/adversarial/net.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import {
  connectTlsNetwork, createIdentity, listenSessionMux, peerPortOptionsFromEnv, sessionServername,
  type Identity, type SessionMux,
} from '../../src/net/index.js';
import { normalizeAddress } from '../../src/net/peer-port-limits.js';

const HOST = '127.0.0.1';
const opened: SessionMux[] = [];
after(() => Promise.all(opened.map((m) => m.close())));

async function mux(options = {}): Promise<SessionMux> {
  const m = await listenSessionMux({ host: HOST, port: 0 }, options);
  opened.push(m);
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pair(sessionId: string, a: Identity, b: Identity, ma: SessionMux, mb: SessionMux, hostOfA: string, timeout = 3000) {
  // 'a' sorts first: it dials b, and b checks that a connects from `hostOfA`.
  return Promise.allSettled([
    connectTlsNetwork({ sessionId, self: a, listen: ma, peers: [{ id: b.id, host: HOST, port: mb.port, fingerprint: b.fingerprint }], connectTimeoutMs: timeout }),
    connectTlsNetwork({ sessionId, self: b, listen: mb, peers: [{ id: a.id, host: hostOfA, port: ma.port, fingerprint: a.fingerprint }], connectTimeoutMs: timeout }),
  ]);
}

describe('peer port limits', () => {
  it('accepts a party only from its registered host; a host name is resolved', async () => {
    const [a, b] = [createIdentity('a'), createIdentity('b')];
    const [ma, mb] = [await mux(), await mux()];
    const ok = await pair('addr-ok', a, b, ma, mb, 'localhost');
    for (const r of ok) assert.equal(r.status, 'fulfilled', String((r as PromiseRejectedResult).reason));
    for (const r of ok) await (r as PromiseFulfilledResult<Awaited<ReturnType<typeof connectTlsNetwork>>>).value.close();
    // a is registered at 127.0.0.2 but connects from 127.0.0.1 (a stolen key elsewhere): refused before TLS.
    const bad = await pair('addr-bad', a, b, ma, mb, '127.0.0.2', 1500);
    assert.deepEqual(bad.map((r) => r.status), ['rejected', 'rejected']);
    assert.ok(mb.stats().refused.address >= 1, JSON.stringify(mb.stats()));
    // With the check off (a partner behind NAT), the same registration connects.
    const nat = await Promise.allSettled([
      connectTlsNetwork({ sessionId: 'addr-nat', self: a, listen: ma, peers: [{ id: 'b', host: HOST, port: mb.port, fingerprint: b.fingerprint }], connectTimeoutMs: 3000 }),
      connectTlsNetwork({ sessionId: 'addr-nat', self: b, listen: mb, peers: [{ id: 'a', host: '127.0.0.2', port: ma.port, fingerprint: a.fingerprint }], connectTimeoutMs: 3000, checkPeerAddress: false }),
    ]);
    for (const r of nat) assert.equal(r.status, 'fulfilled');
    for (const r of nat) await (r as PromiseFulfilledResult<Awaited<ReturnType<typeof connectTlsNetwork>>>).value.close();
  });

  it('caps pending connections per address and drops a stranger\'s SNI connection without a certificate', async () => {
    const m = await mux({ maxPendingPerAddress: 4, handshakeTimeoutMs: 800 });
    const [a, b] = [createIdentity('a'), createIdentity('b')];
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 10; i++) {
      const s = net.connect({ host: HOST, port: m.port, localAddress: '127.0.0.2' });
      s.on('error', () => {});
      sockets.push(s);
    }
    await sleep(200);
    assert.equal(m.stats().pending, 4);
    assert.equal(m.stats().refused.perAddress, 6);
    // b's session (accepting from a at 127.0.0.1) still connects while 127.0.0.2 is at its cap.
    const ma = await mux();
    const ok = await pair('busy', a, b, ma, m, HOST);
    for (const r of ok) assert.equal(r.status, 'fulfilled', String((r as PromiseRejectedResult).reason));
    // A stranger at 127.0.0.2 naming that session is refused once a slot is free; it never sees a certificate.
    await sleep(900); // the idle ones hit the handshake deadline
    assert.equal(m.stats().pending, 0);
    const sessionB = (ok[1] as PromiseFulfilledResult<Awaited<ReturnType<typeof connectTlsNetwork>>>).value;
    const registered = connectTlsNetwork({ sessionId: 'sni', self: b, listen: m, peers: [{ id: 'a', host: HOST, port: ma.port, fingerprint: a.fingerprint }], connectTimeoutMs: 1500 }).catch(() => undefined);
    await sleep(50);
    const raw = net.connect({ host: HOST, port: m.port, localAddress: '127.0.0.2' });
    raw.on('error', () => {});
    const t = tls.connect({ socket: raw, servername: sessionServername('sni', 'b'), rejectUnauthorized: false });
    t.on('error', () => {});
    let gotCert = false;
    t.once('secureConnect', () => (gotCert = true));
    await new Promise((r) => t.once('close', r));
    assert.equal(gotCert, false);
    assert.ok(m.stats().refused.address >= 1);
    for (const s of sockets) s.destroy();
    await registered;
    await sessionB.close();
    await (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof connectTlsNetwork>>>).value.close();
  });

  it('drops a pinned member that completes TLS but never sends HELLO at the handshake deadline; the real session then connects', async () => {
    const [a, b] = [createIdentity('a'), createIdentity('b')];
    const [ma, mb] = [await mux(), await mux({ handshakeTimeoutMs: 600 })];
    const sb = connectTlsNetwork({ sessionId: 'mute', self: b, listen: mb, peers: [{ id: 'a', host: HOST, port: ma.port, fingerprint: a.fingerprint }], connectTimeoutMs: 8000 });
    sb.catch(() => {});
    await sleep(100);
    // a's key, the right SNI, the right address — and then silence.
    const t = tls.connect({ host: HOST, port: mb.port, servername: sessionServername('mute', 'b'), key: a.keyPem, cert: a.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    t.on('error', () => {});
    const t0 = Date.now();
    await new Promise((r) => t.once('secureConnect', r));
    await new Promise((r) => t.once('close', r));
    const ms = Date.now() - t0;
    assert.ok(ms >= 400 && ms < 3000, `mute connection closed after ${ms} ms`);
    const sa = await connectTlsNetwork({ sessionId: 'mute', self: a, listen: ma, peers: [{ id: 'b', host: HOST, port: mb.port, fingerprint: b.fingerprint }], connectTimeoutMs: 5000 });
    const nb = await sb;
    void sa.send('b', 'x', new Uint8Array([5]));
    assert.deepEqual([...await nb.recv('a', 'x', 1)], [5]);
    await Promise.all([sa.close(), nb.close()]);
    assert.equal(mb.stats().pending, 0);
  });

  it('reads TACIT_PEER_* and refuses a bad value naming the variable', () => {
    assert.deepEqual(peerPortOptionsFromEnv({}), {});
    assert.deepEqual(peerPortOptionsFromEnv({ TACIT_PEER_MAX_PENDING_PER_ADDRESS: '8', TACIT_PEER_HANDSHAKE_TIMEOUT_MS: '2000', TACIT_PEER_CHECK_ADDRESS: '0', TACIT_PEER_MAX_BUFFERED_BYTES: '1048576' }),
      { maxPendingPerAddress: 8, handshakeTimeoutMs: 2000, checkPeerAddress: false, maxBufferedBytes: 1048576 });
    assert.throws(() => peerPortOptionsFromEnv({ TACIT_PEER_MAX_PENDING: 'lots' }), /TACIT_PEER_MAX_PENDING must be a positive integer/);
    assert.throws(() => peerPortOptionsFromEnv({ TACIT_PEER_CHECK_ADDRESS: 'yes' }), /TACIT_PEER_CHECK_ADDRESS must be 0 or 1/);
    assert.equal(normalizeAddress('::ffff:10.0.0.5'), '10.0.0.5');
    assert.equal(normalizeAddress('FE80::1'), 'fe80::1');
  });
});
