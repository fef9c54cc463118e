/**
 * Ids to Curve25519 points: RFC 9380 `curve25519_XMD:SHA-512_ELL2_RO_`, the random-oracle
 * suite, computed in batches by the WebAssembly kernel `assembly/h2c25519.ts`.
 *
 * Why the RO suite and not `_NU_` (encode_to_curve, one map instead of two): DH-PSI's
 * security argument (Huberman, Franklin and Hogg 1999; the DDH proof of Ion et al., "On
 * Deploying Secure Computing: Private Intersection-Sum-with-Cardinality", EuroS&P 2020)
 * models H as a random oracle into the group, and RFC 9380 (§3, §10.1) is explicit that
 * encode_to_curve is not one (its outputs cover about half the points, non-uniformly).
 * The second map costs ~9 µs an id here, under 6 % of a PSI's time, so we pay it.
 *
 * Output is the u-coordinate of R = map(u0) + map(u1) *before* the cofactor clearing
 * P = 8R; every use multiplies by a clamped X25519 scalar (a multiple of 8), which clears the
 * cofactor (see the kernel's header). `hashToCurveU(msgs)` here and the vectors in
 * `test/psi/rfc9380-hash-to-curve.test.ts` check 8R against the RFC.
 *
 * The domain separation tag names the application, its version and the suite (§3.1); ids are
 * encoded as their UTF-8 bytes (`ids.ts`).
 */
import { instantiateKernel } from '../crypto/wasm-kernel.js';

/** RFC 9380 §3.1 domain separation tag of Tacit's PSI (44 bytes: b_1 and b_2 fit one SHA-512 block). */
export const PSI_DST = 'Tacit-PSI-v1-curve25519_XMD:SHA-512_ELL2_RO_';

interface Kernel {
  heapBase(): number;
  expandMessageXmd(msg: number, msgLen: number, dstPrime: number, dstPrimeLen: number, out: number, outLen: number): void;
  hashToField(msg: number, msgLen: number, dstPrime: number, dstPrimeLen: number, out: number): void;
  hashToU(msgs: number, offs: number, n: number, dstPrime: number, dstPrimeLen: number, out: number, work: number): number;
  mapPairsToU(fes: number, n: number, out: number, work: number): number;
  mapConstants(out: number): void;
  sha512Constants(): number;
  sha512Iv(): number;
  WORK_BYTES_PER_ELEMENT: { value: number };
}

const PAGE = 65536;
const memory = new WebAssembly.Memory({ initial: 64 });
const K = instantiateKernel<Kernel>('h2c25519', memory);
const WORK = K.WORK_BYTES_PER_ELEMENT.value;
const encoder = new TextEncoder();

// Layout after the kernel's static data: DST' (256 B) | scratch (64 KiB) | per-batch arrays.
const DST_AT = (K.heapBase() + 63) & ~63;
const SCRATCH_AT = DST_AT + 256;
const SCRATCH_BYTES = 65536;
const ARENA_AT = SCRATCH_AT + SCRATCH_BYTES;
const align = (n: number) => (n + 63) & ~63;

function bytes(): Uint8Array {
  return new Uint8Array(memory.buffer);
}

function reserve(end: number): void {
  const have = memory.buffer.byteLength;
  if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
}

/** Writes DST' = DST || I2OSP(len(DST), 1) (RFC 9380 §5.3.1) and returns its length. */
function setDst(dst: Uint8Array): number {
  if (dst.length === 0 || dst.length > 255) throw new RangeError(`DST must be 1..255 bytes, got ${dst.length}`);
  const m = bytes();
  m.set(dst, DST_AT);
  m[DST_AT + dst.length] = dst.length;
  return dst.length + 1;
}

const PSI_DST_BYTES = encoder.encode(PSI_DST);

/**
 * Hashes `n` messages under `dst` and writes the u-coordinates, 32 bytes little-endian each,
 * to `out` from `outOffset`. `write(i, m, at)` puts message i into kernel memory at `at` and
 * returns its length; at most `maxBytes` in all. The message bytes are zeroed afterwards.
 */
function hashBatch(n: number, maxBytes: number, dst: Uint8Array, write: (i: number, m: Uint8Array, at: number) => number, out: Uint8Array, outOffset: number): void {
  const dstLen = setDst(dst);
  const offs = ARENA_AT;
  const outAt = align(offs + 4 * (n + 1));
  const work = align(outAt + 32 * n);
  const msgs = align(work + WORK * n);
  reserve(msgs + maxBytes + 64);
  const m = bytes();
  const o32 = new Uint32Array(memory.buffer, offs, n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    o32[i] = pos;
    pos += write(i, m, msgs + pos);
  }
  o32[n] = pos;
  const bad = K.hashToU(msgs, offs, n, DST_AT, dstLen, outAt, work);
  m.fill(0, msgs, msgs + pos);
  if (bad) throw new Error(`hash to curve reached the identity for batch element ${bad - 1} (probability ~2^-250)`);
  out.set(m.subarray(outAt, outAt + 32 * n), outOffset);
}

/**
 * Hashes `ids[start, end)` (UTF-8 encoded) with the PSI's DST and writes the u-coordinates,
 * 32 bytes little-endian each, to `out` from `outOffset`. The id bytes are zeroed in kernel
 * memory afterwards.
 */
export function hashIdsToU(ids: readonly string[], start: number, end: number, out: Uint8Array, outOffset = 0): void {
  const n = end - start;
  if (n <= 0) return;
  let maxBytes = 0;
  for (let i = start; i < end; i++) maxBytes += ids[i]!.length * 3;
  hashBatch(n, maxBytes, PSI_DST_BYTES, (i, m, at) => encoder.encodeInto(ids[start + i]!, m.subarray(at)).written, out, outOffset);
}

/** RFC 9380 hash_to_curve's u(R) (before clearing the cofactor) of arbitrary byte strings under `dst`. */
export function hashToCurveU(msgs: readonly Uint8Array[], dst: Uint8Array): Uint8Array {
  const n = msgs.length;
  const out = new Uint8Array(32 * n);
  if (n === 0) return out;
  let total = 0;
  for (const x of msgs) total += x.length;
  hashBatch(n, total, dst, (i, m, at) => (m.set(msgs[i]!, at), msgs[i]!.length), out, 0);
  return out;
}

/** RFC 9380 §5.3.1 expand_message_xmd with SHA-512. */
export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, lenInBytes: number): Uint8Array {
  if (!Number.isInteger(lenInBytes) || lenInBytes < 1 || lenInBytes > 255 * 64) throw new RangeError(`lenInBytes must be in [1, 16320], got ${lenInBytes}`);
  const dstLen = setDst(dst);
  const at = ARENA_AT;
  const outAt = align(at + msg.length);
  reserve(outAt + lenInBytes);
  const m = bytes();
  m.set(msg, at);
  K.expandMessageXmd(at, msg.length, DST_AT, dstLen, outAt, lenInBytes);
  return m.slice(outAt, outAt + lenInBytes);
}

/** RFC 9380 §5.2 hash_to_field(msg, 2) for GF(2^255 - 19): u[0], u[1], 32 bytes little-endian each. */
export function hashToField(msg: Uint8Array, dst: Uint8Array): [Uint8Array, Uint8Array] {
  const dstLen = setDst(dst);
  const at = ARENA_AT;
  const outAt = align(at + msg.length);
  reserve(outAt + 64);
  const m = bytes();
  m.set(msg, at);
  K.hashToField(at, msg.length, DST_AT, dstLen, outAt);
  return [m.slice(outAt, outAt + 32), m.slice(outAt + 32, outAt + 64)];
}

/** u(map(u0) + map(u1)) for pairs of field elements (n × 64 bytes: u0 || u1, little-endian). */
export function mapPairsToU(pairs: Uint8Array): Uint8Array {
  if (pairs.length % 64 !== 0) throw new RangeError('pairs must be a multiple of 64 bytes');
  const n = pairs.length / 64;
  const at = ARENA_AT;
  const outAt = align(at + pairs.length);
  const work = align(outAt + 32 * n);
  reserve(work + WORK * n);
  const m = bytes();
  m.set(pairs, at);
  const bad = n === 0 ? 0 : K.mapPairsToU(at, n, outAt, work);
  if (bad) throw new Error(`pair ${bad - 1} sums to the identity`);
  return m.slice(outAt, outAt + 32 * n);
}

/** The kernel's own constants, for tests: SHA-512 K and IV, and the map's c2 and c3. */
export function kernelConstants(): { sha512K: BigUint64Array; sha512Iv: BigUint64Array; c2: Uint8Array; c3: Uint8Array } {
  K.mapConstants(SCRATCH_AT);
  const m = bytes();
  return {
    sha512K: new BigUint64Array(memory.buffer.slice(K.sha512Constants(), K.sha512Constants() + 640)),
    sha512Iv: new BigUint64Array(memory.buffer.slice(K.sha512Iv(), K.sha512Iv() + 64)),
    c2: m.slice(SCRATCH_AT, SCRATCH_AT + 32),
    c3: m.slice(SCRATCH_AT + 32, SCRATCH_AT + 64),
  };
}
