/**
 * The label holder's side of SecureBoost (Cheng et al. 2019, Alg. 1–2) with the SecureBoost+
 * speed-ups (Chen et al. 2021): per tree it encrypts every sampled row's packed (g, h) once
 * (randomness made ahead in worker threads while the hosts work), asks each host for the
 * encrypted histograms of the smaller child of each split pair only (the sibling is the
 * parent minus it, in plaintext), decrypts the compressed bins, picks the best split over all
 * parties' features and asks the owner of a host feature which rows go left. Leaf weights
 * never leave it; nor do labels or gradients in clear.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Network } from '../../net/types.js';
import { ProgramError } from '../program.js';
import {
  decryptManyBytes, encryptManyBytes, layoutFor, packSigned, RandomnessPool, toFixed, unpackSigned, type KeyPair,
} from '../../he/index.js';
import { fromBytes } from '../../he/bigint.js';
import { baseScore, growTree, logisticGradients, type TreeNode } from './grow.js';
import type { SgbHyperparameters } from './hyper.js';
import { localHistograms, localPartition } from './plaintext.js';
import { CMD, command, ghLayout, int32Bytes } from './wire.js';

/** Threads for the label holder's batch decryptions (the other parties are idle meanwhile). */
const DECRYPT_THREADS = Math.min(2, availableParallelism());

export interface HostInfo {
  party: string;
  binsPerFeature: number[];
}

export interface GuestResult {
  trees: TreeNode[][];
  base: number;
  scores: Float64Array;
  timings: { encrypt: number; histograms: number; decrypt: number; total: number };
}

/**
 * The label holder's encryption randomness, started as soon as its key exists (before PSI):
 * worker threads make ρ by CRT with the private key (`he/obfuscator.ts`) for the first tree
 * while the parties still align their rows.
 */
export function startGuestPool(keys: KeyPair, firstTreeRows: number): RandomnessPool {
  const pool = new RandomnessPool(keys.publicKey, { workers: Math.max(1, availableParallelism()), privateKey: keys.privateKey });
  pool.prefill(firstTreeRows);
  return pool;
}

export async function sgbGuest(
  net: Network,
  keys: KeyPair,
  own: { bins: Uint8Array; binsPerFeature: number[] },
  hosts: HostInfo[],
  y: Float64Array,
  hyper: SgbHyperparameters,
  progress: (phase: string, done: number, total: number) => void,
  /** A pool started earlier (`startGuestPool`); closed here either way. */
  started?: RandomnessPool,
): Promise<GuestResult> {
  const pk = keys.publicKey, sk = keys.privateKey;
  const rows = y.length;
  const Fg = own.binsPerFeature.length;
  const binsPerFeature = [...own.binsPerFeature, ...hosts.flatMap((h) => h.binsPerFeature)];
  const offsets: number[] = [];
  let off = Fg;
  for (const h of hosts) {
    offsets.push(off);
    off += h.binsPerFeature.length;
  }
  const stride = hyper.bins;
  const layout = ghLayout(rows);
  const { slots } = layoutFor(pk, layout.outer);
  const scale = 2 ** -layout.fracBits;
  const timings = { encrypt: 0, histograms: 0, decrypt: 0, total: 0 };
  const t0 = performance.now();
  const pool = started ?? new RandomnessPool(pk, { workers: Math.max(1, availableParallelism()), privateKey: sk });
  try {
    const base = baseScore(y);
    const scores = new Float64Array(rows).fill(base);
    const trees: TreeNode[][] = [];
    const sampleCount = (s: Uint8Array | undefined) => (s ? s.reduce((a, b) => a + b, 0) : rows);
    const drawSample = (): Uint8Array | undefined => {
      if (hyper.subsample >= 1) return undefined;
      const rnd = randomBytes(rows * 4);
      const s = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) s[r] = rnd.readUInt32LE(r * 4) / 2 ** 32 < hyper.subsample ? 1 : 0;
      return s;
    };
    let sampled = drawSample();
    // A pool started before PSI already makes `rows` values (the first tree, unsampled or more).
    if (!started) pool.prefill(sampleCount(sampled));
    for (let t = 0; t < hyper.trees; t++) {
      progress('sgb trees', t, hyper.trees);
      const { g, h } = logisticGradients(scores, y);
      // Encrypt the sampled rows' packed (g, h) with randomness made ahead.
      const te = performance.now();
      const k = sampleCount(sampled);
      const rhos = await pool.takeBytes(k);
      const nextSample = t + 1 < hyper.trees ? drawSample() : undefined;
      if (t + 1 < hyper.trees) pool.prefill(sampleCount(nextSample));
      const plain: bigint[] = new Array(k);
      for (let r = 0, i = 0; r < rows; r++) {
        if (sampled && !sampled[r]) continue;
        plain[i++] = packSigned(pk, [toFixed(h[r]!, layout.fracBits), toFixed(g[r]!, layout.fracBits)], layout.inner);
      }
      const flags = sampled ?? new Uint8Array(rows).fill(1);
      const treeMsg = command(CMD.tree, flags, encryptManyBytes(pk, plain, rhos));
      await Promise.all(hosts.map((hh) => net.send(hh.party, 'sgb.cmd', treeMsg)));
      timings.encrypt += (performance.now() - te) / 1000;
      const tree = await growTree(g, h, sampled, binsPerFeature, hyper, {
        histograms: async (nodeOfRow, nodes) => {
          const th = performance.now();
          let decryptMs = 0;
          const req = new Int32Array(1 + nodes.length + rows);
          req[0] = nodes.length;
          req.set(nodes, 1);
          req.set(nodeOfRow, 1 + nodes.length);
          const msg = command(CMD.hist, int32Bytes(req));
          await Promise.all(hosts.map((hh) => net.send(hh.party, 'sgb.cmd', msg)));
          const mine = localHistograms(own.bins, Fg, stride, g, h, sampled, nodeOfRow, nodes);
          const out = mine.map((m) => {
            const full = new Float64Array(binsPerFeature.length * stride * 2);
            full.set(m);
            return full;
          });
          for (let j = 0; j < hosts.length; j++) {
            const hh = hosts[j]!;
            const total = hh.binsPerFeature.reduce((a, b) => a + b, 0);
            const perNode = Math.ceil(total / slots);
            const raw = await net.recv(hh.party, 'sgb.hist', perNode * nodes.length * pk.cipherBytes);
            const td = performance.now();
            // All of this host's compressed bins in one native call (CRT decryption in C), split
            // across two threads where there are two cores: the hosts wait for these splits.
            const plain = decryptManyBytes(sk, raw, { threads: DECRYPT_THREADS });
            const nb = pk.nBytes;
            for (let i = 0; i < nodes.length; i++) {
              const pairs: bigint[] = [];
              for (let c = 0; c < perNode; c++) {
                const cnt = Math.min(slots, total - c * slots);
                const at = (i * perNode + c) * nb;
                pairs.push(...unpackSigned(pk, fromBytes(plain.subarray(at, at + nb)), layout.outer, cnt));
              }
              const full = out[i]!;
              let p = 0;
              for (let f = 0; f < hh.binsPerFeature.length; f++) {
                const at = (offsets[j]! + f) * stride * 2;
                for (let b = 0; b < hh.binsPerFeature[f]!; b++) {
                  const x = pairs[p++]!;
                  const [H, G] = unpackSigned(pk, x < 0n ? x + pk.n : x, layout.inner, 2);
                  full[at + 2 * b] = Number(G) * scale;
                  full[at + 2 * b + 1] = Number(H) * scale;
                }
              }
            }
            decryptMs += performance.now() - td;
          }
          // Waiting for the hosts' histograms (and the guest's own), apart from decryption.
          timings.histograms += (performance.now() - th - decryptMs) / 1000;
          timings.decrypt += decryptMs / 1000;
          return out;
        },
        partition: async (nodeOfRow, splits) => {
          const result: Uint8Array[] = new Array(splits.length);
          const guestSplits = splits.map((s, i) => ({ ...s, i })).filter((s) => s.feature < Fg);
          const gl = localPartition(own.bins, Fg, nodeOfRow, guestSplits);
          guestSplits.forEach((s, j) => (result[s.i] = gl[j]!));
          const sizes = new Map<number, number>();
          for (let r = 0; r < rows; r++) sizes.set(nodeOfRow[r]!, (sizes.get(nodeOfRow[r]!) ?? 0) + 1);
          await Promise.all(
            hosts.map(async (hh, j) => {
              const mine = splits.map((s, i) => ({ ...s, i })).filter((s) => s.feature >= offsets[j]! && s.feature < offsets[j]! + hh.binsPerFeature.length);
              const req = new Int32Array(1 + 3 * mine.length + rows);
              req[0] = mine.length;
              mine.forEach((s, q) => req.set([s.node, s.feature - offsets[j]!, s.bin], 1 + 3 * q));
              req.set(nodeOfRow, 1 + 3 * mine.length);
              await net.send(hh.party, 'sgb.cmd', command(CMD.split, int32Bytes(req)));
              const expect = mine.reduce((a, s) => a + sizes.get(s.node)!, 0);
              const bits = await net.recv(hh.party, 'sgb.part', expect);
              let p = 0;
              for (const s of mine) {
                const len = sizes.get(s.node)!;
                result[s.i] = Uint8Array.from(bits.subarray(p, p + len));
                p += len;
              }
            }),
          );
          return result;
        },
      });
      for (let r = 0; r < rows; r++) scores[r]! += tree.nodes[tree.leafOfRow[r]!]!.weight!;
      trees.push(tree.nodes);
      sampled = nextSample;
    }
    const end = command(CMD.end);
    await Promise.all(hosts.map((hh) => net.send(hh.party, 'sgb.cmd', end)));
    progress('sgb trees', hyper.trees, hyper.trees);
    timings.total = (performance.now() - t0) / 1000;
    return { trees, base, scores, timings };
  } finally {
    await pool.close();
  }
}

export function checkHostBins(party: string, v: unknown, maxBins: number): number[] {
  if (!Array.isArray(v) || v.length > 10_000 || !v.every((b) => Number.isInteger(b) && b >= 1 && b <= maxBins)) {
    throw new ProgramError(`malformed bin counts from ${party}`);
  }
  return v as number[];
}
