/**
 * `npm run bench -- he [--json]`: Paillier / Damgård–Jurik ("zpaillier") operation rates at
 * 2048 bits (TACIT_BENCH_HE_BITS), single-threaded and with all cores (worker threads).
 * Encryption is reported three ways: the randomness ρ alone (the part made ahead of time),
 * the online step given ρ, and both together. The yardstick is SecretFlow HEU's ZPaillier
 * measured on this machine (C++, single thread): encrypt 0.52 ms, decrypt 2.3 ms, add
 * 4.9 µs, scalar multiply 0.31 ms; the targets are encrypt ≤ 1 ms, decrypt ≤ 3 ms,
 * add ≤ 20 µs. The BigInt-only backend is measured in the same run as the baseline; the
 * native decryption is timed in round-robin batches against the bare constant-time powers and
 * OpenSSL's RSA in the same run (he-decrypt.ts), with one thread and with two.
 */
import { availableParallelism } from 'node:os';
import { add, decrypt, encrypt, encryptManyBytes, generateKeyPair, mulPlain, ObfuscatorSource, RandomnessPool, serializeCiphertexts, type PaillierScheme } from '../src/he/index.js';
import { HE_NATIVE, NativeModulus } from '../src/he/native.js';
import { randomBelow, randomBits } from '../src/he/bigint.js';
import { benchDecrypt } from './he-decrypt.js';

const HEU_MS: Record<string, number> = { encrypt: 0.52, decrypt: 2.3, add: 0.0049, mulPlain: 0.31 };
const TARGET_MS: Record<string, number> = { encrypt: 1, decrypt: 3, add: 0.02 };

function timeIt(ops: number, f: (i: number) => void): number {
  f(0);
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) f(i);
  return (performance.now() - t0) / ops; // ms per op
}

export async function runHeBench(opts: { json: boolean }): Promise<void> {
  const bits = Number(process.env['TACIT_BENCH_HE_BITS'] ?? 2048);
  const ops = Number(process.env['TACIT_BENCH_HE_OPS'] ?? 200);
  const cores = availableParallelism();
  const emit = (line: Record<string, unknown>) => {
    const ms = line['msPerOp'] as number;
    const op = line['op'] as string;
    const full = { suite: 'he', bits, ...line, opsPerSecond: 1000 / ms, heuMs: HEU_MS[op], targetMs: TARGET_MS[op], ...(TARGET_MS[op] && line['phase'] !== 'online' && line['phase'] !== 'randomness' ? { ok: ms <= TARGET_MS[op]! } : {}) };
    if (opts.json) console.log(JSON.stringify(full));
    else console.log(Object.entries(full).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v}`).join('  '));
  };
  // keyHolder: the randomness as the key's owner makes it (SecureBoost's label holder), by CRT.
  const configs: { scheme: PaillierScheme; backend: 'openssl' | 'bigint'; method?: 'native' | 'comb' | 'openssl'; keyHolder?: boolean }[] = [
    ...(HE_NATIVE ? [{ scheme: 'zpaillier' as const, backend: 'openssl' as const, method: 'native' as const, keyHolder: true }] : []),
    ...(HE_NATIVE ? [{ scheme: 'zpaillier' as const, backend: 'openssl' as const, method: 'native' as const }] : []),
    { scheme: 'zpaillier', backend: 'openssl', method: 'openssl' },
    { scheme: 'zpaillier', backend: 'openssl', method: 'comb' },
    { scheme: 'paillier', backend: 'openssl' },
    { scheme: 'paillier', backend: 'bigint' },
  ];
  for (const cfg of configs) {
    const { publicKey: pk, privateKey: sk } = generateKeyPair({ bits, scheme: cfg.scheme, backend: cfg.backend });
    const few = cfg.backend === 'bigint' ? Math.max(3, ops >> 4) : ops;
    const src = new ObfuscatorSource(pk, cfg.method ?? 'auto', cfg.keyHolder ? sk : undefined);
    const tag = { scheme: cfg.scheme, modexp: cfg.backend, ...(cfg.method ? { fixedBase: src.method } : {}), ...(sk.native ? { decrypt: 'native-crt' } : {}) };
    const ms = Array.from({ length: few }, () => randomBelow(pk.n));
    let rhoMs: number, onlineMs: number;
    const rhos = Array.from({ length: few }, () => src.next());
    if (cfg.method === 'native') {
      // The batch path sgb-train uses: ρ made in batches as bytes, (1 + m·n)·ρ in one call.
      src.nextBytes(4);
      let t0 = performance.now();
      const rb = src.nextBytes(few);
      rhoMs = (performance.now() - t0) / few;
      t0 = performance.now();
      encryptManyBytes(pk, ms, rb);
      onlineMs = (performance.now() - t0) / few;
    } else {
      rhoMs = timeIt(few, () => src.next());
      onlineMs = timeIt(few, (i) => encrypt(pk, ms[i]!, rhos[i]!));
    }
    emit({ ...tag, op: 'encrypt', phase: 'randomness', threads: 1, msPerOp: rhoMs });
    emit({ ...tag, op: 'encrypt', phase: 'online', threads: 1, msPerOp: onlineMs });
    emit({ ...tag, op: 'encrypt', phase: 'both', threads: 1, msPerOp: rhoMs + onlineMs });
    if (cfg.backend === 'openssl') {
      const pool = new RandomnessPool(pk, { workers: cores, method: cfg.method ?? 'auto', ...(cfg.keyHolder ? { privateKey: sk } : {}) });
      await pool.generate(cores); // warm-up: workers build their tables
      const t0 = performance.now();
      const rs = await pool.generate(ops);
      const poolMs = (performance.now() - t0) / ops;
      await pool.close();
      emit({ ...tag, op: 'encrypt', phase: 'randomness', threads: cores, msPerOp: poolMs });
      emit({ ...tag, op: 'encrypt', phase: 'both', threads: cores, msPerOp: poolMs + onlineMs / cores, note: 'online step split across cores' });
      void rs;
    }
    const cs = ms.map((m, i) => encrypt(pk, m, rhos[i]!));
    if (cfg.keyHolder && sk.native) {
      // The headline decryption figure: batches round-robin with same-run baselines (he-decrypt.ts).
      // Beside it, the opt-in key with a short decryption exponent (a different assumption, docs/he.md).
      benchDecrypt(sk, cs, emit, tag, generateKeyPair({ bits, scheme: 'zpaillier', backend: cfg.backend, shortDecryption: true }).privateKey);
    } else {
      // CPU time beside wall time: on a machine shared with other work, the wall clock counts the waits.
      const cpu0 = process.cpuUsage();
      const decMs = timeIt(few, (i) => decrypt(sk, cs[i]!));
      const cpu1 = process.cpuUsage(cpu0);
      emit({ ...tag, op: 'decrypt', threads: 1, msPerOp: decMs, cpuMsPerOp: (cpu1.user + cpu1.system) / 1000 / (few + 1) });
    }
    const addOps = few * 20;
    const addMs = timeIt(addOps, (i) => add(pk, cs[i % few]!, cs[(i + 1) % few]!));
    emit({ ...tag, op: 'add', path: 'bigint', threads: 1, msPerOp: addMs });
    if (cfg.method === 'native' && HE_NATIVE) {
      // Batch products in OpenSSL's Montgomery code (one call, bytes in and out), as the
      // feature holders' histograms add ciphertexts.
      const nm = new NativeModulus(HE_NATIVE, pk.n2, pk.cipherBytes);
      const a = serializeCiphertexts(pk, Array.from({ length: addOps }, (_, i) => cs[i % few]!));
      const b = serializeCiphertexts(pk, Array.from({ length: addOps }, (_, i) => cs[(i + 1) % few]!));
      nm.mulMany(a.subarray(0, pk.cipherBytes * 2), b.subarray(0, pk.cipherBytes * 2));
      const t0 = performance.now();
      nm.mulMany(a, b);
      emit({ ...tag, op: 'add', path: 'native-batch', threads: 1, msPerOp: (performance.now() - t0) / addOps });
    }
    const ks = Array.from({ length: few }, () => randomBits(64));
    emit({ ...tag, op: 'mulPlain', scalarBits: 64, threads: 1, msPerOp: timeIt(few, (i) => mulPlain(pk, cs[i]!, ks[i]!)) });
  }
}
