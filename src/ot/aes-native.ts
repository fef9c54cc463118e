/**
 * AES for OT extension into caller-provided buffers: the keystreams of many seeds (AES-128-CTR,
 * the same stream src/crypto/prg.ts draws) and fixed-key AES-128-ECB. With the native shim
 * (`native/ot-aes.c`, OpenSSL through Node's own binary) nothing is allocated per call and
 * the output lands where the WebAssembly kernels read it; without it (no C compiler where
 * this was built, or TACIT_OT_AES=node) node:crypto computes the same bytes and they are
 * copied in. Parties with and without the shim interoperate: the functions are identical
 * (test/ot/softspoken.test.ts compares them).
 */
import { createCipheriv } from 'node:crypto';
import { createRequire } from 'node:module';

interface NativeOtAes {
  ctrStreams(keys: Uint8Array, skip: number, counter: number, out: Uint8Array, W: number): void;
  ecb(key: Uint8Array, inp: Uint8Array, out: Uint8Array): void;
}

function loadNative(): NativeOtAes | undefined {
  if (process.env['TACIT_OT_AES'] === 'node') return undefined;
  try {
    return createRequire(import.meta.url)('../../native/ot-aes.node') as NativeOtAes;
  } catch {
    return undefined; // not built here: the node:crypto path
  }
}

const native = loadNative();

/** Which implementation runs: 'native' (the shim) or 'node:crypto'. */
export function otAesPath(): 'native' | 'node:crypto' {
  return native ? 'native' : 'node:crypto';
}

/** The 16-byte big-endian counter block `counter` (the CTR IV of a stream resumed there). */
function counterBlock(counter: number): Uint8Array {
  const iv = new Uint8Array(16);
  let c = BigInt(counter);
  for (let i = 15; i >= 8 && c > 0n; i--, c >>= 8n) iv[i] = Number(c & 0xffn);
  return iv;
}

/**
 * For each 16-byte key s of `keys` but index `skip` (−1: none), W bytes of its AES-128-CTR
 * keystream from block `counter` into out[s·W, (s+1)·W).
 */
export function ctrStreams(keys: Uint8Array, skip: number, counter: number, out: Uint8Array, W: number, nodeOnly = false): void {
  if (keys.length % 16 || W % 16 || out.length < (keys.length / 16) * W) throw new RangeError('ctrStreams: keys of 16 bytes, W a multiple of 16, out W bytes per key');
  if (native && !nodeOnly) return native.ctrStreams(keys, skip, counter, out, W);
  const zeros = new Uint8Array(W);
  const iv = counterBlock(counter);
  for (let s = 0; s < keys.length / 16; s++) {
    if (s === skip) continue;
    out.set(createCipheriv('aes-128-ctr', keys.subarray(16 * s, 16 * s + 16), iv).update(zeros), s * W);
  }
}

/** out = AES-128-ECB under `key` of `inp` (whole blocks). */
export function ecbInto(key: Uint8Array, inp: Uint8Array, out: Uint8Array, nodeOnly = false): void {
  if (inp.length % 16 || out.length < inp.length) throw new RangeError('ecbInto: whole blocks in, out at least as long');
  if (native && !nodeOnly) return native.ecb(key, inp, out);
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  out.set(c.update(inp));
}
