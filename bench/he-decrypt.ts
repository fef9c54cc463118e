/**
 * The decryption figure of `npm run bench -- he`, made robust to a shared machine's drift:
 * every variant is timed in several batches, round-robin (one batch of each variant per
 * round, so a burst of load hits all of them alike), and reported as the median of the
 * batches with p10 / p90 beside it. Two baselines are measured in the same rounds:
 *   - the floor: the same two constant-time exponentiations alone (c^(p−1) mod p² and
 *     c^(q−1) mod q², OpenSSL's BN_mod_exp_mont_consttime with cached Montgomery contexts,
 *     bytes in and out), so `vsFloor` is what the decryption costs beyond its two powers;
 *   - node:crypto's RSA-4096 private operation (RSA_NO_PADDING) halved: two 2048-bit-exponent
 *     powers mod 2048-bit primes, i.e. the squarings of one Paillier-2048 decryption twice
 *     over, done by OpenSSL's own RSA code (blinding, CRT), so `vsRsa` compares with the
 *     library's best at the same size.
 * Ratios are medians of per-round ratios (each pair measured back to back). Variants: one
 * ciphertext per call (`decrypt`) and a batch per call (`decryptManyBytes`), each with one
 * thread and with two (the CRT halves, or the batch split in two runs); and, when given, the
 * opt-in key with a short decryption exponent (`keyShape: "short-exponent"`, one thread).
 */
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { decrypt, decryptManyBytes, encrypt, serializeCiphertexts, type PaillierPrivateKey } from '../src/he/index.js';
import { HE_NATIVE, NativeModulus } from '../src/he/native.js';
import { byteLength, randomBelow, toBytes } from '../src/he/bigint.js';

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

const sortNum = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

interface Variant {
  name: string;
  path: string;
  threads: number;
  run: () => void;
  shape?: 'short-exponent';
}

/**
 * Times each variant over `rounds` round-robin batches of `batch` decryptions and emits one
 * line per variant and per baseline. `cs` are ciphertexts under `sk`.
 */
export function benchDecrypt(sk: PaillierPrivateKey, cs: readonly bigint[], emit: (line: Record<string, unknown>) => void, tag: Record<string, unknown>, shortSk?: PaillierPrivateKey): void {
  const pk = sk.publicKey;
  const rounds = Math.max(3, Number(process.env['TACIT_BENCH_HE_BATCHES'] ?? 15));
  const batch = Math.max(2, Math.floor(cs.length / rounds));
  const use = cs.slice(0, batch);
  const block = serializeCiphertexts(pk, use);
  const load0 = loadavg()[0]!;
  const variants: Variant[] = [
    { name: 'decrypt', path: 'single', threads: 1, run: () => use.forEach((c) => decrypt(sk, c)) },
    { name: 'decrypt', path: 'batch', threads: 1, run: () => decryptManyBytes(sk, block) },
    { name: 'decrypt', path: 'single', threads: 2, run: () => use.forEach((c) => decrypt(sk, c, { threads: 2 })) },
    { name: 'decrypt', path: 'batch', threads: 2, run: () => decryptManyBytes(sk, block, { threads: 2 }) },
  ];
  if (shortSk) {
    const spk = shortSk.publicKey, scs = use.map(() => encrypt(spk, randomBelow(spk.n))), sblock = serializeCiphertexts(spk, scs);
    variants.push({ name: 'decrypt', path: 'single', threads: 1, shape: 'short-exponent', run: () => scs.forEach((c) => decrypt(shortSk, c)) });
    variants.push({ name: 'decrypt', path: 'batch', threads: 1, shape: 'short-exponent', run: () => decryptManyBytes(shortSk, sblock) });
  }
  if (HE_NATIVE) {
    // The floor: the decryption's two powers alone, on the same ciphertexts and exponents.
    const half = (m: bigint, e: bigint) => {
      const w = byteLength(m), nm = new NativeModulus(HE_NATIVE!, m, w), eb = byteLength(e);
      const bases = Buffer.concat(use.map((c) => toBytes(c % m, w)));
      const exps = Buffer.concat(use.map(() => toBytes(e, eb)));
      return () => nm.powManyConsttime(bases, exps, eb);
    };
    const hp = half(sk.p2, sk.p - 1n), hq = half(sk.q2, sk.q - 1n);
    variants.push({ name: 'floor', path: 'two consttime modexps', threads: 1, run: () => (hp(), hq()) });
  }
  // RSA-4096 private operations, as many as decryptions; halved per op below.
  const rsa = generateKeyPairSync('rsa', { modulusLength: pk.bits * 2 }).privateKey;
  const rsaIn = Array.from({ length: batch }, () => {
    const b = randomBytes(pk.bits / 4);
    b[0] = 0; // below the modulus
    return b;
  });
  variants.push({ name: 'rsa', path: `rsa${pk.bits * 2}-private/2`, threads: 1, run: () => rsaIn.forEach((b) => privateDecrypt({ key: rsa, padding: constants.RSA_NO_PADDING }, b)) });

  for (const v of variants) v.run(); // warm-up (Montgomery contexts, JIT)
  const wall = variants.map(() => [] as number[]), cpu = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    variants.forEach((v, i) => {
      const c0 = process.cpuUsage(), t0 = performance.now();
      v.run();
      const ms = (performance.now() - t0) / batch, c1 = process.cpuUsage(c0);
      const per = v.name === 'rsa' ? 2 : 1;
      wall[i]!.push(ms / per);
      cpu[i]!.push((c1.user + c1.system) / 1000 / batch / per);
    });
  }
  const load1 = loadavg()[0]!;
  const ratioTo = (i: number, j: number) => (j < 0 ? undefined : quantile(sortNum(wall[i]!.map((x, r) => x / wall[j]![r]!)), 0.5));
  const floorAt = variants.findIndex((v) => v.name === 'floor'), rsaAt = variants.findIndex((v) => v.name === 'rsa');
  const floorMs = floorAt < 0 ? undefined : quantile(sortNum(wall[floorAt]!), 0.5);
  const rsaMs = quantile(sortNum(wall[rsaAt]!), 0.5);
  variants.forEach((v, i) => {
    const s = sortNum(wall[i]!);
    const ms = quantile(s, 0.5);
    const common = {
      ...tag, threads: v.threads, msPerOp: ms, p10Ms: quantile(s, 0.1), p90Ms: quantile(s, 0.9), cpuMsPerOp: quantile(sortNum(cpu[i]!), 0.5),
      batches: rounds, batchSize: batch, loadAverage: [load0, load1].map((x) => Math.round(x * 100) / 100),
    };
    if (v.name === 'decrypt') {
      emit({ op: 'decrypt', path: v.path, ...(v.shape ? { keyShape: v.shape } : {}), ...common, floorMs, vsFloor: ratioTo(i, floorAt), rsaHalfMs: rsaMs, vsRsa: ratioTo(i, rsaAt) });
    } else emit({ op: 'decrypt-baseline', path: v.path, ...common });
  });
}
