/**
 * The peer port and the wire under attack, played for real: every node and every attacker is
 * its own OS process on loopback (fixtures/net-node.ts, fixtures/net-flooder.ts), over real
 * TCP and TLS 1.3. Each attack asserts that nothing crashes, that the victim's error is
 * typed and names the peer and step, and that an honest session on the same port is not
 * affected.
 *
 *   - a stranger floods a node's port (idle sockets, TLS with the session's SNI) while an
 *     honest three-party session runs through it;
 *   - a slowloris dribbling a ClientHello is cut at the handshake deadline;
 *   - a session member announces a 4 GiB message, sends more than the step takes, or sends
 *     garbage: the victim aborts and blames it without allocating the message (RSS checked).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createIdentity, sessionServername, type Identity, type TlsPeer } from '../../src/net/index.js';

const NODE = fileURLToPath(new URL('./fixtures/net-node.js', import.meta.url));
const FLOODER = fileURLToPath(new URL('./fixtures/net-flooder.js', import.meta.url));
type Msg = Record<string, unknown>;

interface Node {
  identity: Identity;
  port: number;
  child: ChildProcess;
  send(cmd: object): void;
  /** The next line with this event (and, for results, this session). */
  next(event: string, sessionId?: string): Promise<Msg>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function startNode(id: string, mux: object = {}): Promise<Node> {
  const identity = createIdentity(id);
  const child = spawn(process.execPath, [NODE], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const seen: Msg[] = [];
  const waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as Msg;
    const i = waiters.findIndex((w) => w.match(m));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    else seen.push(m);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = (event: string, sessionId?: string) => {
    const match = (m: Msg) => m.event === event && (sessionId === undefined || m.sessionId === sessionId);
    const i = seen.findIndex(match);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]!);
    return new Promise<Msg>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(() => reject(new Error(`node ${id} exited while the test waited for ${event} ${sessionId ?? ''}`)));
    });
  };
  child.stdin!.write(`${JSON.stringify({ id, keyPem: identity.keyPem, certPem: identity.certPem, mux })}\n`);
  const port = (await next('listening')).port as number;
  return { identity, port, child, exited, next, send: (cmd) => child.stdin!.write(`${JSON.stringify(cmd)}\n`) };
}

function peersOf(self: Node, members: Node[]): TlsPeer[] {
  return members.filter((m) => m !== self).map((m) => ({ id: m.identity.id, host: '127.0.0.1', port: m.port, fingerprint: m.identity.fingerprint }));
}

/** Starts one session across `members` with a role each; resolves to their results in order. */
function session(sessionId: string, members: Node[], roles: Record<string, object>): Promise<Msg[]> {
  for (const m of members) m.send({ cmd: 'session', sessionId, peers: peersOf(m, members), ...roles[m.identity.id] });
  return Promise.all(members.map((m) => m.next('result', sessionId)));
}

function flood(setup: object): Promise<Msg> {
  const child = spawn(process.execPath, [FLOODER, JSON.stringify(setup)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Msg) : reject(new Error(`flooder exited with ${code}`))));
  });
}

async function stop(nodes: Node[]): Promise<void> {
  for (const n of nodes) n.send({ cmd: 'exit' });
  const codes = await Promise.all(nodes.map((n) => n.exited));
  assert.deepEqual(codes, nodes.map(() => 0), 'every node process exits on its own, cleanly');
}

const withDeadline = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([
  p,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
]);

describe('adversarial peer port and wire (separate processes, real TLS)', () => {
  it('a stranger flooding a node\'s port with hundreds of idle and TLS connections does not stop an honest session', async () => {
    const limits = { maxPendingPerAddress: 16, handshakeTimeoutMs: 3000, holdMs: 6000 };
    const [a, b, c] = await Promise.all([startNode('a'), startNode('b'), startNode('c', limits)]);
    const sessionId = `flood-${Date.now()}`;
    // c accepts from a and b; the stranger at 127.0.0.2 floods c's port first, and keeps it flooded.
    const idle = flood({ host: '127.0.0.1', port: c.port, mode: 'idle', count: 400, holdMs: 8000 });
    // The idle sockets take the address's pending slots first, so that some are cut at the
    // handshake deadline (started together, the SNI flood's sockets sometimes took every slot,
    // were refused for their address at once, and no idle one was ever held: 1 run in ~7).
    for (let tries = 0; tries < 40; tries++) {
      c.send({ cmd: 'stats' });
      if (((await c.next('stats')).pending as number) >= limits.maxPendingPerAddress) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const sni = flood({ host: '127.0.0.1', port: c.port, mode: 'sni', count: 100, servername: sessionServername(sessionId, 'c'), holdMs: 8000 });
    await new Promise((r) => setTimeout(r, 1000));
    c.send({ cmd: 'stats' });
    const during = await c.next('stats');
    const t0 = Date.now();
    const results = await withDeadline(session(sessionId, [a, b, c], { a: { role: 'honest' }, b: { role: 'honest' }, c: { role: 'honest' } }), 60_000, 'honest session under flood');
    const took = Date.now() - t0;
    for (const r of results) assert.equal(r.ok, true, JSON.stringify(r));
    const [fi, fs] = await Promise.all([idle, sni]);
    c.send({ cmd: 'stats' });
    const stats = await c.next('stats');
    const refused = stats.refused as Record<string, number>;
    // The stranger held at most its address's share while the session ran...
    assert.ok((during.pending as number) <= limits.maxPendingPerAddress, JSON.stringify(during));
    // ...everything beyond it was refused at once, the SNI connections because 127.0.0.2 is
    // not where any party of the session is registered, and idle ones were cut at the deadline.
    assert.ok(refused.perAddress! >= 400 + 100 - 2 * limits.maxPendingPerAddress, JSON.stringify(stats));
    assert.ok(refused.timeout! >= 1, JSON.stringify(stats));
    assert.equal(fi.stillOpen, 0, 'no idle socket outlives the handshake deadline');
    assert.equal(fs.stillOpen, 0);
    assert.ok(took < 30_000, `session took ${took} ms`);
    assert.equal(stats.pending, 0);
    await stop([a, b, c]);
  });

  it('cuts a slowloris that dribbles a ClientHello at the handshake deadline', async () => {
    const v = await startNode('v', { handshakeTimeoutMs: 1000 });
    const r = await flood({ host: '127.0.0.1', port: v.port, mode: 'slowloris', count: 5, dribbleMs: 50, holdMs: 4000 });
    assert.equal(r.closedByServer, 5, JSON.stringify(r));
    for (const ms of r.closedAfterMs as number[]) assert.ok(ms >= 900 && ms < 3000, `closed after ${ms} ms`);
    v.send({ cmd: 'stats' });
    const stats = await v.next('stats');
    assert.equal((stats.refused as Record<string, number>).timeout, 5);
    assert.equal(stats.pending, 0);
    await stop([v]);
  });

  it('a member announcing 4 GiB, overstepping its step or sending garbage is aborted and blamed; the victim allocates nothing; its other session completes', async () => {
    const [m, v, h1, h2] = await Promise.all([startNode('m-attacker'), startNode('v-victim'), startNode('h1'), startNode('h2')]);
    const t = Date.now();
    const attacks = [
      { sid: `oversize-${t}`, victim: { role: 'victim' }, attacker: { role: 'oversize' }, limit: 'step-size', name: 'PeerLimitError' },
      { sid: `unhinted-${t}`, victim: { role: 'unhinted' }, attacker: { role: 'oversize' }, limit: 'message', name: 'PeerLimitError' },
      { sid: `early-${t}`, victim: { role: 'late', delayMs: 3000 }, attacker: { role: 'oversize' }, limit: 'buffer', name: 'PeerLimitError' },
      { sid: `overstep-${t}`, victim: { role: 'victim' }, attacker: { role: 'overstep' }, limit: 'step-size', name: 'PeerLimitError' },
      { sid: `garbage-${t}`, victim: { role: 'victim' }, attacker: { role: 'garbage' }, limit: undefined, name: 'MalformedMessageError' },
    ];
    // One attack at a time (so RSS growth is each one's), with an honest session on v's port throughout.
    const honest = session(`honest-${t}`, [v, h1, h2], { 'v-victim': { role: 'honest' }, h1: { role: 'honest' }, h2: { role: 'honest' } });
    for (const at of attacks) {
      const [rm, rv] = await withDeadline(session(at.sid, [m, v], { 'm-attacker': { ...at.attacker, peer: 'v-victim' }, 'v-victim': { ...at.victim, peer: 'm-attacker' } }), 40_000, at.sid);
      const err = rv!.error as Record<string, unknown>;
      assert.equal(rv!.ok, false, JSON.stringify(rv));
      assert.equal(err.name, at.name, `${at.sid}: ${JSON.stringify(err)}`);
      assert.equal(err.peer, 'm-attacker', 'the victim blames the member that sent it');
      assert.equal(err.step, 'step-1', 'and names the step');
      assert.equal(err.blamesPeer, true);
      if (at.limit) assert.equal(err.limit, at.limit, JSON.stringify(err));
      assert.ok((rv!.rssGrowthMb as number) < 64, `${at.sid}: the victim's memory grew by ${String(rv!.rssGrowthMb)} MiB`);
      // The attacker is told, by an ABORT that blames it, and its stream is cut long before 256 MiB.
      const outcome = rm!.outcome as Record<string, unknown>;
      assert.equal(outcome.name, 'SessionAbortedError', JSON.stringify(rm));
      assert.equal(outcome.origin, 'v-victim');
      assert.equal(outcome.culprit, 'm-attacker');
      assert.ok((rm!.written as number) < 128 * 2 ** 20, `${at.sid}: attacker wrote ${String(rm!.written)} bytes before being cut`);
    }
    const hr = await withDeadline(honest, 60_000, 'honest session beside the attacks');
    for (const r of hr) assert.equal(r.ok, true, JSON.stringify(r));
    await stop([m, v, h1, h2]);
  });
});
