// Oblivious transfer against its definition: the bit transpose against a naive one, base OTs,
// the IKNP correlation q_j = t_j ⊕ r_j·Δ, random/chosen/correlated OT (the receiver gets
// exactly the chosen messages; the sender's other messages are unrelated to everything the
// receiver holds), the KOS check catching a receiver with inconsistent columns, and chosen
// OT between two OS processes over loopback TLS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Comm } from '../../src/mpc/comm.js';
import { transpose } from '../../src/ot/kernel.js';
import { baseOtBothWays } from '../../src/ot/base-ot.js';
import {
  channelTo,
  chosenOtReceive,
  chosenOtSend,
  correlatedOtReceive,
  correlatedOtSend,
  extendReceive,
  extendSend,
  OtConsistencyError,
  randomOtReceive,
  randomOtSend,
} from '../../src/ot/index.js';
import { memoryNetworks } from '../support/memory-net.js';
import { M, testStream } from './fixtures/ot-program.js';
import { assertCorrelation, assertTransposed, bit, cheatingReceiver, kosPaddedChoices, otPairs, row, runOtProgram, xorBalance } from './ot-harness.js';

describe('oblivious transfer', () => {
  it('the WebAssembly bit transpose agrees with a naive one', () => {
    for (const [R, W] of [[128, 16], [128, 64], [512, 32], [16, 16]] as const) {
      const inp = new Uint8Array(randomBytes(R * W));
      assertTransposed(transpose(inp, R, W), inp, R, W);
    }
  });

  it('base OTs: the receiver holds exactly the key of its choice', async () => {
    const nets = memoryNetworks(['a', 'b']);
    const choicesA = Array.from({ length: 64 }, (_, i) => i % 3 === 0);
    const choicesB = Array.from({ length: 64 }, (_, i) => i % 5 < 2);
    const [ra, rb] = await Promise.all([
      baseOtBothWays(channelTo(new Comm(nets.get('a')!), 'b'), 64, choicesA),
      baseOtBothWays(channelTo(new Comm(nets.get('b')!), 'a'), 64, choicesB),
    ]);
    for (let i = 0; i < 64; i++) {
      // a received from b's sender role with choicesA.
      assert.deepEqual(Buffer.from(ra.received[i]!), Buffer.from(rb.sent[i]![choicesA[i] ? 1 : 0]));
      assert.notDeepEqual(Buffer.from(ra.received[i]!), Buffer.from(rb.sent[i]![choicesA[i] ? 0 : 1]));
      assert.deepEqual(Buffer.from(rb.received[i]!), Buffer.from(ra.sent[i]![choicesB[i] ? 1 : 0]));
    }
  });

  it('IKNP rows satisfy q_j = t_j ⊕ r_j·Δ, batch after batch, both directions', async () => {
    const [a, b] = await otPairs();
    for (const m of [128, 1000, 4096]) {
      const r = new Uint8Array(randomBytes(Math.ceil(m / 8)));
      const [t, q] = await Promise.all([extendReceive(a.channel, a.receiver, r, m), extendSend(b.channel, b.sender, m)]);
      assertCorrelation(t, q, r, b.sender.delta, m, `a receives, m=${m}`);
      // And the other direction over the same pair.
      const [t2, q2] = await Promise.all([extendReceive(b.channel, b.receiver, r, m), extendSend(a.channel, a.sender, m)]);
      assertCorrelation(t2, q2, r, a.sender.delta, m, `b receives, m=${m}`, 97);
    }
  });

  it('random, chosen and correlated OT: exactly the chosen messages; the others unrelated', async () => {
    const [a, b] = await otPairs();
    const m = 3000;
    const c = new Uint8Array(randomBytes(Math.ceil(m / 8)));
    const [mr, { m0, m1 }] = await Promise.all([
      randomOtReceive(a.channel, a.receiver, c, m),
      randomOtSend(b.channel, b.sender, m),
    ]);
    const others = new Uint8Array(16 * m);
    for (let j = 0; j < m; j++) {
      assert.deepEqual(row(mr, j), row(bit(c, j) ? m1 : m0, j), `random OT ${j}`);
      others.set(bit(c, j) ? row(m0, j) : row(m1, j), 16 * j);
    }
    // The messages not chosen share nothing visible with what the receiver holds.
    const bal = xorBalance(others, mr);
    assert.ok(Math.abs(bal - 0.5) < 0.01, `unchosen vs received: ${bal}`);
    const bal2 = xorBalance(m0, m1);
    assert.ok(Math.abs(bal2 - 0.5) < 0.01, `m0 vs m1: ${bal2}`);

    const x0 = new Uint8Array(randomBytes(16 * m)), x1 = new Uint8Array(randomBytes(16 * m));
    const [got] = await Promise.all([
      chosenOtReceive(a.channel, a.receiver, c, m, { check: true }),
      chosenOtSend(b.channel, b.sender, x0, x1, { check: true }),
    ]);
    for (let j = 0; j < m; j++) {
      assert.deepEqual(row(got, j), row(bit(c, j) ? x1 : x0, j), `chosen OT ${j}`);
      assert.notDeepEqual(row(got, j), row(bit(c, j) ? x0 : x1, j));
    }

    const delta = new Uint8Array(randomBytes(16 * m));
    const [v, s0] = await Promise.all([
      correlatedOtReceive(a.channel, a.receiver, c, m),
      correlatedOtSend(b.channel, b.sender, delta),
    ]);
    assertCorrelation(s0, v, c, delta, m, 'correlated OT');
  });

  it('KOS check: an honest receiver passes, one with inconsistent columns is caught', async () => {
    const [a, b] = await otPairs();
    const m = 2048;
    const c = new Uint8Array(randomBytes(m / 8));
    await Promise.all([extendReceive(a.channel, a.receiver, c, m, { check: true }), extendSend(b.channel, b.sender, m, { check: true })]);

    // The cheater uses choice bits r ⊕ e in columns 0..63 (to probe those bits of Δ), then
    // answers as an honest receiver would. A column whose Δ bit is 0 ignores u, so one
    // column alone is caught only half the time (what KOS allows: guessing one bit of Δ at
    // the risk 1/2 of being caught); 64 columns escape with probability 2^-64.
    const { bits, padded } = kosPaddedChoices(c, m);
    const { u, t } = a.receiver.prepareBits(bits, padded);
    const W = padded / 8;
    for (let col = 0; col < 64; col++) u[col * W + 3]! ^= 0x10;
    const cheat = cheatingReceiver(a.channel, 'ot.ext.u', u, t, bits, padded);
    await assert.rejects(extendSend(b.channel, b.sender, m, { check: true }), OtConsistencyError);
    await cheat;
  });

  it('chosen OT between two processes over loopback TLS', async () => {
    const results = await runOtProgram('ot-check');
    const got = Buffer.from(results.get('r')!.output!.got as string, 'base64');
    const x0 = testStream('x0', 16 * M), x1 = testStream('x1', 16 * M), c = testStream('c', Math.ceil(M / 8));
    for (let j = 0; j < M; j++) assert.deepEqual(row(got, j), row(bit(c, j) ? x1 : x0, j), `OT ${j}`);
  });
});
