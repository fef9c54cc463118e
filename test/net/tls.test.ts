import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import net from 'node:net';
import tls from 'node:tls';
import { encodeHello } from '../../src/net/control.js';
import { encodeControl, encodeDataHeader, encodeLabel, FrameDecoder, type ControlType } from '../../src/net/framing.js';
import { connectTlsNetwork, createIdentity, fingerprintOfCert, listenTlsEndpoint, type Identity } from '../../src/net/index.js';
import { complianceSuite } from './compliance.js';
import { HOST, tlsSession } from './helpers.js';

complianceSuite('TLS 1.3 over loopback', (ids, options) => tlsSession(ids, options));
complianceSuite('TLS 1.3 over loopback, 1000-byte frames', (ids, options) => tlsSession(ids, { ...options, frameBytes: 1000 }));

/** A hand-driven TLS client holding a pinned key: speaks HELLO correctly, then whatever the test wants. */
async function rawPeer(self: Identity, to: string, port: number, sessionId: string) {
  const socket = tls.connect({ host: HOST, port, key: self.keyPem, cert: self.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const controls: { type: ControlType; payload: string }[] = [];
  const decoder = new FrameDecoder({ message() {}, control: (type, payload) => controls.push({ type, payload: payload.toString() }) });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  socket.write(encodeControl('HELLO', encodeHello(sessionId, self.id, to)));
  return { socket, controls };
}

describe('TLS network', () => {
  it('runs TLS 1.3 with both keys pinned', async () => {
    const ids = [createIdentity('a'), createIdentity('b')];
    const s = await tlsSession(['a', 'b'], { identities: ids });
    try {
      const [a, b] = s.nets;
      const socket = a!.socketOf('b')!;
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      assert.equal(a!.protocolWith('b'), 'TLSv1.3');
      assert.match(socket.getCipher().standardName, /^TLS_AES_256_GCM_SHA384$/);
      assert.equal(a!.verifiedFingerprintOf('b'), ids[1]!.fingerprint);
      // The server side still holds the client's certificate: check the pin against it directly.
      assert.equal(fingerprintOfCert(b!.socketOf('a')!.getPeerX509Certificate()!), ids[0]!.fingerprint);
      assert.equal(b!.verifiedFingerprintOf('a'), ids[0]!.fingerprint);
      assert.deepEqual([...a!.parties], ['a', 'b']);
    } finally {
      await s.cleanup();
    }
  });

  it('answers garbage from a pinned peer with MalformedMessageError naming it, and an ABORT', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
    const pending = connectTlsNetwork({ sessionId: 's-garbage', self: b, listen: endpoint, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }], connectTimeoutMs: 5000 });
    const raw = await rawPeer(a, 'b', endpoint.port, 's-garbage');
    const netB = await pending;
    const waiting = netB.recv('a', 'step-7');
    raw.socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await assert.rejects(waiting, (err: Error & { peer?: string; step?: string }) => {
      assert.equal(err.name, 'MalformedMessageError');
      assert.equal(err.peer, 'a');
      assert.equal(err.step, 'step-7');
      assert.match(err.message, /bad magic/);
      return true;
    });
    await new Promise((resolve) => raw.socket.once('close', resolve));
    assert.deepEqual(raw.controls.map((c) => c.type), ['HELLO', 'ABORT']);
    assert.match(raw.controls[1]!.payload, /MalformedMessageError/);
    await netB.close();
  });

  it('refuses a message larger than maxMessageBytes before allocating it', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
    const pending = connectTlsNetwork({ sessionId: 's-big', self: b, listen: endpoint, maxMessageBytes: 1 << 20, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }] });
    const raw = await rawPeer(a, 'b', endpoint.port, 's-big');
    const netB = await pending;
    raw.socket.write(encodeDataHeader(encodeLabel('x'), 2 ** 32 - 1, 4));
    await assert.rejects(netB.recv('a', 'x'), /message of 4294967295 bytes exceeds the 1048576-byte limit/);
    raw.socket.destroy();
  });

  it('fails a recvInto with PeerDisconnectedError when the peer vanishes inside a message (truncated frame), and refuses an oversize one', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
    const pending = connectTlsNetwork({ sessionId: 's-cut', self: b, listen: endpoint, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }] });
    const raw = await rawPeer(a, 'b', endpoint.port, 's-cut');
    const netB = await pending;
    const into = new Uint8Array(1 << 20);
    const waiting = netB.recvInto('a', 'cut', into);
    // The DATA frame announces 1 MiB in a first frame of 256 KiB, of which only 100 000 bytes come.
    raw.socket.write(encodeDataHeader(encodeLabel('cut'), 1 << 20, 256 << 10));
    raw.socket.write(new Uint8Array(100_000).fill(7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.socket.destroy();
    await assert.rejects(waiting, (err: Error & { peer?: string; step?: string }) => {
      assert.equal(err.name, 'PeerDisconnectedError');
      assert.equal(err.peer, 'a');
      assert.equal(err.step, 'cut');
      return true;
    });
    await netB.close();

    // A message larger than the destination is refused at its header, before any byte lands in it.
    const endpoint2 = await listenTlsEndpoint({ host: HOST, port: 0 });
    const pending2 = connectTlsNetwork({ sessionId: 's-over', self: b, listen: endpoint2, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }] });
    const raw2 = await rawPeer(a, 'b', endpoint2.port, 's-over');
    const netB2 = await pending2;
    const small = new Uint8Array(1000);
    const waiting2 = netB2.recvInto('a', 'over', small);
    raw2.socket.write(encodeDataHeader(encodeLabel('over'), 1001, 1001));
    raw2.socket.write(new Uint8Array(1001).fill(9));
    await assert.rejects(waiting2, (err: Error & { peer?: string; step?: string }) => {
      assert.equal(err.name, 'PeerLimitError');
      assert.equal(err.peer, 'a');
      assert.match(err.message, /expected 1000 bytes, got 1001/);
      return true;
    });
    assert.ok(small.every((v) => v === 0));
    raw2.socket.destroy();
    await netB2.close();
  });

  it('refuses a peer whose key is not the pinned one, on both sides, quickly', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const impostor = createIdentity('b');
    const [ea, eb] = await Promise.all([listenTlsEndpoint({ host: HOST, port: 0 }), listenTlsEndpoint({ host: HOST, port: 0 })]);
    const t0 = Date.now();
    const results = await Promise.allSettled([
      connectTlsNetwork({ sessionId: 's', self: a, listen: ea, peers: [{ id: 'b', host: HOST, port: eb.port, fingerprint: b.fingerprint }], connectTimeoutMs: 5000 }),
      connectTlsNetwork({ sessionId: 's', self: impostor, listen: eb, peers: [{ id: 'a', host: HOST, port: ea.port, fingerprint: a.fingerprint }], connectTimeoutMs: 5000 }),
    ]);
    assert.ok(Date.now() - t0 < 3000, 'fails well before the connect timeout');
    const [ra, rb] = results.map((r) => (r.status === 'rejected' ? r.reason as Error & { peer?: string } : undefined));
    assert.equal(ra?.name, 'PeerAuthError');
    assert.equal(ra?.peer, 'b');
    assert.match(ra!.message, /not the key pinned for 'b'/);
    assert.equal(rb?.name, 'PeerAuthError');
    assert.equal(rb?.peer, 'a');
    assert.match(rb!.message, /refused by 'a'/);
  });

  for (const [what, session, claims, reason] of [
    ['another session', 's-other', 'a', /HELLO names another session/],
    ['another party id', 's-hello', 'c', /key is pinned for 'a' but HELLO claims 'c'/],
  ] as const) {
    it(`refuses a pinned key whose HELLO claims ${what}, and fails at the connect deadline with PeerAuthError`, async () => {
      const a = createIdentity('a');
      const b = createIdentity('b');
      const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
      const t0 = Date.now();
      const pending = connectTlsNetwork({ sessionId: 's-hello', self: b, listen: endpoint, connectTimeoutMs: 800, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }] });
      const socket = tls.connect({ host: HOST, port: endpoint.port, key: a.keyPem, cert: a.certPem, rejectUnauthorized: false });
      socket.on('error', () => {});
      const controls: string[] = [];
      const decoder = new FrameDecoder({ message() {}, control: (type, payload) => controls.push(`${type} ${payload.toString()}`) });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.write(encodeControl('HELLO', encodeHello(session, claims, 'b')));
      await new Promise((resolve) => socket.once('close', resolve));
      assert.equal(controls.length, 1);
      assert.match(controls[0]!, /^ABORT .*PeerAuthError/);
      assert.match(controls[0]!, reason);
      await assert.rejects(pending, (err: Error & { peer?: string; step?: string }) => {
        assert.equal(err.name, 'PeerAuthError');
        assert.equal(err.peer, 'a');
        assert.equal(err.step, 'connect');
        assert.match(err.message, reason);
        return true;
      });
      const waited = Date.now() - t0;
      assert.ok(waited >= 700 && waited < 2500, `failed after ${waited} ms`);
    });
  }

  it('does not let a stranger at the port cancel the session', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const stranger = createIdentity('a');
    const [ea, eb] = await Promise.all([listenTlsEndpoint({ host: HOST, port: 0 }), listenTlsEndpoint({ host: HOST, port: 0 })]);
    const pendingB = connectTlsNetwork({ sessionId: 's', self: b, listen: eb, peers: [{ id: 'a', host: HOST, port: ea.port, fingerprint: a.fingerprint }], connectTimeoutMs: 5000 });
    const raw = await rawPeer(stranger, 'b', eb.port, 's');
    await new Promise((resolve) => raw.socket.once('close', resolve));
    assert.equal(raw.controls[0]?.type, 'ABORT');
    assert.match(raw.controls[0]!.payload, /PeerAuthError: connection refused by 'b': key not pinned/);
    const netA = await connectTlsNetwork({ sessionId: 's', self: a, listen: ea, peers: [{ id: 'b', host: HOST, port: eb.port, fingerprint: b.fingerprint }], connectTimeoutMs: 5000 });
    const netB = await pendingB;
    await netA.send('b', 'hi', Uint8Array.of(1));
    assert.deepEqual([...await netB.recv('a', 'hi')], [1]);
    await Promise.all([netA.close(), netB.close()]);
  });

  it('retries dialing until a late peer listens, and times out on one that never comes', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const c = createIdentity('c');
    const [ea, eb] = await Promise.all([listenTlsEndpoint({ host: HOST, port: 0 }), listenTlsEndpoint({ host: HOST, port: 0 })]);
    const bPort = eb.port;
    await eb.close(); // b is not up yet: a's dials are refused
    const pendingA = connectTlsNetwork({ sessionId: 's', self: a, listen: ea, peers: [{ id: 'b', host: HOST, port: bPort, fingerprint: b.fingerprint }], connectTimeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const netB = await connectTlsNetwork({ sessionId: 's', self: b, listen: { host: HOST, port: bPort }, peers: [{ id: 'a', host: HOST, port: ea.port, fingerprint: a.fingerprint }], connectTimeoutMs: 5000 });
    const netA = await pendingA;
    await Promise.all([netA.close(), netB.close()]);

    const t0 = Date.now();
    await assert.rejects(
      connectTlsNetwork({ sessionId: 's2', self: c, listen: { host: HOST, port: 0 }, peers: [{ id: 'd', host: HOST, port: bPort, fingerprint: a.fingerprint }], connectTimeoutMs: 600 }),
      (err: Error & { peer?: string; step?: string }) => err.name === 'PeerTimeoutError' && err.peer === 'd' && err.step === 'connect',
    );
    assert.ok(Date.now() - t0 < 2000);
  });

  it('lets sessions use a caller\'s net.Server one after another', async () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      for (let i = 0; i < 2; i++) {
        const [na, nb] = await Promise.all([
          connectTlsNetwork({ sessionId: `srv-${i}`, self: a, listen: { host: HOST, port: 0 }, peers: [{ id: 'b', host: HOST, port, fingerprint: b.fingerprint }], connectTimeoutMs: 5000 }),
          connectTlsNetwork({ sessionId: `srv-${i}`, self: b, listen: server, peers: [{ id: 'a', host: HOST, port: 9, fingerprint: a.fingerprint }], connectTimeoutMs: 5000 }),
        ]);
        assert.equal(server.listenerCount('connection'), 0, 'the session left no listener on the server');
        await na.send('b', 'i', Uint8Array.of(i));
        assert.deepEqual([...await nb.recv('a', 'i', 1)], [i]);
        await Promise.all([na.close(), nb.close()]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stops connecting when the AbortSignal fires', async () => {
    const a = createIdentity('a');
    const controller = new AbortController();
    const pending = connectTlsNetwork({ sessionId: 's', self: a, listen: { host: HOST, port: 0 }, peers: [{ id: 'b', host: HOST, port: 9, fingerprint: createIdentity('b').fingerprint }], connectTimeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('operator cancelled')), 100);
    await assert.rejects(pending, /operator cancelled/);
  });

  it('moves a 64 MiB message in both directions at once', async () => {
    const s = await tlsSession(['a', 'b']);
    try {
      const [a, b] = s.nets;
      const x = new Uint8Array(64 << 20).fill(1);
      const y = new Uint8Array(64 << 20).fill(2);
      const [gx, gy] = await Promise.all([b!.recv('a', 'x'), a!.recv('b', 'y'), a!.send('b', 'x', x), b!.send('a', 'y', y)]);
      const h = (u: Uint8Array) => createHash('sha256').update(u).digest('hex');
      assert.equal(h(gx), h(x));
      assert.equal(h(gy), h(y));
    } finally {
      await s.cleanup();
    }
  });
});
