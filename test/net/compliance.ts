/**
 * The behaviour every `Network` implementation must show, run against each of them (the
 * in-memory one and TLS over loopback) with the same assertions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type { Network } from '../../src/net/types.js';
import { MalformedMessageError } from '../../src/net/errors.js';

export interface Session {
  nets: Network[];
  /** Releases whatever the factory set up (closing networks that the test did not close). */
  cleanup(): Promise<void>;
}

export type SessionFactory = (ids: string[], options?: { idleTimeoutMs?: number }) => Promise<Session>;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed: number) => {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

export function complianceSuite(name: string, factory: SessionFactory): void {
  describe(`Network compliance: ${name}`, () => {
    let sessions: Session[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    const open = async (ids: string[], options?: { idleTimeoutMs?: number }) => {
      const s = await factory(ids, options);
      sessions.push(s);
      return s.nets;
    };
    beforeEach(() => {
      process.on('unhandledRejection', onUnhandled);
    });
    afterEach(async () => {
      for (const s of sessions) await s.cleanup();
      sessions = [];
      await new Promise((r) => setImmediate(r));
      process.off('unhandledRejection', onUnhandled);
      assert.deepEqual(unhandled, [], 'no unhandled rejections');
    });
    after(async () => {
      for (const s of sessions) await s.cleanup();
    });

    it('knows its parties and delivers messages FIFO per peer', async () => {
      const [a, b] = await open(['a', 'b']);
      assert.equal(a!.self, 'a');
      assert.deepEqual([...a!.parties], ['a', 'b']);
      for (let i = 0; i < 200; i++) void a!.send('b', 'seq', Uint8Array.of(i & 255, i >> 8));
      for (let i = 0; i < 200; i++) {
        const m = await b!.recv('a', 'seq', 2);
        assert.equal(m[0]! | (m[1]! << 8), i);
      }
    });

    it('delivers many concurrent sends between all pairs intact', async () => {
      const nets = await open(['a', 'b', 'c']);
      const n = 100;
      const work: Promise<unknown>[] = [];
      for (const x of nets) {
        for (const y of nets) {
          if (x === y) continue;
          for (let i = 0; i < n; i++) work.push(x.send(y.self, `m${i}`, bytes(1 + ((i * 37) % 3000), i + x.self.charCodeAt(0) * 1000)));
        }
      }
      const checks = nets.flatMap((y) => nets.filter((x) => x !== y).map(async (x) => {
        for (let i = 0; i < n; i++) {
          const m = await y.recv(x.self, `m${i}`);
          assert.equal(sha(m), sha(bytes(1 + ((i * 37) % 3000), i + x.self.charCodeAt(0) * 1000)));
        }
      }));
      await Promise.all([...work, ...checks]);
    });

    it('round-trips a 64 MiB message intact, 8-byte aligned', async () => {
      const [a, b] = await open(['a', 'b']);
      const big = bytes(64 * 1024 * 1024, 7);
      const [got] = await Promise.all([b!.recv('a', 'big', big.length), a!.send('b', 'big', big)]);
      assert.equal(got.byteOffset % 8, 0);
      assert.equal(sha(got), sha(big));
      const back = await Promise.all([a!.recv('b', 'back', big.length), b!.send('a', 'back', got)]);
      assert.equal(sha(back[0]), sha(big));
      const words = new BigUint64Array(got.buffer, got.byteOffset, got.length / 8);
      assert.equal(words.length, 8 * 1024 * 1024);
    });

    it('handles empty and odd-sized messages and lets the sender reuse its buffer', async () => {
      const [a, b] = await open(['a', 'b']);
      const buf = Uint8Array.of(1, 2, 3);
      await a!.send('b', 'x', buf);
      buf[0] = 99; // reuse after the promise settled
      await a!.send('b', 'empty', new Uint8Array(0));
      assert.deepEqual([...await b!.recv('a', 'x', 3)], [1, 2, 3]);
      assert.equal((await b!.recv('a', 'empty', 0)).length, 0);
    });

    it('streams a message in chunks: the receiver gets it whole, in order with plain sends, into its destination or not', async () => {
      const [a, b, c] = await open(['a', 'b', 'c']);
      const data = bytes((1 << 20) + 13, 7);
      const cuts = [0, 1, 4096, 4097, 300_000, 700_001, data.length];
      const stream = (from: Network, to: string, step: string) => {
        const out = from.sendStream!(to, step, data.length);
        return (async () => {
          for (let i = 1; i < cuts.length; i++) {
            out.write(data.subarray(cuts[i - 1]!, cuts[i]!));
            await new Promise((r) => setImmediate(r)); // the producer yields between chunks, as rep3 does
          }
          await out.done;
        })();
      };
      const into = new Uint8Array(data.length);
      // b's recv waits first (decoded straight into `into`); c's message arrives before its recv.
      const before = b!.recv('a', 'before', 1);
      const gotB = b!.recvInto!('a', 'st', into);
      const after = b!.recv('a', 'after', 1);
      const sends = [a!.send('b', 'before', Uint8Array.of(1)), stream(a!, 'b', 'st'), a!.send('b', 'after', Uint8Array.of(2)), stream(a!, 'c', 'st')];
      assert.deepEqual([...await before], [1]);
      const viewB = await gotB;
      assert.equal(sha(viewB), sha(data));
      assert.equal(viewB.buffer, into.buffer);
      assert.equal(sha(into), sha(data));
      assert.deepEqual([...await after], [2]);
      await Promise.all(sends);
      const late = new Uint8Array(data.length);
      assert.equal(sha(await c!.recvInto!('a', 'st', late)), sha(data));
      assert.equal(sha(late), sha(data));
      // An empty streamed message is one (empty) message too; writing past the total is refused.
      const empty = a!.sendStream!('b', 'empty', 0);
      assert.equal((await b!.recv('a', 'empty', 0)).length, 0);
      await empty.done;
      const short = a!.sendStream!('b', 'short', 2);
      assert.throws(() => short.write(new Uint8Array(3)), RangeError);
      short.write(Uint8Array.of(5, 6));
      assert.deepEqual([...await b!.recv('a', 'short', 2)], [5, 6]);
      assert.equal(a!.meter.bytesSent(), 2 + 2 * data.length + 2);
    });

    it('refuses a streamed message of another size than the waiting recvInto expects', async () => {
      const [a, b] = await open(['a', 'b']);
      const waiting = b!.recvInto!('a', 'st', new Uint8Array(100));
      const out = a!.sendStream!('b', 'st', 101);
      out.write(new Uint8Array(101));
      await assert.rejects(waiting, (err: Error & { peer?: string; step?: string }) => {
        assert.ok(['PeerLimitError', 'MalformedMessageError'].includes(err.name), err.message);
        assert.equal(err.peer, 'a');
        assert.equal(err.step, 'st');
        return true;
      });
      await assert.rejects(a!.recv('b', 'next'), /aborted/i); // b's abort reaches the sender
    });

    it('counts payload bytes and messages in the meter', async () => {
      const [a, b, c] = await open(['a', 'b', 'c']);
      await Promise.all([a!.send('b', 's', new Uint8Array(10)), a!.send('c', 's', new Uint8Array(20)), a!.send('c', 't', new Uint8Array(5))]);
      await b!.recv('a', 's');
      await c!.recv('a', 's');
      await c!.recv('a', 't');
      assert.equal(a!.meter.bytesSent(), 35);
      assert.equal(a!.meter.messagesSent(), 3);
      assert.equal(a!.meter.sentTo.get('b'), 10);
      assert.equal(a!.meter.sentTo.get('c'), 25);
      assert.equal(c!.meter.bytesReceived(), 25);
      assert.equal(c!.meter.receivedFrom.get('a'), 25);
      assert.equal(c!.meter.receivedFrom.get('b'), 0);
      assert.equal(b!.meter.bytesSent(), 0);
    });

    it('detects a step-label desync and aborts the whole session', async () => {
      const [a, b, c] = await open(['a', 'b', 'c']);
      void a!.send('b', 'round-1', new Uint8Array(4));
      const pendingC = c!.recv('b', 'later');
      await assert.rejects(b!.recv('a', 'round-2'), (err: Error & { peer?: string; expected?: string; received?: string }) => {
        assert.equal(err.name, 'ProtocolDesyncError');
        assert.equal(err.peer, 'a');
        assert.equal(err.expected, 'round-2');
        assert.equal(err.received, 'round-1');
        assert.match(err.message, /peer 'a'/);
        assert.match(err.message, /step 'round-2'/);
        return true;
      });
      assert.equal(b!.aborted?.name, 'ProtocolDesyncError');
      await assert.rejects(pendingC, (err: Error & { origin?: string; remoteError?: string }) => {
        assert.equal(err.name, 'SessionAbortedError');
        assert.equal(err.origin, 'b');
        assert.equal(err.remoteError, 'ProtocolDesyncError');
        return true;
      });
      await assert.rejects(a!.recv('b', 'anything'), { name: 'SessionAbortedError' });
      await assert.rejects(a!.send('c', 'anything', new Uint8Array(1)), { name: 'SessionAbortedError' });
    });

    it('rejects a message of the wrong size with MalformedMessageError', async () => {
      const [a, b] = await open(['a', 'b']);
      void a!.send('b', 'vec', new Uint8Array(24));
      await assert.rejects(b!.recv('a', 'vec', 32), (err: Error & { peer?: string; step?: string }) => {
        // Refused at the header when the recv already waits (PeerLimitError), else when taken.
        assert.ok(err instanceof MalformedMessageError, err.name);
        assert.equal(err.peer, 'a');
        assert.equal(err.step, 'vec');
        assert.match(err.message, /expected 32 bytes, got 24/);
        return true;
      });
    });

    it('propagates a local abort to every party without leaking the message', async () => {
      const [a, b, c] = await open(['a', 'b', 'c']);
      const waits = [b!.recv('a', 'r'), c!.recv('b', 'r'), b!.recv('c', 'r')];
      await a!.abort(new Error('share value 123456789 is wrong'));
      assert.equal(a!.aborted?.message, 'share value 123456789 is wrong');
      for (const w of waits) {
        await assert.rejects(w, (err: Error & { origin?: string; reason?: string }) => {
          assert.equal(err.name, 'SessionAbortedError');
          assert.equal(err.origin, 'a');
          assert.doesNotMatch(err.message, /123456789/);
          assert.doesNotMatch(err.reason!, /123456789/);
          return true;
        });
      }
      assert.equal(b!.aborted?.name, 'SessionAbortedError');
      assert.equal(c!.aborted?.name, 'SessionAbortedError');
      await a!.abort(new Error('again')); // idempotent
      assert.match(a!.aborted!.message, /123456789/);
      await assert.rejects(a!.send('b', 'x', new Uint8Array(1)), /123456789/);
    });

    it('fails a recv that waits longer than the idle timeout with PeerTimeoutError', async () => {
      const [a, b] = await open(['a', 'b'], { idleTimeoutMs: 300 });
      const t0 = Date.now();
      await assert.rejects(a!.recv('b', 'never'), (err: Error & { peer?: string; step?: string }) => {
        assert.equal(err.name, 'PeerTimeoutError');
        assert.equal(err.peer, 'b');
        assert.equal(err.step, 'never');
        return true;
      });
      const waited = Date.now() - t0;
      assert.ok(waited >= 250 && waited < 3000, `waited ${waited} ms`);
      await assert.rejects(b!.recv('a', 'x'), { name: 'SessionAbortedError' });
    });

    it('does not time out while messages keep arriving', async () => {
      const [a, b] = await open(['a', 'b'], { idleTimeoutMs: 400 });
      for (let i = 0; i < 4; i++) {
        setTimeout(() => void b!.send('a', 'tick', new Uint8Array(1)), 200);
        await a!.recv('b', 'tick', 1); // each wait is ~200 ms, the sum exceeds the timeout
      }
    });

    it('rejects bad arguments without aborting', async () => {
      const [a] = await open(['a', 'b']);
      await assert.rejects(a!.send('a', 'x', new Uint8Array(1)), RangeError);
      await assert.rejects(a!.send('zz', 'x', new Uint8Array(1)), RangeError);
      await assert.rejects(a!.recv('b', '', 1), TypeError);
      await assert.rejects(a!.recv('b', 'x'.repeat(201)), RangeError);
      await assert.rejects(a!.send('b', 'x', [1, 2] as unknown as Uint8Array), TypeError);
      assert.equal(a!.aborted, undefined);
    });

    it('closes in order; afterwards send and recv reject', async () => {
      const nets = await open(['a', 'b', 'c']);
      await nets[0]!.send('b', 'last', new Uint8Array(3));
      assert.equal((await nets[1]!.recv('a', 'last')).length, 3);
      await Promise.all(nets.map((n) => n.close()));
      for (const n of nets) assert.equal(n.aborted, undefined);
      await assert.rejects(nets[0]!.send('b', 'x', new Uint8Array(1)), { name: 'NetworkClosedError' });
      await assert.rejects(nets[1]!.recv('a', 'x'), { name: 'NetworkClosedError' });
      await nets[0]!.close(); // idempotent
    });

    it('fails a recv from a peer that closed without sending it', async () => {
      const [a, b] = await open(['a', 'b']);
      const pending = b!.recv('a', 'missing');
      void a!.close();
      await assert.rejects(pending, (err: Error & { peer?: string; step?: string }) => {
        assert.equal(err.name, 'PeerDisconnectedError');
        assert.equal(err.peer, 'a');
        assert.equal(err.step, 'missing');
        return true;
      });
    });
  });
}
