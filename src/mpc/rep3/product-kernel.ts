/**
 * rep3's local product: each party's 3-of-3 share x_i·y_i + x_i·y_{i+1} + x_{i+1}·y_i plus its
 * part of a zero-sharing (Araki et al., CCS 2016, §2.1-2.2), or the AND/XOR analogue.
 *
 * The zero-sharing of a large product is the difference of two AES-128-CTR keystreams, one
 * from each of the 16-byte seeds `Rep3Randomness.forkZeroSeeds` draws (the seed this party
 * shares with its predecessor's stream and the one it shares with its successor's). Two paths
 * compute the same values:
 *   - native (`native/rep3-mul.c`, built by scripts/build.mjs): the keystreams from OpenSSL
 *     into two L1-resident buffers and the product in one pass over the caller's arrays —
 *     no copies, nothing allocated. Measured on this machine (three party processes) it cut
 *     the local product of 10^6 from 12–16 ms CPU per party to ~4.5 ms (docs/architecture.md,
 *     the network);
 *   - WebAssembly (`crypto/ring64.ts` rep3Mul) with the keystreams from `Prg`, where the shim
 *     is not built or TACIT_REP3_KERNEL=wasm.
 * Parties may use different paths: the messages are identical (test/mpc/rep3-kernel.test.ts
 * compares both with a BigInt reference).
 *
 * `start` is the element offset in the two streams, so a product computed in chunks
 * (pipelined) draws the same mask as in one go.
 */
import { createRequire } from 'node:module';
import * as R from '../../crypto/ring64.js';
import { Prg } from '../../crypto/prg.js';

interface NativeRep3 {
  mul(out: BigUint64Array, x0: BigUint64Array, x1: BigUint64Array, y0: BigUint64Array, y1: BigUint64Array, kSelf: Uint8Array | null, kNext: Uint8Array | null, start: number, boolean: boolean): void;
}

function loadNative(): NativeRep3 | undefined {
  if (process.env['TACIT_REP3_KERNEL'] === 'wasm') return undefined;
  try {
    return createRequire(import.meta.url)('../../../native/rep3-mul.node') as NativeRep3;
  } catch {
    return undefined; // not built here: the WebAssembly path
  }
}

const native = loadNative();

/** Which implementation runs: 'native' (the shim) or 'wasm'. */
export function rep3KernelPath(): 'native' | 'wasm' {
  return native ? 'native' : 'wasm';
}

/** The two seeds of a product's zero-sharing: this party's own stream and its successor's. */
export interface ZeroSeeds {
  self: Uint8Array;
  next: Uint8Array;
}

/**
 * A zero-sharing mask drawn chunk by chunk from the two seeds' streams, for the WebAssembly
 * path; `at(start)` positions both streams at element `start` (chunks must come in order).
 */
class MaskStreams {
  #self: Prg;
  #next: Prg;
  #pos = 0;

  constructor(seeds: ZeroSeeds) {
    this.#self = new Prg(seeds.self);
    this.#next = new Prg(seeds.next);
  }

  at(start: number): (p0: BigUint64Array, p1: BigUint64Array) => void {
    if (start < this.#pos) throw new RangeError(`rep3 mask: chunks must come in order (at ${this.#pos}, asked for ${start})`);
    if (start > this.#pos) {
      const skip = new BigUint64Array(start - this.#pos);
      this.#self.fill(skip);
      this.#next.fill(skip);
      this.#pos = start;
    }
    return (p0, p1) => {
      this.#self.fill(p0);
      this.#next.fill(p1);
      this.#pos += p0.length;
    };
  }
}

const noMask = (p0: BigUint64Array, p1: BigUint64Array) => {
  p0.fill(0n);
  p1.fill(0n);
};

/**
 * One party's local product (plus mask) into `out`, for elements [start, start + out.length)
 * of the product's mask streams; `seeds` undefined = no mask. `wasmMask` lets a caller that
 * computes in chunks keep one `MaskStreams` (made by `maskStreams`) across them.
 */
export function rep3Product(
  out: BigUint64Array,
  x0: BigUint64Array,
  x1: BigUint64Array,
  y0: BigUint64Array,
  y1: BigUint64Array,
  seeds: ZeroSeeds | undefined,
  boolean: boolean,
  start = 0,
  streams?: MaskStreams,
  forceWasm = false,
): BigUint64Array {
  const n = out.length;
  if (x0.length !== n || x1.length !== n || y0.length !== n || y1.length !== n) {
    throw new RangeError(`rep3 product: operands of ${[x0, x1, y0, y1].map((a) => a.length).join(', ')} elements for an output of ${n}`);
  }
  if (seeds && (seeds.self.length !== 16 || seeds.next.length !== 16)) throw new TypeError('rep3 product: zero-sharing seeds must be 16 bytes each');
  if (native && !forceWasm) {
    native.mul(out, x0, x1, y0, y1, seeds ? seeds.self : null, seeds ? seeds.next : null, start, boolean);
    return out;
  }
  const mask = seeds ? (streams ?? new MaskStreams(seeds)).at(start) : noMask;
  return R.rep3Mul(out, x0, x1, y0, y1, mask, boolean);
}

/** Mask streams to reuse across the chunks of one product on the WebAssembly path. */
export function maskStreams(seeds: ZeroSeeds): MaskStreams {
  return new MaskStreams(seeds);
}

export type { MaskStreams };
