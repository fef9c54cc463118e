// SoftSpokenOT against its definition: the GGM trees punctured at d agree with the full tree
// everywhere but d; for k = 1, 2, 4, 8 and chosen or random choices, the rows satisfy
// q_j = t_j ⊕ r_j·Δ (so random OT gives the receiver exactly H(q_j ⊕ r_j·Δ) and the other
// message stays unrelated to what it holds), batch after batch, both directions; the KOS
// check passes an honest receiver and catches one whose block corrections disagree; and the
// correlation between two OS processes over loopback TLS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Prg } from '../../src/crypto/prg.js';
import { ctrStreams, ecbInto, otAesPath } from '../../src/ot/aes-native.js';
import { crHash, fixedKeyAes, fixedKeyAesInto } from '../../src/ot/aes-hash.js';
import { OtConsistencyError } from '../../src/ot/index.js';
import { xorRows } from '../../src/ot/kernel.js';
import { ggmPunctured, ggmTree, ssExtendReceive, ssExtendSend } from '../../src/ot/softspoken.js';
import { SS_M, testStream } from './fixtures/ot-program.js';
import { assertCorrelation, bit, cheatingReceiver, kosPaddedChoices, row, runOtProgram, softSpokenPairs, xorBalance } from './ot-harness.js';

describe('SoftSpokenOT', () => {
  it('the AES of OT extension: the native shim (when built) and node:crypto give the same bytes, and the streams are Prg streams', () => {
    const keys = new Uint8Array(randomBytes(16 * 5));
    const W = 4096;
    const a = new Uint8Array(5 * W), b = new Uint8Array(5 * W);
    ctrStreams(keys, 2, 3, a, W);
    ctrStreams(keys, 2, 3, b, W, true);
    for (let s = 0; s < 5; s++) {
      if (s === 2) continue;
      assert.deepEqual(Buffer.from(a.subarray(s * W, (s + 1) * W)), Buffer.from(b.subarray(s * W, (s + 1) * W)), `stream ${s} (${otAesPath()})`);
      // Block 3 onwards of the seed's Prg stream.
      const prg = new Prg(keys.subarray(16 * s, 16 * s + 16)).fill(new Uint8Array(48 + W));
      assert.deepEqual(Buffer.from(a.subarray(s * W, (s + 1) * W)), Buffer.from(prg.subarray(48)), `stream ${s} is the Prg stream`);
    }
    const inp = new Uint8Array(randomBytes(16 * 1000));
    const e1 = new Uint8Array(inp.length), e2 = new Uint8Array(inp.length);
    fixedKeyAesInto(inp, e1);
    ecbInto(new Uint8Array(16), inp, e2, true);
    assert.deepEqual(Buffer.from(e1), Buffer.from(fixedKeyAes(inp)));
    const ref = createCipheriv('aes-128-ecb', new Uint8Array(16), null).setAutoPadding(false).update(inp);
    ecbInto(new Uint8Array(16), inp, e1);
    assert.deepEqual(Buffer.from(e1), Buffer.from(ref));
    assert.deepEqual(Buffer.from(e2), Buffer.from(ref));
  });

  it('GGM trees punctured at d give every leaf but d, and nothing at d', () => {
    for (const k of [1, 2, 4]) {
      for (let d = 0; d < 1 << k; d++) {
        const { leaves, sums } = ggmTree(new Uint8Array(randomBytes(16)), k);
        const offPath = sums.map((s, l) => s[1 - ((d >> (k - 1 - l)) & 1)]!);
        const got = ggmPunctured(offPath, k, d);
        for (let x = 0; x < 1 << k; x++) {
          if (x === d) assert.equal(got[x], undefined);
          else assert.deepEqual(Buffer.from(got[x]!), Buffer.from(leaves[x]!), `k=${k} d=${d} leaf ${x}`);
        }
      }
    }
  });

  for (const k of [1, 2, 4, 8]) {
    it(`k = ${k}: q_j = t_j ⊕ r_j·Δ with chosen and random choices, both directions`, async () => {
      const [a, b] = await softSpokenPairs(k);
      for (const m of [128, 1000, 4096]) {
        const c = new Uint8Array(randomBytes(Math.ceil(m / 8)));
        const [rx, q] = await Promise.all([ssExtendReceive(a.channel, a.receiver, m, c), ssExtendSend(b.channel, b.sender, m, true)]);
        assert.deepEqual(Buffer.from(rx.choices), Buffer.from(c.map((x, i) => (i === c.length - 1 && m % 8 ? x & ((1 << (m % 8)) - 1) : x))));
        assertCorrelation(rx.rows, q, c, b.sender.delta, m, `k=${k} m=${m} chosen`);
        // Random choices, the other direction.
        const [rx2, q2] = await Promise.all([ssExtendReceive(b.channel, b.receiver, m), ssExtendSend(a.channel, a.sender, m, false)]);
        assertCorrelation(rx2.rows, q2, rx2.choices, a.sender.delta, m, `k=${k} m=${m} random`);
        const ones = rx2.choices.reduce((s, x) => s + [...x.toString(2)].filter((d) => d === '1').length, 0);
        if (m >= 4096) assert.ok(Math.abs(ones / (rx2.choices.length * 8) - 0.5) < 0.05, `random choices look random (${ones} of ${m})`);
      }
    });
  }

  it('random OT from it: the receiver holds exactly H(q_j ⊕ r_j·Δ); the other message is unrelated', async () => {
    const [a, b] = await softSpokenPairs(2);
    const m = 3000;
    const c = new Uint8Array(randomBytes(Math.ceil(m / 8)));
    const [rx, q] = await Promise.all([ssExtendReceive(a.channel, a.receiver, m, c), ssExtendSend(b.channel, b.sender, m, true)]);
    const pad = Math.ceil(m / 8) * 8;
    const qq = new Uint8Array(16 * pad), tt = new Uint8Array(16 * pad);
    qq.set(q);
    tt.set(rx.rows);
    const m0 = crHash(qq), m1 = crHash(xorRows(qq, b.sender.delta, 16)), mr = crHash(tt);
    const others = new Uint8Array(16 * m);
    for (let j = 0; j < m; j++) {
      assert.deepEqual(row(mr, j), row(bit(c, j) ? m1 : m0, j), `OT ${j}`);
      others.set(row(bit(c, j) ? m0 : m1, j), 16 * j);
    }
    const bal = xorBalance(others, mr.subarray(0, 16 * m));
    assert.ok(Math.abs(bal - 0.5) < 0.01, `unchosen vs received: ${bal}`);
  });

  it('KOS check: an honest receiver passes; one whose block corrections disagree is caught', async () => {
    const [a, b] = await softSpokenPairs(2);
    const m = 2048;
    const c = new Uint8Array(randomBytes(m / 8));
    await Promise.all([ssExtendReceive(a.channel, a.receiver, m, c, { check: true }), ssExtendSend(b.channel, b.sender, m, true, { check: true })]);
    await Promise.all([ssExtendReceive(a.channel, a.receiver, m, undefined, { check: true }), ssExtendSend(b.channel, b.sender, m, false, { check: true })]);

    // The cheater flips choice bits in the corrections of blocks 1..40 (a different r per
    // block, to learn parts of Δ from the sender's hashes), then answers the check as an
    // honest receiver with r. A block escapes only if the flip is invisible to the sender's
    // Δ_i; 40 blocks escape with negligible probability.
    const { bits, padded } = kosPaddedChoices(c, m);
    const p = a.receiver.prepare(padded, bits);
    const W = padded / 8;
    for (let blk = 1; blk <= 40; blk++) p.message[blk * W + 5]! ^= 0x04;
    const cheat = cheatingReceiver(a.channel, 'ot.ss.u', p.message, p.rows, bits, padded);
    await assert.rejects(ssExtendSend(b.channel, b.sender, m, true, { check: true }), OtConsistencyError);
    await cheat;
  });

  it('between two processes over loopback TLS, with the check', async () => {
    const results = await runOtProgram('ss-check');
    const s = results.get('s')!.output as { q: string; delta: string };
    const r = results.get('r')!.output as { t: string };
    const c = testStream('ss-c', SS_M / 8);
    assertCorrelation(Buffer.from(r.t, 'base64'), Buffer.from(s.q, 'base64'), c, Buffer.from(s.delta, 'base64'), SS_M, 'processes');
  });
});
