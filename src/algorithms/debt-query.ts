/**
 * `debt-query`: how much does this applicant owe across lenders, and to how many — without
 * the receiver learning which lender lent or how much each, and without any lender
 * learning another's book.
 *
 * 1. The receiver draws a fresh 32-byte key k and sends each lender (over the session's
 *    TLS channels) k and the tag HMAC-SHA256(k, id) (RFC 2104) — the applicant id itself
 *    never travels. A lender finds its row by tagging its own ids under k: a lender that
 *    holds the applicant recognises it (as a real credit inquiry is recorded at the
 *    lenders); one that does not learns only a tag under a key used once, which reveals
 *    the id only to a dictionary search over candidate ids.
 * 2. Each lender secret-shares its outstanding balance for that row (0 if none) as an
 *    integer number of cents. Under MPC: total = Σ balance, lenders = Σ [balance > 0] (one
 *    batched comparison, ~10 rounds). Only these two numbers are opened, to the receiver.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TacitError } from '../errors.js';
import type { Mpc } from '../mpc/engine.js';
import type { SecretTensor } from '../mpc/tensor.js';

export interface DebtQuerySpec {
  lenders: string[];
  receiver: string;
}

export interface DebtQueryLocal {
  /** At the receiver: the applicant's id. */
  applicantId?: string;
  /** At a lender: its book, id → outstanding balance in cents (non-negative integers). */
  book?: { ids: string[]; balances: ArrayLike<number> };
}

export class DebtQueryError extends TacitError {
  override name = 'DebtQueryError';
}

const KEY_BYTES = 32;
const TAG_BYTES = 32;

export const tagOf = (key: Uint8Array, id: string): Buffer => createHmac('sha256', key).update(id, 'utf8').digest();

export async function debtQueryMpc(mpc: Mpc, spec: DebtQuerySpec, local: DebtQueryLocal): Promise<{ total?: number; lenders?: number }> {
  const net = mpc.comm.net;
  if (mpc.self === spec.receiver) {
    if (typeof local.applicantId !== 'string' || local.applicantId === '') throw new DebtQueryError('debt-query needs an applicant id at the receiver');
    const key = randomBytes(KEY_BYTES);
    const msg = Buffer.concat([key, tagOf(key, local.applicantId)]);
    for (const l of spec.lenders) if (l !== mpc.self) await net.send(l, 'debt.query', msg);
    key.fill(0);
  }
  let balance: number | undefined;
  if (spec.lenders.includes(mpc.self)) {
    const book = local.book;
    if (!book) throw new DebtQueryError(`lender ${mpc.self} has no book to query`);
    let key: Uint8Array, tag: Uint8Array;
    if (mpc.self === spec.receiver) {
      key = randomBytes(KEY_BYTES);
      tag = tagOf(key, local.applicantId!);
    } else {
      const msg = await net.recv(spec.receiver, 'debt.query', KEY_BYTES + TAG_BYTES);
      key = msg.subarray(0, KEY_BYTES);
      tag = msg.subarray(KEY_BYTES);
    }
    balance = 0;
    for (let i = 0; i < book.ids.length; i++) {
      if (timingSafeEqual(tagOf(key, book.ids[i]!), tag)) {
        const b = book.balances[i]!;
        if (!Number.isSafeInteger(b) || b < 0) throw new DebtQueryError(`lender ${mpc.self}: balance on row ${i + 1} is not a non-negative whole number of cents`);
        balance += b;
      }
    }
  }
  const shares: SecretTensor[] = [];
  for (const l of spec.lenders) shares.push(await mpc.input(l, l === mpc.self ? [balance!] : undefined, [1], 'int'));
  const all = mpc.concat(shares);
  const positive = await mpc.ltz(mpc.neg(all)); // balance > 0 ⇔ −balance < 0
  const out = await mpc.reveal(mpc.concat([mpc.sum(all), mpc.sum(positive)]), spec.receiver);
  return out ? { total: out[0]!, lenders: out[1]! } : {};
}
