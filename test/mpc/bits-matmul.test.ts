// bitsMatmulRep3 (bit injection fused with the product) against plaintext: random signed
// values x (m×k) and a random matrix W (k×n); the boolean sign bits of x taken from the
// engine's msb, then [x < 0]·W and [x ≥ 0]·W revealed and compared with the plaintext
// products mod 2^64, in two rounds; a party that only provides inputs gets nothing.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { SecretTensor } from '../../src/mpc/tensor.js';
import { Rep3Protocol } from '../../src/mpc/rep3/protocol.js';
import { bitsMatmulRep3 } from '../../src/mpc/rep3/bits-matmul.js';
import { runSession } from '../support/session.js';

it('rep3: [x < 0]·W and [x ≥ 0]·W from boolean sign bits equal the plaintext products, in two rounds', async () => {
  const m = 2, k = 37, n = 5;
  const x = Array.from({ length: m * k }, () => randomInt(-1_000_000, 1_000_000));
  const w = Array.from({ length: k * n }, () => BigInt.asUintN(64, BigInt(randomInt(-(2 ** 40), 2 ** 40)) * 1_000_003n));
  const res = await runSession({ protocol: 'rep3', compute: ['p0', 'p1', 'p2'], extra: ['hub'] }, async (mpc) => {
    const X = await mpc.input('hub', mpc.self === 'hub' ? BigUint64Array.from(x, (v) => BigInt.asUintN(64, BigInt(v))) : undefined, [m * k], 'int');
    const W = await mpc.input('p1', mpc.self === 'p1' ? BigUint64Array.from(w) : undefined, [k * n], 'int');
    const p = mpc.protocol as Rep3Protocol;
    const bits = await p.msbB(X.parts, m * k);
    const r0 = mpc.comm.rounds;
    const neg = new SecretTensor([m * n], 'int', await bitsMatmulRep3(p, bits, W.parts, m, k, n));
    const rounds = mpc.comm.rounds - r0;
    const pos = new SecretTensor([m * n], 'int', await bitsMatmulRep3(p, bits, W.parts, m, k, n, true));
    return { neg: await mpc.revealRing(neg), pos: await mpc.revealRing(pos), rounds, compute: p.index >= 0 };
  });
  const product = (sel: (v: number) => boolean) => {
    const out = new Array<bigint>(m * n).fill(0n);
    for (let j = 0; j < m; j++) for (let s = 0; s < k; s++) if (sel(x[j * k + s]!)) for (let c = 0; c < n; c++) out[j * n + c] = BigInt.asUintN(64, out[j * n + c]! + w[s * n + c]!);
    return out;
  };
  for (const [id, r] of res) {
    assert.deepEqual([...r.neg!], product((v) => v < 0), `${id}: [x < 0]·W`);
    assert.deepEqual([...r.pos!], product((v) => v >= 0), `${id}: [x ≥ 0]·W`);
    if (r.compute) assert.equal(r.rounds, 2, `${id}: two rounds`);
  }
});
