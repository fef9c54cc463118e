/**
 * Routing a permutation through a Beneš network (Beneš 1964) with the looping algorithm
 * (Waksman, JACM 1968): 2·log2(N) − 1 columns of N/2 two-input switches realise any
 * permutation of N = 2^k wires. The network is returned as a flat list of switches in an
 * order that respects their dependencies, each acting in place on two slots of a working
 * array — the form the oblivious switching network of ot-shuffle.ts consumes.
 */

export interface SwitchList {
  /** Slots of switch t: a[t], b[t]; swap bit sigma[t] (1: exchange the two values). */
  a: Int32Array;
  b: Int32Array;
  sigma: Uint8Array;
  count: number;
}

/** Smallest power of two ≥ n (at least 2). */
export function benesSize(n: number): number {
  let N = 2;
  while (N < n) N *= 2;
  return N;
}

/**
 * Switches that move the value in slot src[t] to slot t for every t (src a permutation of
 * 0..N−1, N a power of two).
 */
export function routeBenes(src: Int32Array): SwitchList {
  const N = src.length;
  if (N < 2 || (N & (N - 1)) !== 0) throw new RangeError(`Beneš size must be a power of two ≥ 2, got ${N}`);
  const k = Math.log2(N);
  const total = N * k - N / 2;
  const out: SwitchList = { a: new Int32Array(total), b: new Int32Array(total), sigma: new Uint8Array(total), count: 0 };
  const slots = new Int32Array(N);
  for (let i = 0; i < N; i++) slots[i] = i;
  route(src, slots, out);
  if (out.count !== total) throw new Error(`Beneš routing produced ${out.count} switches, expected ${total}`);
  return out;
}

function push(out: SwitchList, a: number, b: number, sigma: number): void {
  out.a[out.count] = a;
  out.b[out.count] = b;
  out.sigma[out.count++] = sigma;
}

function route(src: Int32Array, slots: Int32Array, out: SwitchList): void {
  const N = src.length;
  if (N === 2) {
    push(out, slots[0]!, slots[1]!, src[0] === 1 ? 1 : 0);
    return;
  }
  const half = N / 2;
  const inv = new Int32Array(N);
  for (let t = 0; t < N; t++) inv[src[t]!] = t;
  // side[x] of input x: 0 upper, 1 lower; outputs inherit their input's side.
  const side = new Int8Array(N).fill(-1);
  for (let start = 0; start < N; start += 2) {
    if (side[src[start]!] !== -1) continue;
    // Output `start` from the upper half; follow the loop until it closes.
    let t = start;
    for (;;) {
      const x = src[t]!;
      side[x] = 0;
      const partner = x ^ 1;
      side[partner] = 1;
      const t2 = inv[partner]! ^ 1; // the other output of partner's output switch: upper
      if (side[src[t2]!] !== -1) break;
      t = t2;
    }
  }
  const upSrc = new Int32Array(half), loSrc = new Int32Array(half);
  const upSlots = new Int32Array(half), loSlots = new Int32Array(half);
  for (let s = 0; s < half; s++) {
    upSlots[s] = slots[2 * s]!;
    loSlots[s] = slots[2 * s + 1]!;
    // Input switch s: straight sends input 2s up.
    push(out, slots[2 * s]!, slots[2 * s + 1]!, side[2 * s] === 1 ? 1 : 0);
  }
  const outSigma = new Uint8Array(half);
  for (let s = 0; s < half; s++) {
    const fromLower = side[src[2 * s]!] === 1;
    outSigma[s] = fromLower ? 1 : 0;
    const upOut = fromLower ? 2 * s + 1 : 2 * s;
    upSrc[s] = src[upOut]! >> 1;
    loSrc[s] = src[upOut ^ 1]! >> 1;
  }
  route(upSrc, upSlots, out);
  route(loSrc, loSlots, out);
  for (let s = 0; s < half; s++) push(out, slots[2 * s]!, slots[2 * s + 1]!, outSigma[s]!);
}
