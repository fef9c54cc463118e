/**
 * Base oblivious transfers: the "simplest OT" of Chou and Orlandi (LATINCRYPT 2015) over
 * the ristretto255 group (RFC 9496, from @noble/curves), in its batched form: the sender
 * publishes one A = a·G for the whole batch; for OT i the receiver sends B_i = b_i·G + c_i·A
 * and keeps H(i, b_i·A); the sender derives k0_i = H(i, a·B_i) and k1_i = H(i, a·B_i − a·A).
 * Under CDH in the random-oracle model a semi-honest sender learns nothing of c_i and the
 * receiver nothing of k_{1−c_i}. Ristretto gives a prime-order group, so no cofactor
 * checks are needed; received points are decoded (and thereby validated) before use.
 *
 * These few hundred public-key OTs only seed OT extension (src/ot/iknp.ts), so their cost
 * (two scalar multiplications per OT) is paid once per pair of parties and session.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { createHash, randomBytes } from 'node:crypto';
import type { OtChannel } from './channel.js';
import { OtProtocolError } from './errors.js';

const Point = ristretto255.Point;
type RPoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;
export const POINT_BYTES = 32;
export const KEY_BYTES = 16;

function randomScalar(): bigint {
  // 64 bytes reduced mod ℓ: bias below 2^-250.
  const b = randomBytes(64);
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return (x % (ORDER - 1n)) + 1n;
}

function keyOf(index: number, A: Uint8Array, B: Uint8Array, P: RPoint): Uint8Array {
  const h = createHash('sha256');
  const idx = Buffer.alloc(4);
  idx.writeUInt32LE(index);
  return h.update('tacit/ot/base/v1').update(idx).update(A).update(B).update(P.toBytes()).digest().subarray(0, KEY_BYTES);
}

function decode(bytes: Uint8Array, what: string): RPoint {
  try {
    return Point.fromBytes(bytes);
  } catch (err) {
    throw new OtProtocolError(`The peer sent an invalid group element in the base OTs (${what})`, { cause: err });
  }
}

/** Sender's first message: A = a·G. */
export function baseSenderStart(): { a: bigint; A: Uint8Array } {
  const a = randomScalar();
  return { a, A: Point.BASE.multiply(a).toBytes() };
}

/** Receiver: from the sender's A and choice bits, the message (all B_i) and its keys. */
export function baseReceive(Abytes: Uint8Array, choices: readonly boolean[]): { message: Uint8Array; keys: Uint8Array[] } {
  const A = decode(Abytes, 'A');
  A.precompute(8); // one point, many multiples: a window table pays for itself
  const message = new Uint8Array(choices.length * POINT_BYTES);
  const keys: Uint8Array[] = [];
  choices.forEach((c, i) => {
    const b = randomScalar();
    let B = Point.BASE.multiply(b);
    if (c) B = B.add(A);
    const Bb = B.toBytes();
    message.set(Bb, i * POINT_BYTES);
    keys.push(keyOf(i, Abytes, Bb, A.multiply(b)));
  });
  return { message, keys };
}

/** Sender: both keys of every OT from the receiver's message. */
export function baseSenderFinish(a: bigint, Abytes: Uint8Array, message: Uint8Array, count: number): [Uint8Array, Uint8Array][] {
  if (message.length !== count * POINT_BYTES) throw new OtProtocolError(`base OT message has ${message.length} bytes, expected ${count * POINT_BYTES}`);
  const aA = decode(Abytes, 'A').multiply(a);
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < count; i++) {
    const Bb = message.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES);
    const aB = decode(Bb, `B_${i}`).multiply(a);
    out.push([keyOf(i, Abytes, Bb, aB), keyOf(i, Abytes, Bb, aB.subtract(aA))]);
  }
  return out;
}

/**
 * Both parties run `count` base OTs in each direction at once (each is the sender of one
 * batch and the receiver of the other), in two messages per direction.
 */
export async function baseOtBothWays(
  ch: OtChannel,
  count: number,
  choices: readonly boolean[],
): Promise<{ sent: [Uint8Array, Uint8Array][]; received: Uint8Array[] }> {
  if (choices.length !== count) throw new RangeError('baseOtBothWays: one choice per OT');
  const { a, A } = baseSenderStart();
  ch.send('ot.base.A', A);
  const peerA = await ch.recv('ot.base.A', POINT_BYTES);
  const { message, keys } = baseReceive(peerA, choices);
  ch.send('ot.base.B', message);
  const peerB = await ch.recv('ot.base.B', count * POINT_BYTES);
  return { sent: baseSenderFinish(a, A, peerB, count), received: keys };
}
