// The native OT kernels (native/ot-kernels.c) against definitions and against the WebAssembly
// path: the bit transpose against a naive one (SSE2 and AVX2 shapes: W a multiple of 16 but
// not 32, and of 32); the truncated hash against node:crypto's fixed-key AES with and without
// Δ; and the triangular Gilboa sums by their purpose — with the receiver holding the hash of
// its choice bit for each of the 64 OTs, the two outputs add up to a·b over Z_2^64 — and the
// corrections byte for byte equal between the two paths; and SoftSpokenOT's fused native block
// against the WebAssembly one across a real pair (receiver on one path, sender on the other). Skips the native half where the shim
// is not built (the WebAssembly half still runs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FIXED_KEY, fixedKeyAes } from '../../src/ot/aes-hash.js';
import { wasm } from '../../src/ot/kernel.js';
import { otKernelPath, otKernels } from '../../src/ot/native-kernels.js';
import { setupSoftSpoken, ssKernelPath } from '../../src/ot/softspoken.js';
import { assertCorrelation, assertTransposed, otPairs } from './ot-harness.js';

const paths = otKernelPath() === 'native' ? (['native', 'wasm'] as const) : (['wasm'] as const);
const MASK = (1n << 64n) - 1n;

describe('native OT kernels (' + otKernelPath() + ')', () => {
  assert.ok(FIXED_KEY.length === 16);

  for (const path of paths) {
    const F = otKernels(path);

    it(`${path}: the bit transpose agrees with a naive one`, () => {
      for (const [R, W] of [[128, 16], [128, 48], [128, 64], [256, 32], [16, 16]] as const) {
        const inp = new Uint8Array(randomBytes(R * W));
        const [pIn, pOut] = wasm.arena([R * W, R * W]) as [number, number];
        wasm.put(pIn, inp);
        F.transpose(pOut, pIn, R, W);
        assertTransposed(wasm.take(pOut, R * W), inp, R, W);
      }
    });

    it(`${path}: the truncated hash is the low 64 bits of π(x) ⊕ x, x = row (⊕ Δ)`, () => {
      const count = 1000;
      const rows = new Uint8Array(randomBytes(16 * count)), delta = new Uint8Array(randomBytes(16));
      for (const withDelta of [false, true]) {
        const [pRows, pDelta, pOut] = wasm.arena([16 * count, 16, 8 * count]) as [number, number, number];
        wasm.put(pRows, rows);
        wasm.put(pDelta, delta);
        F.crHashLow(pOut, pRows, count, withDelta ? pDelta : -1);
        const got = wasm.take(pOut, 8 * count);
        const x = rows.map((v, j) => (withDelta ? v ^ delta[j & 15]! : v));
        const enc = fixedKeyAes(x);
        for (let j = 0; j < count; j++) {
          for (let i = 0; i < 8; i++) assert.equal(got[8 * j + i], enc[16 * j + i]! ^ x[16 * j + i]!, `row ${j} byte ${i} (Δ: ${withDelta})`);
        }
      }
    });

    it(`${path}: transpose-and-hash equals the WebAssembly transpose followed by the hash (rows ⊕ Δ for h1)`, () => {
      for (const W of [48, 256, 4096 + 32]) {
        const m = 8 * W;
        const cols = new Uint8Array(randomBytes(16 * m)), delta = new Uint8Array(randomBytes(16));
        const [pCols, pRows, pDelta, pH0, pH1] = wasm.arena([16 * m, 16 * m, 16, 8 * m, 8 * m]) as number[];
        wasm.put(pCols!, cols);
        wasm.put(pDelta!, delta);
        F.transposeHashLow(pCols!, W, pRows!, pH0!, pDelta!, pH1!);
        const h0 = wasm.take(pH0!, 8 * m), h1 = wasm.take(pH1!, 8 * m);
        wasm.kernels.transpose(pRows!, pCols!, 128, W);
        const rows = wasm.take(pRows!, 16 * m);
        for (const [h, d] of [[h0, undefined], [h1, delta]] as const) {
          const x = rows.map((v, j) => (d ? v ^ d[j & 15]! : v));
          const enc = fixedKeyAes(x);
          for (let j = 0; j < m; j++) for (let i = 0; i < 8; i++) assert.equal(h[8 * j + i], enc[16 * j + i]! ^ x[16 * j + i]!, `W=${W} row ${j} byte ${i} (Δ: ${!!d})`);
        }
      }
    });

    it(`${path}: triangular Gilboa outputs add up to a·b over Z_2^64`, () => {
      const E = 258;
      const h0 = new BigUint64Array(64 * E), h1 = new BigUint64Array(64 * E), a = new BigUint64Array(E), b = new BigUint64Array(E);
      for (const w of [h0, h1, a, b]) new Uint8Array(w.buffer).set(randomBytes(w.byteLength));
      a[0] = MASK; b[0] = MASK; a[1] = 0n; b[2] = 0n; // extremes
      const ht = new BigUint64Array(64 * E);
      for (let e = 0; e < E; e++) for (let k = 0; k < 64; k++) ht[64 * e + k] = (b[e]! >> BigInt(k)) & 1n ? h1[64 * e + k]! : h0[64 * e + k]!;
      const [pD, pOut, pH0, pH1, pA, pHt, pB, pRecv] = wasm.arena([260 * E, 8 * E, 512 * E, 512 * E, 8 * E, 512 * E, 8 * E, 8 * E]) as number[];
      wasm.put(pH0!, h0); wasm.put(pH1!, h1); wasm.put(pA!, a); wasm.put(pHt!, ht); wasm.put(pB!, b);
      wasm.at(pD!, 260 * E).fill(0);
      F.gilboaSendTri(pD!, pOut!, pH0!, pH1!, pA!, E);
      F.gilboaRecvTri(pRecv!, pHt!, pD!, pB!, E);
      const sent = wasm.takeWords(pOut!, E), got = wasm.takeWords(pRecv!, E);
      for (let e = 0; e < E; e++) assert.equal((sent[e]! + got[e]!) & MASK, (a[e]! * b[e]!) & MASK, `element ${e}`);
    });
  }

  if (paths.length === 2) {
    it('SoftSpokenOT with the fused native block on one side and WebAssembly on the other: q_j = t_j ⊕ r_j·Δ, batch after batch', async () => {
      const [pa, pb] = await otPairs();
      try {
        for (const k of [2, 4]) {
          const [a, b] = await Promise.all([setupSoftSpoken(pa, k), setupSoftSpoken(pb, k)]);
          const m = 1024 + 128 * k, W = m / 8;
          for (const [rxPath, txPath, chosen] of [['native', 'wasm', true], ['wasm', 'native', true], ['native', 'wasm', false], ['wasm', 'native', false], ['native', 'native', false]] as const) {
            ssKernelPath(rxPath);
            const choices = chosen ? new Uint8Array(randomBytes(W)) : undefined;
            const p = a.receiver.prepare(m, choices);
            ssKernelPath(txPath);
            const q = b.sender.absorb(p.message, m, chosen);
            if (choices) assert.deepEqual(p.choices, choices);
            assertCorrelation(p.rows, q, p.choices, b.sender.delta, m, `k=${k} ${rxPath}→${txPath} chosen=${chosen}`);
          }
        }
      } finally {
        ssKernelPath('native');
      }
    });

    it('native and WebAssembly Gilboa corrections are the same bytes (parties with and without the shim interoperate)', () => {
      const E = 130;
      const h0 = new Uint8Array(randomBytes(512 * E)), h1 = new Uint8Array(randomBytes(512 * E)), a = new Uint8Array(randomBytes(8 * E));
      const run = (path: 'native' | 'wasm') => {
        const [pD, pOut, pH0, pH1, pA] = wasm.arena([260 * E, 8 * E, 512 * E, 512 * E, 8 * E]) as number[];
        wasm.put(pH0!, h0); wasm.put(pH1!, h1); wasm.put(pA!, a);
        wasm.at(pD!, 260 * E).fill(0);
        otKernels(path).gilboaSendTri(pD!, pOut!, pH0!, pH1!, pA!, E);
        return [Buffer.from(wasm.take(pD!, 260 * E)), Buffer.from(wasm.take(pOut!, 8 * E))];
      };
      assert.deepEqual(run('native'), run('wasm'));
    });
  }
});
