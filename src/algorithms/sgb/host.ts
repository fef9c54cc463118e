/**
 * The feature holder's side of SecureBoost (Cheng et al. 2019, Alg. 1): it receives the
 * label holder's encrypted packed gradients, adds them into encrypted histograms over its own
 * quantile bins for the nodes asked for, compresses and returns them; for a split the label
 * holder picks on one of its features it keeps the threshold (under a split id) and answers
 * only which rows go left. It sees ciphertexts, node memberships of rows (as in SecureBoost)
 * and the chosen (feature, bin) of its own splits; never a gradient, label or leaf weight.
 */
import type { Network } from '../../net/types.js';
import { ProgramError } from '../program.js';
import { add, deserializeCiphertexts, packCiphertexts, serializeCiphertexts, layoutFor, type PaillierPublicKey } from '../../he/index.js';
import { HE_NATIVE, NativeModulus, type LoadedCiphertexts } from '../../he/native.js';
import type { Binned } from './binning.js';
import { bytesInt32, CMD, ghLayout } from './wire.js';

export interface HostSplit {
  feature: string;
  threshold: number;
}

export async function sgbHost(
  net: Network,
  guest: string,
  key: PaillierPublicKey,
  binned: Binned,
  featureNames: string[],
  stride: number,
  progress: (phase: string, done: number, total: number) => void,
): Promise<Record<string, HostSplit>> {
  const { rows, features: F, bins, cuts } = binned;
  const binsPerFeature = cuts.map((c) => c.length + 1);
  const { outer } = ghLayout(rows);
  const { slots } = layoutFor(key, outer);
  const splits: Record<string, HostSplit> = {};
  // OpenSSL Montgomery arithmetic on the received bytes when built (native/paillier-bn.c),
  // else BigInt: the same products.
  const native = HE_NATIVE ? new NativeModulus(HE_NATIVE, key.n2, key.cipherBytes) : undefined;
  let loaded: LoadedCiphertexts | undefined;
  let cts: bigint[] = [];
  let cipherOfRow = new Int32Array(rows).fill(-1);
  let tree = -1;
  for (;;) {
    const msg = await net.recv(guest, 'sgb.cmd');
    const type = msg[0];
    const body = msg.subarray(1);
    if (type === CMD.end) break;
    if (type === CMD.tree) {
      // [sampled flags: rows bytes][ciphertexts of the sampled rows, in row order]
      if (body.length < rows) throw new ProgramError('malformed sgb tree message');
      tree++;
      cipherOfRow = new Int32Array(rows).fill(-1);
      let k = 0;
      for (let r = 0; r < rows; r++) if (body[r]) cipherOfRow[r] = k++;
      if (native) {
        const ctBytes = body.subarray(rows);
        if (ctBytes.length !== k * key.cipherBytes) throw new ProgramError('malformed sgb tree message: wrong number of ciphertexts');
        // Into Montgomery form once per tree, for the histograms of every level.
        try {
          loaded = native.loadCiphertexts(ctBytes);
        } catch {
          throw new ProgramError('malformed sgb tree message: a ciphertext is not below n²');
        }
      } else cts = deserializeCiphertexts(key, body.subarray(rows), k);
      progress('sgb trees', tree, tree + 1);
    } else if (type === CMD.hist) {
      // [count: i32][nodes: i32 × count][nodeOfRow: i32 × rows]
      const ints = bytesInt32(body, 'sgb histogram request');
      const count = ints[0]!;
      if (count < 1 || ints.length !== 1 + count + rows) throw new ProgramError('malformed sgb histogram request');
      const nodes = ints.subarray(1, 1 + count), nodeOfRow = ints.subarray(1 + count);
      const slotOf = new Map<number, number>();
      nodes.forEach((k, i) => slotOf.set(k, i));
      if (native && loaded) {
        const slotOfRow = new Int32Array(rows).fill(-1);
        for (let r = 0; r < rows; r++) slotOfRow[r] = slotOf.get(nodeOfRow[r]!) ?? -1;
        const cells = native.histogram(loaded, cipherOfRow, slotOfRow, bins, F, stride, count);
        // Keep each node's real bins (features × binsPerFeature), in order, then compress per node.
        const w = key.cipherBytes;
        const parts: Uint8Array[] = [];
        for (let i = 0; i < count; i++) {
          const total = binsPerFeature.reduce((a, b) => a + b, 0);
          const flat = new Uint8Array(total * w);
          let at = 0;
          for (let f = 0; f < F; f++) {
            const from = ((i * F + f) * stride) * w;
            flat.set(cells.subarray(from, from + binsPerFeature[f]! * w), at);
            at += binsPerFeature[f]! * w;
          }
          parts.push(native.packMany(flat, slots, outer));
        }
        await net.send(guest, 'sgb.hist', Buffer.concat(parts));
        continue;
      }
      const width = F * stride;
      const hist: bigint[] = new Array(count * width).fill(1n);
      for (let r = 0; r < rows; r++) {
        const ci = cipherOfRow[r]!;
        if (ci < 0) continue;
        const i = slotOf.get(nodeOfRow[r]!);
        if (i === undefined) continue;
        const c = cts[ci]!;
        const base = i * width;
        for (let f = 0; f < F; f++) {
          const at = base + f * stride + bins[r * F + f]!;
          const cur = hist[at]!;
          hist[at] = cur === 1n ? c : add(key, cur, c);
        }
      }
      const packed: bigint[] = [];
      for (let i = 0; i < count; i++) {
        const flat: bigint[] = [];
        for (let f = 0; f < F; f++) for (let b = 0; b < binsPerFeature[f]!; b++) flat.push(hist[i * width + f * stride + b]!);
        for (let j = 0; j < flat.length; j += slots) packed.push(packCiphertexts(key, flat.slice(j, j + slots), outer));
      }
      await net.send(guest, 'sgb.hist', serializeCiphertexts(key, packed));
    } else if (type === CMD.split) {
      // [count: i32][(node, feature, bin) × count][nodeOfRow: i32 × rows]
      const ints = bytesInt32(body, 'sgb split request');
      const count = ints[0]!;
      if (count < 0 || ints.length !== 1 + 3 * count + rows) throw new ProgramError('malformed sgb split request');
      const nodeOfRow = ints.subarray(1 + 3 * count);
      const idx = new Map<number, number>();
      const asked: { node: number; feature: number; bin: number }[] = [];
      for (let i = 0; i < count; i++) {
        const node = ints[1 + 3 * i]!, feature = ints[2 + 3 * i]!, bin = ints[3 + 3 * i]!;
        if (feature < 0 || feature >= F || bin < 0 || bin >= binsPerFeature[feature]! - 1) throw new ProgramError('sgb split request names no valid feature bin');
        asked.push({ node, feature, bin });
        idx.set(node, i);
        splits[`${tree}.${node}`] = { feature: featureNames[feature]!, threshold: cuts[feature]![bin]! };
      }
      // One flag per row of each asked node, nodes in request order, rows ascending.
      const sizes = new Int32Array(count);
      for (let r = 0; r < rows; r++) {
        const i = idx.get(nodeOfRow[r]!);
        if (i !== undefined) sizes[i]!++;
      }
      const at = new Int32Array(count);
      for (let i = 1; i < count; i++) at[i] = at[i - 1]! + sizes[i - 1]!;
      const flags = new Uint8Array(count ? at[count - 1]! + sizes[count - 1]! : 0);
      for (let r = 0; r < rows; r++) {
        const i = idx.get(nodeOfRow[r]!);
        if (i === undefined) continue;
        const s = asked[i]!;
        flags[at[i]!++] = bins[r * F + s.feature]! <= s.bin ? 1 : 0;
      }
      await net.send(guest, 'sgb.part', flags);
    } else throw new ProgramError(`unknown sgb command ${type}`);
  }
  return splits;
}
