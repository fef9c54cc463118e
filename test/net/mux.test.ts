/**
 * SessionMux: one listening port per node, shared by many sessions (routed by TLS SNI).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import tls from 'node:tls';
import { encodeHello } from '../../src/net/control.js';
import { encodeControl, FrameDecoder } from '../../src/net/framing.js';
import {
  connectTlsNetwork, createIdentity, listenSessionMux, sessionServername,
  type Identity, type SessionMux, type TlsNetwork, type TlsNetworkOptions,
} from '../../src/net/index.js';
import { complianceSuite } from './compliance.js';
import { HOST } from './helpers.js';

/** The routing part of a mux's stats (the limit counters are checked in test/adversarial). */
const routing = (mux: { stats(): { sessions: number; held: number } }) => ({ sessions: mux.stats().sessions, held: mux.stats().held });

interface Node {
  identity: Identity;
  mux: SessionMux;
}

const opened: SessionMux[] = [];
after(() => Promise.all(opened.map((m) => m.close()))); // tests close their muxes; this is for failures

async function node(id: string, options?: { holdMs?: number; maxHeld?: number }): Promise<Node> {
  const mux = await listenSessionMux({ host: HOST, port: 0 }, options);
  opened.push(mux);
  return { identity: createIdentity(id), mux };
}

/** `p`, marked handled now (it may reject before the test gets to assert on it). */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

async function until(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** `self`'s side of session `sessionId` with `others`, accepting on its node's mux. */
function join(sessionId: string, self: Node, others: Node[], extra: Partial<TlsNetworkOptions> = {}): Promise<TlsNetwork> {
  return connectTlsNetwork({
    sessionId,
    self: self.identity,
    listen: self.mux,
    peers: others.map((o) => ({ id: o.identity.id, host: HOST, port: o.mux.port, fingerprint: o.identity.fingerprint })),
    connectTimeoutMs: 5000,
    ...extra,
  });
}

/** Deterministic bytes that differ by `tag`, so a message routed to the wrong session shows. */
function payload(tag: string, n: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = createHash('sha256').update(tag).digest().readUInt32LE(0) || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, n);
}
const sha = (u: Uint8Array) => createHash('sha256').update(u).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A hand-driven TLS client: sends `servername` (or none), then optionally a HELLO; records control frames. */
async function rawDial(self: Identity, port: number, servername: string | undefined, hello?: { session: string; from: string; to: string }) {
  const socket = tls.connect({ host: HOST, port, ...(servername ? { servername } : {}), key: self.keyPem, cert: self.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  socket.on('error', () => {});
  const controls: string[] = [];
  const decoder = new FrameDecoder({ message() {}, control: (type, p) => controls.push(`${type} ${p.toString()}`) });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  let secure = false;
  socket.once('secureConnect', () => {
    secure = true;
    if (hello) socket.write(encodeControl('HELLO', encodeHello(hello.session, hello.from, hello.to)));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, controls, closed, get secure() { return secure; } };
}

// The whole compliance suite, each party on its own long-lived mux: every test is a new session on the same ports.
const shared = new Map<string, SessionMux>();
complianceSuite('TLS 1.3 over long-lived SessionMuxes', async (ids, options) => {
  const nodes: Node[] = [];
  for (const id of ids) {
    let mux = shared.get(id);
    if (!mux) shared.set(id, mux = await listenSessionMux({ host: HOST, port: 0 }));
    nodes.push({ identity: createIdentity(id), mux });
  }
  const sessionId = `compliance-${Math.random().toString(36).slice(2)}`;
  const nets = await Promise.all(nodes.map((n) => join(sessionId, n, nodes.filter((o) => o !== n), options)));
  return { nets, cleanup: async () => { await Promise.all(nets.map((n) => n.close())); } };
});
after(async () => {
  for (const mux of shared.values()) {
    assert.deepEqual(routing(mux), { sessions: 0, held: 0 });
    await mux.close();
  }
});

describe('SessionMux', () => {
  it('carries concurrent sessions over the same ports, each with its own data, and holds early dialers', async () => {
    const [a, b, c] = await Promise.all([node('a'), node('b'), node('c')]);
    // a dials b and c at once; b and c register their sessions 250 ms later, so a's connections wait in their muxes.
    const plan: [string, Node[]][] = [['s-abc', [a!, b!, c!]], ['s-ab', [a!, b!]], ['s-bc', [b!, c!]], ['s-ab-2', [a!, b!]]];
    const early = plan.map(([sid, members]) => members.includes(a!) ? join(sid, a!, members.filter((m) => m !== a)) : undefined);
    await sleep(250);
    assert.ok(b!.mux.stats().held >= 1, 'a\'s connections are held until b registers');
    const late = plan.map(([sid, members]) => Promise.all(members.filter((m) => m !== a).map((m) => join(sid, m, members.filter((o) => o !== m)))));
    const sessions = await Promise.all(plan.map(async ([sid, members], i) => {
      const nets = [...(early[i] ? [await early[i]!] : []), ...await late[i]!];
      assert.deepEqual(nets.map((n) => n.self), members.map((m) => m.identity.id));
      return { sid, nets };
    }));
    for (const n of [a!, b!, c!]) assert.deepEqual(routing(n.mux), { sessions: 0, held: 0 }, 'registrations end once meshes are up');
    // Every link moved to its bulk channel, routed by the muxes' bulk listeners (tokens announced inside TLS).
    for (const { nets } of sessions) for (const n of nets) for (const p of n.peers) assert.equal(n.channelWith(p), 'bulk', `${n.self}->${p}`);
    assert.equal([a!, b!, c!].reduce((k, n) => k + (n.mux as unknown as { bulk: { stats(): { accepted: number } } }).bulk.stats().accepted, 0), 6, 'one bulk connection per link (3 + 1 + 1 + 1)');

    // Every session sends the same step labels at the same time; the contents name the session and the pair.
    await Promise.all(sessions.map(async ({ sid, nets }) => {
      await Promise.all(nets.flatMap((from) => nets.filter((to) => to !== from).map(async (to) => {
        const big = payload(`${sid}:${from.self}->${to.self}`, 3 << 20);
        const small = payload(`${sid}:${from.self}->${to.self}:small`, 1000);
        await Promise.all([from.send(to.self, 'x', big), from.send(to.self, 'y', small)]);
      })));
    }).concat(sessions.map(async ({ sid, nets }) => {
      for (const to of nets) {
        for (const from of nets.filter((n) => n !== to)) {
          assert.equal(sha(await to.recv(from.self, 'x', 3 << 20)), sha(payload(`${sid}:${from.self}->${to.self}`, 3 << 20)));
          assert.equal(sha(await to.recv(from.self, 'y', 1000)), sha(payload(`${sid}:${from.self}->${to.self}:small`, 1000)));
        }
      }
    })));
    await Promise.all(sessions.flatMap(({ nets }) => nets.map((n) => n.close())));
    await Promise.all([a!, b!, c!].map((n) => n.mux.close()));
  });

  it('serves sessions one after another on the same ports', async () => {
    const [a, b] = await Promise.all([node('a'), node('b')]);
    for (let i = 0; i < 3; i++) {
      const [na, nb] = await Promise.all([join(`seq-${i}`, a!, [b!]), join(`seq-${i}`, b!, [a!])]);
      await na.send('b', 'round', Uint8Array.of(i));
      assert.deepEqual([...await nb.recv('a', 'round', 1)], [i]);
      await Promise.all([na.close(), nb.close()]);
      assert.deepEqual(routing(b.mux), { sessions: 0, held: 0 });
    }
    // A session that aborts while connecting gives its registration up as well.
    const controller = new AbortController();
    const pending = later(join('seq-aborted', b!, [a!], { signal: controller.signal }));
    await sleep(50);
    assert.equal(b!.mux.stats().sessions, 1);
    controller.abort(new Error('operator cancelled'));
    await assert.rejects(pending, /operator cancelled/);
    assert.equal(b!.mux.stats().sessions, 0);
    await Promise.all([a!.mux.close(), b!.mux.close()]);
  });

  it('drops dialers for unknown sessions after the hold time without disturbing others', async () => {
    const [a, b] = await Promise.all([node('a'), node('b', { holdMs: 300 })]);
    const t0 = Date.now();
    const ghost = await rawDial(a!.identity, b!.mux.port, sessionServername('ghost', 'b'));
    const noSni = await rawDial(a!.identity, b!.mux.port, undefined);
    // A full network dialing an unknown session retries until its own deadline, then times out.
    const lost = later(join('ghost-2', a!, [b!], { connectTimeoutMs: 900 }));
    const [na, nb] = await Promise.all([join('real', a!, [b!]), join('real', b!, [a!])]);
    await noSni.closed; // no SNI: no session, no certificate, no handshake
    assert.equal(noSni.secure, false);
    await na.send('b', 'hi', Uint8Array.of(7));
    assert.deepEqual([...await nb.recv('a', 'hi', 1)], [7]);
    await ghost.closed;
    const held = Date.now() - t0;
    assert.equal(ghost.secure, false, 'the handshake never completes for an unknown session');
    assert.ok(held >= 250 && held < 1500, `dropped after ${held} ms`);
    await assert.rejects(lost, (err: Error & { step?: string }) => err.name === 'PeerTimeoutError' && err.step === 'connect');
    await nb.send('a', 'still', Uint8Array.of(8));
    assert.deepEqual([...await na.recv('b', 'still', 1)], [8]);
    await until('the last ghost connection is gone', () => b!.mux.stats().held === 0);
    assert.equal(b!.mux.stats().sessions, 0);
    await Promise.all([na.close(), nb.close(), a!.mux.close(), b!.mux.close()]);
  });

  it('refuses a wrong key for one session while another proceeds on the same port', async () => {
    const [a, b] = await Promise.all([node('a'), node('b')]);
    const impostor: Node = { identity: createIdentity('a'), mux: a!.mux };
    const t0 = Date.now();
    // b waits in session A for the real a; the impostor (id 'a', another key) dials it first.
    const bInA = later(join('session-A', b!, [a!], { connectTimeoutMs: 1200 }));
    const fake = later(join('session-A', impostor, [b!], { connectTimeoutMs: 3000 }));
    const [aInB, bInB] = await Promise.all([join('session-B', a!, [b!]), join('session-B', b!, [a!])]);
    await assert.rejects(fake, (err: Error & { peer?: string }) => {
      assert.equal(err.name, 'PeerAuthError');
      assert.equal(err.peer, 'b');
      assert.match(err.message, /refused by 'b'.*key not pinned/s);
      return true;
    });
    assert.ok(Date.now() - t0 < 1000, 'the impostor is refused at once');
    await aInB.send('b', 'data', payload('B', 100_000));
    assert.equal(sha(await bInB.recv('a', 'data', 100_000)), sha(payload('B', 100_000)));
    // The refusal did not cancel session A: it fails only at its deadline, naming the refused key.
    await assert.rejects(bInA, (err: Error) => err.name === 'PeerAuthError' && /certificate key \w+… is not pinned for any party that dials 'b'.*no authenticated connection with 'a' within 1200 ms/s.test(err.message));
    assert.ok(Date.now() - t0 >= 1100);
    assert.equal(aInB.aborted, undefined);
    assert.equal(bInB.aborted, undefined);
    assert.equal(b!.mux.stats().sessions, 0);
    await Promise.all([aInB.close(), bInB.close(), a!.mux.close(), b!.mux.close()]);
  });

  it('routes by SNI only: a key pinned in one session gets nothing from another', async () => {
    const [a, c, z] = await Promise.all([node('a'), node('c'), node('z')]);
    // z accepts in session X (from c) and in Y (from a); c is not a party of Y.
    const zInX = later(join('X', z, [c]));
    const zInY = later(join('Y', z, [a]));
    await until('both sessions registered', () => z.mux.stats().sessions === 2);
    const t0 = Date.now();
    const intoY = await rawDial(c.identity, z.mux.port, sessionServername('Y', 'z'), { session: 'Y', from: 'a', to: 'z' });
    const crossed = await rawDial(c.identity, z.mux.port, sessionServername('X', 'z'), { session: 'Y', from: 'c', to: 'z' });
    await Promise.all([intoY.closed, crossed.closed]);
    assert.ok(Date.now() - t0 < 1000, 'refused at once, not held');
    assert.deepEqual(intoY.controls.map((m) => m.split(' ')[0]), ['ABORT']);
    assert.match(intoY.controls[0]!, /connection refused by 'z': key not pinned/);
    assert.deepEqual(crossed.controls.map((m) => m.split(' ')[0]), ['ABORT']);
    assert.match(crossed.controls[0]!, /HELLO names another session/);
    // Neither refusal cancelled a session: both connect with their real peers afterwards.
    const [cInX, aInY] = await Promise.all([join('X', c, [z]), join('Y', a, [z])]);
    const [zx, zy] = await Promise.all([zInX, zInY]);
    await Promise.all([cInX.send('z', 'm', Uint8Array.of(1)), aInY.send('z', 'm', Uint8Array.of(2))]);
    assert.deepEqual([...await zx.recv('c', 'm', 1)], [1]);
    assert.deepEqual([...await zy.recv('a', 'm', 1)], [2]);
    await Promise.all([cInX.close(), aInY.close(), zx.close(), zy.close()]);
    await Promise.all([a, c, z].map((n) => n.mux.close()));
  });

  it('bounds held connections and refuses a second registration of the same party', async () => {
    const [a, b] = await Promise.all([node('a'), node('b', { maxHeld: 2 })]);
    const raws = [0, 1, 2].map(() => net.connect({ host: HOST, port: b!.mux.port }).on('error', () => {}));
    const third = new Promise<void>((resolve) => raws[2]!.once('close', () => resolve()));
    await third; // beyond maxHeld: dropped at once
    assert.equal(b!.mux.stats().held, 2);
    const first = later(join('dup', b!, [a!], { connectTimeoutMs: 2000 }));
    await assert.rejects(join('dup', b!, [a!]), /session 'dup' already accepts connections for 'b'/);
    for (const r of raws) r.destroy(); // frees the hold slots: a's connection must pass through them too
    const na = await join('dup', a!, [b!]);
    const nb = await first;
    await Promise.all([na.close(), nb.close(), a!.mux.close(), b!.mux.close()]);
  });

  it('stops listening on close but keeps established sessions', async () => {
    const [a, b] = await Promise.all([node('a'), node('b')]);
    const [na, nb] = await Promise.all([join('before-close', a!, [b!]), join('before-close', b!, [a!])]);
    const heldOne = await rawDial(a!.identity, b!.mux.port, sessionServername('later', 'b'));
    await sleep(50);
    assert.equal(b!.mux.stats().held, 1);
    const port = b!.mux.port;
    await b!.mux.close();
    await heldOne.closed; // held connections are dropped
    assert.deepEqual(routing(b!.mux), { sessions: 0, held: 0 });
    await assert.rejects(new Promise((resolve, reject) => net.connect({ host: HOST, port }).once('connect', resolve).once('error', reject)), /ECONNREFUSED/);
    await assert.rejects(join('after-close', b!, [a!]), /the session mux is closed/);
    const data = payload('after', 1 << 20);
    await Promise.all([na.send('b', 'd', data), nb.send('a', 'd', data)]);
    assert.equal(sha(await nb.recv('a', 'd')), sha(data));
    assert.equal(sha(await na.recv('b', 'd')), sha(data));
    await Promise.all([na.close(), nb.close(), a!.mux.close()]);
  });
});
