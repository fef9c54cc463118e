/**
 * Clearing under MPC: multilateral netting with gridlock resolution by the queue-removal
 * rule (Bech & Soramäki 2001, Bank of Finland Discussion Paper 9/2001), in the bounded,
 * vectorised form of `plaintext.ts` (`clearBounded`), so the two agree exactly. Private
 * liquidity matching under MPC follows Atapoor, Smart & Talibi Alaoui, "Private Liquidity
 * Matching using MPC" (CT-RSA 2022); this program keeps their setting (banks' queues and
 * balances secret, a data-independent number of rounds) with a cheaper iteration.
 *
 * Layout. Every bank has the same public number L of payment slots (dummies pad its queue,
 * so the queue's length stays private), and the bank puts its payments in a random order of
 * its own choosing, so a slot's position says nothing about its priority. Per slot it
 * inputs, worked out locally in plaintext:
 *   S    the suffix total of the payment in the bank's removal order (`queue.ts`): the slot
 *        stays in a set iff S ≤ what the bank can pay (balance + incoming);
 *   amt  the amount;
 *   W    one row of B columns with the amount in the receiving bank's column (the receiver
 *        is secret: a one-hot row), and two rows of B columns with the payment id's two
 *        words there, for the receiver's output.
 * Incoming of every bank for a 0/1 settled vector a is then a^T·W: a matrix product whose
 * rep3 cost is the B outputs, whatever the number of payments.
 *
 * Iteration (T public rounds, each one product and one batched sign test over 2·B·L slots):
 * the upper set starts at "everything", the lower at "nothing"; both are updated by
 * a ← [S ≤ balance + incoming(a)]. After T: posU = balance + in − out for the upper set;
 * f = [no posU < 0]; settled = lower + f·(upper − lower). Whether it converged stays secret.
 *
 * Check: every settled flow from one bank to another must lie in [0, 2^60) (two sign tests
 * on B² values; only the count of violations is opened), so a bank that feeds a malformed
 * encoding — a negative amount, or amounts that wrap — can move only its own money.
 *
 * Outputs (one batched round): each host learns, per bank it hosts, its net position, the
 * 0/1 of its own slots and the columns of settled·W addressed to it (amount and id of each
 * incoming payment, by payer block); the settlement vector of net positions goes to
 * `settlementTo` (it goes on-chain anyway, as token movements); the aggregate settled
 * value and liquidity saved to every member if `revealAggregates`.
 */
import { randomInt } from 'node:crypto';
import * as R from '../../crypto/ring64.js';
import type { Mpc } from '../../mpc/engine.js';
import { concatParts, gatherParts } from '../../mpc/parts.js';
import { SecretTensor } from '../../mpc/tensor.js';
import { ClearingInputError, decodeId, encodeId, MAX_CYCLE_SLOTS, suffixTotals, validateQueue, type BankQueue } from './queue.js';

export interface ClearingSpec {
  /** Banks in the cycle's public order (the on-chain order of positions). */
  banks: readonly string[];
  /** hosts[b]: the session member that inputs bank b's queue and receives its output. */
  hosts: readonly string[];
  /** Payment slots per bank (public). */
  slots: number;
  /** Iterations T (public). */
  iterations: number;
  /** Reveal the settled value and liquidity saved to every member. */
  revealAggregates: boolean;
  /** Members that learn the vector of net positions (the compute parties, who settle it). */
  settlementTo: readonly string[];
}

export interface IncomingSettled {
  id: string;
  from: string;
  amount: number;
}

export interface BankResult {
  bank: string;
  net: bigint;
  /** Ids of the bank's own payments that settle, in queue order. */
  settled: string[];
  /** Settled payments to this bank, by payer in bank order, then by id. */
  incoming: IncomingSettled[];
}

export interface ClearingMpcResult {
  /** Per bank hosted here. */
  banks: BankResult[];
  /** At `settlementTo`: every bank's net position, in bank order. */
  nets?: bigint[];
  settledValue?: bigint;
  netLiquidity?: bigint;
  liquiditySaved?: bigint;
  /** Seconds per phase at this member: encode, input, iterate, choose, route (product and flow check), positions, reveal. */
  timings: Record<string, number>;
}

/** A bank's slots as it inputs them, and how its slots map back to its payments. */
export interface EncodedBank {
  flat: BigUint64Array;
  /** slot → payment index, −1 for a dummy. */
  slotPayment: Int32Array;
}

const signed = (x: bigint) => BigInt.asIntN(64, x);

/** Encodes one bank's queue: [balance | S (L) | amt (L) | W_amt (L×B) | W_id (L×2B)]. */
export function encodeBank(q: BankQueue, banks: readonly string[], slots: number): EncodedBank {
  validateQueue(q, banks, slots);
  const B = banks.length;
  const L = slots;
  const flat = new BigUint64Array(1 + 2 * L + 3 * L * B);
  flat[0] = BigInt(q.balance);
  const suffix = suffixTotals(q.payments);
  // A uniformly random slot for each payment (Fisher–Yates with node's CSPRNG).
  const perm = Int32Array.from({ length: L }, (_, i) => i);
  for (let i = L - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const slotPayment = new Int32Array(L).fill(-1);
  const offS = 1, offAmt = 1 + L, offW = 1 + 2 * L, offId = 1 + 2 * L + L * B;
  q.payments.forEach((p, k) => {
    const s = perm[k]!;
    slotPayment[s] = k;
    const r = banks.indexOf(p.to);
    flat[offS + s] = suffix[k]!;
    flat[offAmt + s] = BigInt(p.amount);
    flat[offW + s * B + r] = BigInt(p.amount);
    const [w0, w1] = encodeId(p.id);
    flat[offId + s * 2 * B + r] = w0;
    flat[offId + s * 2 * B + B + r] = w1;
  });
  return { flat, slotPayment };
}

export function checkSpec(spec: ClearingSpec): void {
  const B = spec.banks.length;
  if (B < 2) throw new ClearingInputError('a clearing cycle needs at least two banks');
  if (new Set(spec.banks).size !== B) throw new ClearingInputError('the cycle names a bank twice');
  if (spec.hosts.length !== B) throw new ClearingInputError('every bank needs a host');
  if (!Number.isInteger(spec.slots) || spec.slots < 1 || spec.slots * B > MAX_CYCLE_SLOTS) {
    throw new ClearingInputError(`slots per bank must be an integer ≥ 1 with banks × slots ≤ ${MAX_CYCLE_SLOTS}`);
  }
  if (!Number.isInteger(spec.iterations) || spec.iterations < 1 || spec.iterations > 1024) {
    throw new ClearingInputError('iterations must be an integer in [1, 1024]');
  }
}

/**
 * Runs the clearing at every member. `queues` holds the queues of the banks this member
 * hosts (none at a member that hosts no bank).
 */
export async function clearingMpc(mpc: Mpc, spec: ClearingSpec, queues: readonly BankQueue[]): Promise<ClearingMpcResult> {
  checkSpec(spec);
  const t0 = performance.now();
  const encoded = new Map(queues.map((q) => [q.bank, encodeBank(q, spec.banks, spec.slots)]));
  return clearingMpcEncoded(mpc, spec, queues, encoded, t0);
}

/** Largest settled flow from one bank to another (cents): below it no sum wraps the ring. */
export const MAX_FLOW_CENTS = 2n ** 60n - 1n;

/**
 * The same, from banks already encoded (`encodeBank`); tests use it to feed a malformed
 * encoding, as a bank that does not follow the protocol would.
 */
export async function clearingMpcEncoded(
  mpc: Mpc,
  spec: ClearingSpec,
  queues: readonly BankQueue[],
  encoded: ReadonlyMap<string, EncodedBank>,
  t0 = performance.now(),
): Promise<ClearingMpcResult> {
  checkSpec(spec);
  const { banks, hosts, slots: L, iterations: T } = spec;
  const B = banks.length;
  const P = B * L;
  const mine = banks.map((b, i) => (hosts[i] === mpc.self ? b : undefined)).filter((b): b is string => b !== undefined);
  for (const q of queues) if (!mine.includes(q.bank)) throw new ClearingInputError(`${mpc.self} does not host bank ${q.bank}`);
  for (const b of mine) if (!queues.some((q) => q.bank === b)) throw new ClearingInputError(`${mpc.self} hosts bank ${b} but has no queue for it`);
  const timings: Record<string, number> = {};
  let mark = t0;
  const lap = (phase: string) => {
    const now = performance.now();
    timings[phase] = (now - mark) / 1000;
    mark = now;
  };
  lap('encode');

  // ---- input: one tensor per host, its banks in bank order; one round in all.
  const perBank = 1 + 2 * L + 3 * L * B;
  const hostList = [...new Set(hosts)];
  const hostBanks = hostList.map((h) => banks.filter((_, i) => hosts[i] === h));
  const items = hostList.map((h, k) => ({
    owner: h,
    values: h === mpc.self ? concatU64(hostBanks[k]!.map((b) => encoded.get(b)!.flat)) : undefined,
    shape: [hostBanks[k]!.length * perBank],
    dtype: 'int' as const,
  }));
  const inputs = await mpc.inputMany(items);
  const blocks = new Map<string, SecretTensor>();
  hostList.forEach((_, k) => {
    const pieces = mpc.split(inputs[k]!, hostBanks[k]!.map(() => [perBank]));
    hostBanks[k]!.forEach((b, j) => blocks.set(b, pieces[j]!));
  });
  const fields = banks.map((b) => mpc.split(blocks.get(b)!, [[1], [L], [L], [L * B], [L * 2 * B]]));
  const pick = (f: number, shape: number[]) => new SecretTensor(shape, 'int', concatParts(...fields.map((x) => x[f]!.parts)));
  const bal = pick(0, [B]);
  const S = pick(1, [P]);
  const amt = pick(2, [P]);
  const wAmt = pick(3, [P, B]);
  const wId = pick(4, [P, 2 * B]);

  lap('input');
  const rowBank = Int32Array.from({ length: P }, (_, i) => Math.floor(i / L));
  const toRows = (perBankValues: SecretTensor) => mpc.rows(perBankValues, rowBank);
  const zeroB = mpc.constant(new Array(B).fill(0), [B], 'int');

  // ---- iterations: upper from "all", lower from "none".
  let upper: SecretTensor | undefined; // undefined = all ones
  let lower: SecretTensor | undefined; // undefined = all zeros
  for (let t = 1; t <= T; t++) {
    let incU: SecretTensor;
    let incL: SecretTensor;
    if (!upper || !lower) {
      incU = mpc.sum(wAmt, 0);
      incL = zeroB;
    } else {
      const inc = await mpc.matmul(mpc.concat([upper, lower]).reshape([2, P]), wAmt);
      [incU, incL] = mpc.split(inc, [[B], [B]]) as [SecretTensor, SecretTensor];
    }
    const slack = mpc.concat([mpc.sub(toRows(mpc.add(bal, incU)), S), mpc.sub(toRows(mpc.add(bal, incL)), S)]);
    const keep = mpc.not(await mpc.ltz(slack));
    [upper, lower] = mpc.split(keep, [[P], [P]]) as [SecretTensor, SecretTensor];
  }

  lap('iterate');
  // ---- choose: the upper set if it is feasible (then it is the rule's result), else the lower.
  const outU = mpc.sum((await mpc.mulRing(upper!, amt)).reshape([B, L]), 1);
  const incU = (await mpc.matmul(upper!.reshape([1, P]), wAmt)).reshape([B]);
  const posU = mpc.sub(mpc.add(bal, incU), outU);
  const failing = mpc.sum(await mpc.ltz(posU));
  const feasible = await mpc.ltz(mpc.addPublic(failing, -1)); // failing = 0 ⇔ failing − 1 < 0
  const settled = await mpc.select(mpc.rows(feasible, new Int32Array(P)), upper!, lower!);

  lap('choose');
  // ---- routing: settled·W in one product; positions follow locally from its amount part
  // (column sums are incoming, each bank block's total is outgoing: a row has one amount).
  // Each slot's 0/1 repeated across k columns: an outer product with ones, in the wasm kernel.
  const wide = (k: number) => settled.parts.map((p) => R.matmul(new BigUint64Array(P * k), p, new BigUint64Array(k).fill(1n), P, 1, k));
  const routed = await mpc.mulRing(
    new SecretTensor([3 * P * B], 'int', concatParts(wide(B), wide(2 * B))),
    mpc.concat([wAmt.reshape([P * B]), wId.reshape([2 * P * B])]),
  );
  const [routedAmt, routedId] = mpc.split(routed, [[P, B], [P, 2 * B]]) as [SecretTensor, SecretTensor];
  // Every settled flow from bank a to bank b (the a-block's column b of settled·W) must lie
  // in [0, 2^60): then no bank is credited by a negative or wrapped amount, so a bank that
  // inputs a malformed row can move only its own money (and the contract caps that by its
  // lock). Only the number of violations is opened; on any, nothing else is.
  const ones = new BigUint64Array(L).fill(1n);
  const flows = new SecretTensor([B * B], 'int', routedAmt.parts.map((part) => {
    const f = new BigUint64Array(B * B);
    for (let a = 0; a < B; a++) f.set(R.matmul(new BigUint64Array(B), ones, part.subarray(a * L * B, (a + 1) * L * B), 1, L, B), a * B);
    return f;
  }));
  const outOfRange = await mpc.ltz(mpc.concat([flows, new SecretTensor([B * B], 'int', mpc.protocol.addPublicA(mpc.neg(flows).parts, MAX_FLOW_CENTS, B * B))]));
  const violations = await mpc.revealRing(mpc.sum(outOfRange));
  if (violations![0] !== 0n) {
    throw new ClearingInputError('a bank\'s input is malformed: a settled flow between two banks is out of range', {
      details: 'nothing was revealed and nothing can be settled',
      hint: 'Every bank must encode its queue with encodeBank; the cycle expires and returns every lock.',
    });
  }
  lap('route');
  const inc = mpc.sum(routedAmt, 0);
  const out = mpc.sum(mpc.sum(routedAmt, 1).reshape([B, L]), 1);
  const net = mpc.sub(inc, out);
  const settledValue = mpc.sum(out);
  const negNet = await mpc.mulRing(await mpc.ltz(net), net); // min(net, 0)
  const aggregates = mpc.concat([settledValue, mpc.neg(mpc.sum(negNet))]);

  lap('positions');
  // Per host: its banks' nets, their own slots' 0/1, and per slot of the cycle the amount
  // and id words of settled·W in their column (zero unless the payment is theirs and settles).
  const all = mpc.concat([net, settled, routedAmt.reshape([P * B]), routedId.reshape([2 * P * B])]);
  const offSettled = B, offAmt = B + P, offId = B + P + P * B;
  const hostIdx = hostBanks.map((hb) => {
    const idx = new Int32Array(hb.length * (1 + L + 3 * P));
    let o = 0;
    for (const b of hb) {
      const bi = banks.indexOf(b);
      idx[o++] = bi;
      for (let s = 0; s < L; s++) idx[o++] = offSettled + bi * L + s;
      for (let i = 0; i < P; i++) {
        idx[o++] = offAmt + i * B + bi;
        idx[o++] = offId + i * 2 * B + bi;
        idx[o++] = offId + i * 2 * B + B + bi;
      }
    }
    return idx;
  });
  const rounds0 = mpc.comm.rounds;
  const [opened, netsOpened, aggOpened] = await Promise.all([
    Promise.all(hostList.map((h, k) => mpc.revealRing(new SecretTensor([hostIdx[k]!.length], 'int', gatherParts(all.parts, hostIdx[k]!)), h))),
    mpc.revealRing(net, spec.settlementTo),
    spec.revealAggregates ? mpc.revealRing(aggregates) : Promise.resolve(undefined),
  ]);
  if (mpc.comm.rounds > rounds0) mpc.comm.rounds = rounds0 + 1;

  lap('reveal');
  const result: ClearingMpcResult = { banks: [], timings };
  const k = hostList.indexOf(mpc.self);
  if (k >= 0) {
    const got = opened[k]!;
    let off = 0;
    for (const b of hostBanks[k]!) {
      const q = queues.find((x) => x.bank === b)!;
      const enc = encoded.get(b)!;
      const netB = signed(got[off++]!);
      const settledFlags = new Uint8Array(q.payments.length);
      for (let s = 0; s < L; s++) {
        const bit = got[off++]!;
        const pi = enc.slotPayment[s]!;
        if (pi >= 0) settledFlags[pi] = bit === 1n ? 1 : 0;
      }
      const incoming: IncomingSettled[] = [];
      for (let i = 0; i < P; i++) {
        const a = got[off]!, w0 = got[off + 1]!, w1 = got[off + 2]!;
        off += 3;
        if (a !== 0n) incoming.push({ id: decodeId(w0, w1), from: banks[rowBank[i]!]!, amount: Number(a) });
      }
      const order = new Map(banks.map((x, i) => [x, i]));
      incoming.sort((x, y) => order.get(x.from)! - order.get(y.from)! || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      result.banks.push({ bank: b, net: netB, settled: q.payments.filter((_, i) => settledFlags[i]).map((p) => p.id), incoming });
    }
  }
  if (netsOpened) result.nets = Array.from(netsOpened, signed);
  if (aggOpened) {
    result.settledValue = aggOpened[0]!;
    result.netLiquidity = aggOpened[1]!;
    result.liquiditySaved = aggOpened[0]! - aggOpened[1]!;
  }
  return result;
}

function concatU64(xs: BigUint64Array[]): BigUint64Array {
  const out = new BigUint64Array(xs.reduce((s, x) => s + x.length, 0));
  let off = 0;
  for (const x of xs) {
    out.set(x, off);
    off += x.length;
  }
  return out;
}

