// A peer that breaks the protocol — wrong sizes, points that are not canonical or of small
// order, other parameters, forged results — makes the honest party fail at once with a typed
// error naming that peer and the step, never with a hang or a wrong answer; usage errors are
// caught before anything is sent, and an AbortSignal stops a run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PsiAbortedError, PsiConfigMismatchError, PsiMalformedMessageError, PsiUsageError } from '../../src/psi/errors.js';
import { runPsi } from '../../src/psi/run-psi.js';
import type { Network } from '../../src/net/types.js';
import { memoryNetworks } from '../support/memory-net.js';
import { randomIds, tamperingNetwork } from '../support/psi-session.js';

type Tamper = (peer: string, step: string, data: Uint8Array) => { step: string; data: Uint8Array } | null;

/**
 * Runs a two-party PSI where 'mallory' tampers with what she sends; returns the error the
 * honest party 'alice' throws (she must throw). Mallory's own run is left to fail or hang.
 */
async function aliceError(tamper: Tamper, opts: { receivers?: string[]; cardinalityOnly?: boolean; malloryReceivers?: string[] } = {}): Promise<Error> {
  const parties = ['alice', 'mallory'];
  const nets = memoryNetworks(parties);
  const receivers = opts.receivers ?? ['alice'];
  const mallory: Network = tamperingNetwork(nets.get('mallory')!, tamper);
  runPsi(mallory, { parties, receivers: opts.malloryReceivers ?? receivers, ids: randomIds(300, 500, 2), cardinalityOnly: opts.cardinalityOnly, batchSize: 64 }).catch(() => {});
  try {
    await runPsi(nets.get('alice')!, { parties, receivers, ids: randomIds(300, 500, 1), cardinalityOnly: opts.cardinalityOnly, batchSize: 64 });
  } catch (e) {
    return e as Error;
  }
  assert.fail('alice should have failed');
}

/** Changes the `index`-th message (0-based) whose step starts with `prefix`. */
function onMessage(prefix: string, index: number, f: (data: Uint8Array, step: string) => { step: string; data: Uint8Array } | Uint8Array | null): Tamper {
  let seen = 0;
  return (_peer, step, data) => {
    if (!step.startsWith(prefix) || seen++ !== index) return { step, data };
    const out = f(new Uint8Array(data), step);
    return out instanceof Uint8Array ? { step, data: out } : out;
  };
}

function assertPeerError(err: Error, type: new (...a: never[]) => Error, step: RegExp): void {
  assert.ok(err instanceof type, `expected ${type.name}, got ${err.name}: ${err.message}`);
  const e = err as Error & { peer: string; step: string };
  assert.equal(e.peer, 'mallory');
  assert.match(e.step, step);
}

describe('psi: malformed messages from a peer', () => {
  it('a batch of the wrong size', async () => {
    const err = await aliceError(onMessage('psi.c1.', 0, (d) => d.subarray(0, d.length - 32)));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.c1\.1$/);
    assert.match(err.message, /expected 2048 bytes \(64 points\), got 2016/);
  });

  it('a batch that is not whole points', async () => {
    const err = await aliceError(onMessage('psi.c1.', 2, (d) => d.subarray(0, 100)));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.c1\.1$/);
  });

  it('a non-canonical point (u >= 2^255 - 19, or the top bit set)', async () => {
    const err = await aliceError(onMessage('psi.c1.', 1, (d) => { d.fill(0xff, 32 * 5, 32 * 6); return d; }));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.c1\.1$/);
    assert.match(err.message, /value 5 of the batch: not a canonical u-coordinate/);
    const err2 = await aliceError(onMessage('psi.c1.', 0, (d) => { d[31] = 0x80; return d; }));
    assertPeerError(err2, PsiMalformedMessageError, /^psi\.c1\.1$/);
  });

  it('a small-order point (X25519 output would be all zeros)', async () => {
    const err = await aliceError(onMessage('psi.c1.', 0, (d) => { d.fill(0, 32 * 7, 32 * 8); d[32 * 7] = 1; return d; }));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.c1\.1$/);
    assert.match(err.message, /value 7 of the batch: X25519 refused it/);
  });

  it('a non-canonical fully masked point (the set alice intersects)', async () => {
    const err = await aliceError(onMessage('psi.f0', 0, (d) => { d.fill(0xff, 0, 32); return d; }));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.f0$/);
  });

  it('too few points in the fully masked set', async () => {
    const err = await aliceError(onMessage('psi.f0', 2, (d) => d.subarray(32)));
    assertPeerError(err, PsiMalformedMessageError, /^psi\.f0$/);
  });

  it('a hello with other parameters, or of the wrong size', async () => {
    const honest: Tamper = (_peer, step, data) => ({ step, data });
    const err = await aliceError(honest, { receivers: ['alice'], malloryReceivers: ['mallory'] });
    assertPeerError(err, PsiConfigMismatchError, /^psi\.hello$/);
    const err2 = await aliceError(honest, { cardinalityOnly: false, malloryReceivers: ['alice', 'mallory'] });
    assertPeerError(err2, PsiConfigMismatchError, /^psi\.hello$/);
    const err3 = await aliceError(onMessage('psi.hello', 0, (d) => d.subarray(0, 40)));
    assertPeerError(err3, PsiMalformedMessageError, /^psi\.hello$/);
    const err4 = await aliceError(onMessage('psi.hello', 0, (d) => { d.fill(0, 40, 44); return d; }));
    assertPeerError(err4, PsiMalformedMessageError, /^psi\.hello$/);
    assert.match(err4.message, /batch size 0 out of range/);
  });

  it('a result that names an id the receiver does not hold, repeats one, or lies about the count', async () => {
    const enc = (ids: string[]) => {
      const parts = ids.map((s) => Buffer.from(s));
      const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
      let at = 0;
      for (const p of parts) { out.writeUInt32LE(p.length, at); p.copy(out, at + 4); at += 4 + p.length; }
      return new Uint8Array(out);
    };
    // Mallory is the primary receiver here; alice gets the result from her.
    const opts = { receivers: ['mallory', 'alice'] };
    const forged = await aliceError(onMessage('psi.result', 1, (d) => {
      // Replace the first id of the first batch with one alice surely does not have.
      const len = Buffer.from(d).readUInt32LE(0);
      const rest = d.subarray(4 + len);
      return new Uint8Array(Buffer.concat([enc(['not-alices-id']), rest]));
    }), opts);
    assertPeerError(forged, PsiMalformedMessageError, /^psi\.result$/);
    assert.match(forged.message, /an id this party does not hold/);
    assert.ok(!forged.message.includes('not-alices-id'), 'errors never quote ids');
    const repeated = await aliceError(onMessage('psi.result', 1, (d) => {
      const len = Buffer.from(d).readUInt32LE(0);
      const first = d.subarray(0, 4 + len);
      const rest = d.subarray(4 + len);
      const len2 = Buffer.from(rest).readUInt32LE(0);
      return new Uint8Array(Buffer.concat([first, first, rest.subarray(4 + len2)]));
    }), opts);
    assertPeerError(repeated, PsiMalformedMessageError, /^psi\.result$/);
    const huge = await aliceError(onMessage('psi.result.n', 0, () => new Uint8Array([0xff, 0xff, 0xff, 0, 0, 0, 0, 0])), opts);
    assertPeerError(huge, PsiMalformedMessageError, /^psi\.result\.n$/);
    const truncated = await aliceError(onMessage('psi.result', 1, (d) => d.subarray(0, d.length - 1)), opts);
    assertPeerError(truncated, PsiMalformedMessageError, /^psi\.result$/);
  });
});

describe('psi: usage errors and abort', () => {
  const parties = ['a', 'b'];
  it('bad ids or options fail before anything is sent', async () => {
    const net = memoryNetworks(parties).get('a')!;
    await assert.rejects(runPsi(net, { parties, receivers: ['a'], ids: ['x', ''] }), PsiUsageError);
    await assert.rejects(runPsi(net, { parties, receivers: ['a'], ids: ['\uDFFF'] }), PsiUsageError);
    await assert.rejects(runPsi(net, { parties, receivers: ['a'], ids: ['x'], batchSize: 0 }), PsiUsageError);
    await assert.rejects(runPsi(net, { parties, receivers: ['a'], ids: ['x'], batchSize: 1.5 }), PsiUsageError);
    await assert.rejects(runPsi(net, { parties, receivers: ['c'], ids: ['x'] }), PsiUsageError);
    await assert.rejects(runPsi(net, { parties: ['b', 'c'], receivers: ['b'], ids: ['x'] }), PsiUsageError);
    assert.equal(net.meter.messagesSent(), 0);
  });

  it('an AbortSignal stops a run that waits for a silent peer', async () => {
    const net = memoryNetworks(parties).get('a')!;
    const ac = new AbortController();
    const run = runPsi(net, { parties, receivers: ['a'], ids: randomIds(100, 200, 3), signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user cancelled')), 20);
    await assert.rejects(run, PsiAbortedError);
  });

  it('progress counts this party\'s scalar multiplications up to the total', async () => {
    const nets = memoryNetworks(parties);
    const seen: [number, number][] = [];
    await Promise.all([
      runPsi(nets.get('a')!, { parties, receivers: ['a'], ids: randomIds(300, 1000, 4), batchSize: 100, onProgress: (d, t) => seen.push([d, t]) }),
      runPsi(nets.get('b')!, { parties, receivers: ['a'], ids: randomIds(200, 1000, 5), batchSize: 100 }),
    ]);
    const total = seen[0]![1];
    assert.ok(seen.every(([, t]) => t === total));
    assert.deepEqual(seen.at(-1), [total, total]);
    assert.ok(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0]));
  });
});
