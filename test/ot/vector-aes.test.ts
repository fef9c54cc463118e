// The vector-AES of the OT kernels (native/ot-kernels-aes.h: VAES with AVX-512 and with AVX2) against
// node:crypto's AES-128 (ECB and the CTR stream from a counter block) and FIPS-197's vector, on
// block counts that end mid-register and mid-step. Levels the CPU lacks are skipped by name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { nativeOtKernels as N } from '../../src/ot/native-kernels.js';

const level = N ? N.aesVaesLevel() : 0;
const COUNTS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257];

function ecbRef(key: Uint8Array, inp: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c.update(inp);
}

function ctrRef(key: Uint8Array, counter: bigint, blocks: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(counter, 8);
  return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(16 * blocks));
}

describe('vector AES of the OT kernels', { skip: N ? false : 'native/ot-kernels.c not built' }, () => {
  for (const [l, name] of [[2, 'VAES + AVX-512'], [1, 'VAES + AVX2']] as const) {
    const skip = level >= l ? false : `this CPU (or TACIT_OT_VAES) has no ${name}`;

    it(`${name}: FIPS-197 appendix C.1`, { skip }, () => {
      const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
      const out = new Uint8Array(16);
      N!.aes128Blocks(key, -1, Buffer.from('00112233445566778899aabbccddeeff', 'hex'), out, l);
      assert.equal(Buffer.from(out).toString('hex'), '69c4e0d86a7b0430d8cdb78070b4c55a');
    });

    it(`${name}: ECB and CTR equal node:crypto's for ${COUNTS.length} block counts`, { skip }, () => {
      for (const n of COUNTS) {
        const key = randomBytes(16), inp = randomBytes(16 * n), out = new Uint8Array(16 * n);
        N!.aes128Blocks(key, -1, inp, out, l);
        assert.ok(Buffer.from(out).equals(ecbRef(key, inp)), `ECB, ${n} blocks`);
        for (const counter of [0, 5, 2 ** 40 + 3]) {
          out.fill(0);
          N!.aes128Blocks(key, counter, new Uint8Array(0), out, l);
          assert.ok(Buffer.from(out).equals(ctrRef(key, BigInt(counter), n)), `CTR from block ${counter}, ${n} blocks`);
        }
      }
    });
  }

  it('refuses a level this CPU does not have, with a message', () => {
    assert.throws(() => N!.aes128Blocks(randomBytes(16), -1, new Uint8Array(16), new Uint8Array(16), 3), /a level this CPU has/);
  });
});
