// The X25519 blinding, on each backend built here: RFC 7748 test vectors, the native and
// KeyObject backends equal on the same key, commutative, canonical-encoding checks at the
// exact boundary, small-order points refused (RFC 7748 §6.1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isCanonicalU, InvalidPointError, MaskingKey, X25519_BACKEND, X25519_NATIVE_PATH, type X25519Backend } from '../../src/psi/masking-key.js';
import { P, toLE } from '../support/curve25519-ref.js';

const pts = (n: number) => {
  const b = randomBytes(32 * n);
  for (let o = 31; o < b.length; o += 32) b[o]! &= 0x7f;
  for (let o = 0; o < b.length; o += 32) if (!isCanonicalU(b, o)) b[o + 31] = 0;
  return new Uint8Array(b);
};

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
// RFC 7748 (scalar, u, X25519(scalar, u)): §5.2's first vector (its second has the top bit of u
// set, which the PSI refuses as non-canonical) and §6.1's Diffie-Hellman example.
const NINE = '09' + '00'.repeat(31);
const VECTORS = [
  ['a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552'],
  ['77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', NINE, '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'],
  ['5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', NINE, 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'],
  ['77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'],
] as const;

const backends: X25519Backend[] = X25519_BACKEND === 'native' ? ['native', 'keyobject'] : ['keyobject'];

describe('masking key backends', () => {
  it(`uses the native backend wherever it can be built (here: ${X25519_BACKEND})`, { skip: process.env['TACIT_X25519'] === 'keyobject' }, () => {
    // With a C compiler and Node's headers present, the build must have produced the fast
    // path and the code must be using it: a silent fallback would make every PSI ~1.6x slower.
    const headers = existsSync(resolve(dirname(process.execPath), '../include/node/openssl/evp.h'));
    const cc = spawnSync(process.env['CC'] || 'cc', ['--version']).status === 0;
    if (headers && cc) assert.equal(X25519_BACKEND, 'native');
    else assert.equal(X25519_BACKEND, 'keyobject');
  });

  for (const backend of backends) {
    it(`${backend}: RFC 7748 test vectors`, () => {
      for (const [k, u, out] of VECTORS) {
        const key = new MaskingKey({ backend, scalar: hex(k) });
        const got = new Uint8Array(32);
        key.mask(hex(u), got);
        assert.deepEqual(got, hex(out));
        key.destroy();
      }
    });
  }

  it('the native backend\'s public-EVP route gives the RFC vectors too (TACIT_X25519_EVP=1, another process)', { skip: X25519_BACKEND !== 'native' }, () => {
    assert.equal(X25519_NATIVE_PATH, 'ossl_x25519', 'Node 20 exports OpenSSL\'s X25519 function');
    const script = `
      const { MaskingKey, X25519_NATIVE_PATH } = await import(${JSON.stringify(new URL('../../src/psi/masking-key.js', import.meta.url).href)});
      const vectors = ${JSON.stringify(VECTORS)};
      const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
      let ok = 0;
      for (const [k, u, out] of vectors) {
        const key = new MaskingKey({ backend: 'native', scalar: hex(k) });
        const got = new Uint8Array(32);
        key.mask(hex(u), got);
        if (Buffer.from(got).toString('hex') === out) ok++;
      }
      const z = new Uint8Array(64); z[32] = 1;
      let refused = false;
      try { new MaskingKey({ backend: 'native' }).mask(z, new Uint8Array(64)); } catch (e) { refused = e.index === 0; }
      console.log(JSON.stringify({ path: X25519_NATIVE_PATH, ok, refused }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TACIT_X25519_EVP: '1' }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { path: 'evp', ok: VECTORS.length, refused: true });
  });

  it('native and KeyObject backends agree on the same key', { skip: X25519_BACKEND !== 'native' }, () => {
    const scalar = new Uint8Array(randomBytes(32));
    const a = new MaskingKey({ backend: 'native', scalar });
    const b = new MaskingKey({ backend: 'keyobject', scalar });
    const u = pts(200);
    const ra = new Uint8Array(u.length), rb = new Uint8Array(u.length);
    a.mask(u, ra);
    b.mask(u, rb);
    assert.deepEqual(ra, rb);
    a.destroy();
    assert.throws(() => a.mask(u, ra), /after destroy/);
  });
});

for (const backend of backends) describe(`masking key (X25519, ${backend})`, () => {
  it('is commutative: X25519(a, X25519(b, u)) = X25519(b, X25519(a, u))', () => {
    const a = new MaskingKey({ backend }), b = new MaskingKey({ backend });
    const u = pts(50);
    const ab = new Uint8Array(u.length), ba = new Uint8Array(u.length);
    a.mask(u, ab);
    b.mask(ab, ab);
    b.mask(u, ba);
    a.mask(ba, ba);
    assert.deepEqual(ab, ba);
    assert.equal(a.count, 100);
    assert.notDeepEqual(ab, u);
  });

  it('accepts exactly the canonical encodings (u < 2^255 - 19, top bit clear)', () => {
    const at = (x: bigint) => { const b = new Uint8Array(32); b.set(toLE(x & ((1n << 256n) - 1n))); return b; };
    assert.ok(isCanonicalU(at(0n), 0));
    assert.ok(isCanonicalU(at(P - 1n), 0));
    assert.ok(!isCanonicalU(at(P), 0));
    assert.ok(!isCanonicalU(at(P + 1n), 0));
    assert.ok(!isCanonicalU(at((1n << 255n) - 1n), 0));
    assert.ok(!isCanonicalU(at(1n << 255n), 0));
    assert.ok(isCanonicalU(at(P - 1n - (1n << 200n)), 0));
    const k = new MaskingKey({ backend });
    assert.throws(() => k.mask(at(P), new Uint8Array(32)), (e: unknown) => e instanceof InvalidPointError && e.index === 0 && /canonical/.test(e.reason));
  });

  it('refuses points of small order, naming their index', () => {
    // u-coordinates of the points of order 1, 2, 4 and 8 on Curve25519 (RFC 7748 §6.1 outputs zero for these).
    const small = [0n, 1n, P - 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n];
    const k = new MaskingKey({ backend });
    for (const u of small) {
      const batch = pts(3);
      batch.set(toLE(u), 64);
      assert.throws(() => k.mask(batch, new Uint8Array(96)), (e: unknown) => e instanceof InvalidPointError && e.index === 2, `u = ${u}`);
    }
  });
});
