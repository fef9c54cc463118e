/**
 * The MPC engine's public face: tensor operations on secret shares, the same for every
 * protocol family. Programs (`src/algorithms`) are written against this class only.
 *
 * Every session member runs the same program (SPMD): compute parties compute, data
 * providers feed inputs, receivers get outputs, and a member simply skips what is not its
 * part. Each operation is vectorised — one call on a tensor of any size costs a constant
 * number of rounds — and is metered: rounds, bytes this party sent and wall time are
 * recorded per top-level operation (`stats`, `log`), nested calls included in their caller.
 *
 * The class is the operations' dispatch; its parts live beside it: opening a session
 * (`session.ts`), the meter (`op-meter.ts`), operand checks (`operands.ts`) and the local
 * layout maps (`layout.ts`).
 */
import type { Network } from '../net/types.js';
import type { Comm } from './comm.js';
import { decodeFixed, decodeInt, encodeFixed, encodeInt, fixedScalar } from './fixed-point.js';
import * as layout from './layout.js';
import { OpMeter, type OpRecord, type OpTotals } from './op-meter.js';
import { assertSameShape, commonDtype, productDtype } from './operands.js';
import { addParts, mulPublicParts, negParts, subParts } from './parts.js';
import type { Parts, Protocol } from './protocol.js';
import { openSession, serveSessionDealer, type MpcConfig } from './session.js';
import { SecretTensor, sizeOf, type DType, type Shape } from './tensor.js';
import { MpcUsageError } from './usage-error.js';
import { sigmoid, type SigmoidOptions } from './functions/sigmoid.js';
import { exp } from './functions/exp.js';
import { divide, reciprocal, rsqrt } from './functions/reciprocal.js';

export type { MpcConfig } from './session.js';
export type { OpRecord, OpTotals } from './op-meter.js';
export { MpcUsageError } from './usage-error.js';

export class Mpc {
  readonly protocol: Protocol;
  readonly comm: Comm;
  readonly fracBits: number;
  readonly #meter: OpMeter;

  /** Session members that run programs (every party but a dealer). */
  readonly members: readonly string[];

  private constructor(protocol: Protocol, comm: Comm, fracBits: number, members: readonly string[]) {
    this.protocol = protocol;
    this.comm = comm;
    this.fracBits = fracBits;
    this.members = members;
    this.#meter = new OpMeter(comm);
  }

  /** Opens an MPC session over an established network (run by every member but a dealer). */
  static async create(net: Network, config: MpcConfig): Promise<Mpc> {
    const { protocol, comm, fracBits, members } = await openSession(net, config);
    return new Mpc(protocol, comm, fracBits, members);
  }

  /** The dealer process's whole life in a semi2k session with a `ttp` source. */
  static async serveDealer(net: Network, computeParties: readonly string[]): Promise<number> {
    return serveSessionDealer(net, computeParties);
  }

  get self(): string {
    return this.comm.self;
  }
  get isCompute(): boolean {
    return this.protocol.index >= 0;
  }

  /** Ends the session's protocol (releases the dealer). The network is the caller's to close. */
  async finish(): Promise<void> {
    await this.protocol.finish();
  }

  /** Completed top-level operations, oldest first (bounded to the last 10,000). */
  get log(): OpRecord[] {
    return this.#meter.log;
  }

  /** Runs `fn` as a metered operation. */
  measure<T>(op: string, n: number, fn: () => Promise<T>): Promise<T> {
    return this.#meter.measure(op, n, fn);
  }

  /** Totals per operation name. */
  stats(): Map<string, OpTotals> {
    return this.#meter.stats();
  }

  // ---------------------------------------------------------------- input and output

  /**
   * Secret-shares a tensor held by `owner` (any member). Only the owner passes `values`;
   * every member passes the same public `shape` and `dtype`.
   */
  async input(
    owner: string,
    values: ArrayLike<number> | BigUint64Array | undefined,
    shape: Shape,
    dtype: DType = 'fxp',
  ): Promise<SecretTensor> {
    const n = sizeOf(shape);
    if (!this.members.includes(owner)) throw new MpcUsageError(`input owner ${owner} is not in the session`);
    let ring: BigUint64Array | undefined;
    if (owner === this.self) {
      if (!values) throw new MpcUsageError(`party ${owner} must pass the values it inputs`);
      if (values.length !== n) {
        throw new MpcUsageError(`input has ${values.length} values but shape [${shape.join(', ')}] needs ${n}`);
      }
      ring = values instanceof BigUint64Array ? values : dtype === 'fxp' ? encodeFixed(values, this.fracBits, 'input') : encodeInt(values, 'input');
    }
    return this.measure('input', n, async () => new SecretTensor(shape, dtype, await this.protocol.inputA(owner, ring, n)));
  }

  /**
   * Several inputs, from any owners, in one round: every owner's messages go out before
   * anyone waits (per-peer order is the call order, so this is safe over FIFO channels).
   */
  async inputMany(
    items: { owner: string; values?: ArrayLike<number> | BigUint64Array; shape: Shape; dtype?: DType }[],
  ): Promise<SecretTensor[]> {
    const total = items.reduce((s, it) => s + sizeOf(it.shape), 0);
    return this.measure('input', total, async () => {
      const rounds0 = this.comm.rounds;
      const out = await Promise.all(items.map((it) => this.input(it.owner, it.owner === this.self ? it.values : undefined, it.shape, it.dtype)));
      if (this.comm.rounds > rounds0) this.comm.rounds = rounds0 + 1;
      return out;
    });
  }

  /** A public tensor as a (trivial) sharing. */
  constant(values: ArrayLike<number>, shape: Shape, dtype: DType = 'fxp'): SecretTensor {
    const ring = dtype === 'fxp' ? encodeFixed(values, this.fracBits, 'constant') : encodeInt(values, 'constant');
    if (ring.length !== sizeOf(shape)) throw new MpcUsageError('constant: values do not fill the shape');
    return new SecretTensor(shape, dtype, this.protocol.fromPublic(ring));
  }

  /**
   * Reveals `x` to `to` (one member, several, or every member by default); returns the
   * decoded values there and undefined elsewhere.
   */
  async reveal(x: SecretTensor, to?: string | readonly string[]): Promise<Float64Array | undefined> {
    const ring = await this.revealRing(x, to);
    if (!ring) return undefined;
    return x.dtype === 'fxp' ? decodeFixed(ring, this.fracBits) : Float64Array.from(decodeInt(ring), Number);
  }

  /** Reveals the raw ring elements (two's complement) of `x`. */
  async revealRing(x: SecretTensor, to?: string | readonly string[]): Promise<BigUint64Array | undefined> {
    const targets = to === undefined ? this.members : typeof to === 'string' ? [to] : to;
    for (const t of targets) if (!this.members.includes(t)) throw new MpcUsageError(`reveal target ${t} is not in the session`);
    return this.measure('reveal', x.size, () => this.protocol.openA(x.parts, x.size, targets));
  }

  // ---------------------------------------------------------------- linear, local

  add(x: SecretTensor, y: SecretTensor): SecretTensor {
    assertSameShape(x, y, 'add');
    return new SecretTensor(x.shape, commonDtype(x, y, 'add'), addParts(x.parts, y.parts));
  }
  sub(x: SecretTensor, y: SecretTensor): SecretTensor {
    assertSameShape(x, y, 'sub');
    return new SecretTensor(x.shape, commonDtype(x, y, 'sub'), subParts(x.parts, y.parts));
  }
  neg(x: SecretTensor): SecretTensor {
    return new SecretTensor(x.shape, x.dtype, negParts(x.parts));
  }

  /** Encodes a public scalar or per-element values in x's dtype. */
  #encodePublic(x: SecretTensor, c: number | ArrayLike<number>): bigint | BigUint64Array {
    if (typeof c === 'number') return x.dtype === 'fxp' ? fixedScalar(c, this.fracBits) : BigInt.asUintN(64, BigInt(c));
    if (c.length !== x.size) throw new MpcUsageError(`public operand has ${c.length} values, tensor has ${x.size}`);
    return x.dtype === 'fxp' ? encodeFixed(c, this.fracBits, 'public operand') : encodeInt(c, 'public operand');
  }

  /** x + c for a public scalar or tensor c (in x's dtype). */
  addPublic(x: SecretTensor, c: number | ArrayLike<number>): SecretTensor {
    return new SecretTensor(x.shape, x.dtype, this.protocol.addPublicA(x.parts, this.#encodePublic(x, c), x.size));
  }

  /** x · k for a public integer k (no truncation). */
  mulInt(x: SecretTensor, k: number | bigint): SecretTensor {
    if (typeof k === 'number' && !Number.isSafeInteger(k)) throw new MpcUsageError('mulInt takes an integer');
    return new SecretTensor(x.shape, x.dtype, mulPublicParts(x.parts, BigInt.asUintN(64, BigInt(k))));
  }

  /** x · c for public reals c (scalar or per element); one truncation for fxp tensors. */
  async mulPublic(x: SecretTensor, c: number | ArrayLike<number>): Promise<SecretTensor> {
    return this.measure('mulPublic', x.size, async () => {
      const f = this.fracBits;
      // A small scalar (a learning rate over a batch size, say) would lose most of its
      // digits at f bits; encode it with extra bits (~20 significant) and truncate them too.
      // The product must stay below 2^62: |x| < 2^(42 − f) for such a scalar.
      let extra = 0;
      if (typeof c === 'number' && c !== 0 && x.dtype === 'fxp') {
        extra = Math.max(0, Math.min(40 - f, 20 - Math.ceil(Math.log2(Math.abs(c))) - f));
      }
      const enc = typeof c === 'number' ? fixedScalar(c, f + extra) : encodeFixed(c, f, 'public factor');
      if (typeof enc !== 'bigint' && enc.length !== x.size) throw new MpcUsageError('mulPublic: size mismatch');
      const prod = mulPublicParts(x.parts, enc);
      // An int tensor times a real becomes fxp without truncation; fxp · fxp needs one.
      if (x.dtype === 'int') return new SecretTensor(x.shape, 'fxp', prod);
      return new SecretTensor(x.shape, 'fxp', await this.protocol.truncA(prod, x.size, f + extra));
    });
  }

  /** An int tensor as fxp (exact: shifts left by the fractional bits). */
  toFxp(x: SecretTensor): SecretTensor {
    if (x.dtype === 'fxp') return x;
    return new SecretTensor(x.shape, 'fxp', mulPublicParts(x.parts, 1n << BigInt(this.fracBits)));
  }

  /** Sum of all elements, or along an axis of a 2-D tensor. Local. */
  sum(x: SecretTensor, axis?: 0 | 1): SecretTensor {
    return layout.sum(x, axis);
  }
  /** Transpose of a 2-D tensor. Local. */
  transpose(x: SecretTensor): SecretTensor {
    return layout.transpose(x);
  }
  /** Rows `idx` of a tensor whose first axis is rows (a contiguous range is a view). Local. */
  rows(x: SecretTensor, idx: ArrayLike<number>): SecretTensor {
    return layout.rows(x, idx);
  }
  /** Concatenates 2-D tensors along columns (same rows). Local. */
  hconcat(xs: SecretTensor[]): SecretTensor {
    return layout.hconcat(xs);
  }
  /** Flat concatenation (e.g. to batch several tensors into one round). Local. */
  concat(xs: SecretTensor[]): SecretTensor {
    return layout.concat(xs);
  }
  /** Splits a flat tensor into pieces shaped like `shapes`. Local. */
  split(x: SecretTensor, shapes: Shape[]): SecretTensor[] {
    return layout.split(x, shapes);
  }

  // ---------------------------------------------------------------- products

  /** Elementwise product (fixed-point products are truncated back to fracBits). */
  async mul(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'mul');
    return this.measure('mul', x.size, async () => {
      const { dtype, trunc } = productDtype(x, y);
      const z = trunc ? await this.protocol.mulTruncA(x.parts, y.parts, x.size, this.fracBits) : await this.protocol.mulAA(x.parts, y.parts, x.size);
      return new SecretTensor(x.shape, dtype, z);
    });
  }

  /** Elementwise ring product without truncation (the raw protocol multiplication). */
  async mulRing(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'mulRing');
    return this.measure('mulRing', x.size, async () => new SecretTensor(x.shape, 'int', await this.protocol.mulAA(x.parts, y.parts, x.size)));
  }

  /** Matrix product of 2-D tensors (a 1-D right operand is a column). */
  async matmul(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    const [m, k] = x.shape.length === 2 ? (x.shape as [number, number]) : [1, x.shape[0]!];
    const [k2, n] = y.shape.length === 2 ? (y.shape as [number, number]) : [y.shape[0]!, 1];
    if (k !== k2) throw new MpcUsageError(`matmul: inner dimensions ${k} and ${k2} differ`);
    return this.measure('matmul', m * k * n, async () => {
      const { dtype, trunc } = productDtype(x, y);
      const z = trunc ? await this.protocol.matmulTruncA(x.parts, y.parts, m, k, n, this.fracBits) : await this.protocol.matmulAA(x.parts, y.parts, m, k, n);
      const shape = y.shape.length === 2 ? [m, n] : [m];
      return new SecretTensor(shape, dtype, z);
    });
  }

  /** Truncation by `bits` (division by 2^bits, rounding down, ±1 ulp). */
  async trunc(x: SecretTensor, bits: number): Promise<SecretTensor> {
    return this.measure('trunc', x.size, async () => new SecretTensor(x.shape, x.dtype, await this.protocol.truncA(x.parts, x.size, bits)));
  }

  // ---------------------------------------------------------------- comparisons

  /** 1 where x < 0, else 0 (int). */
  async ltz(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('ltz', x.size, async () => new SecretTensor(x.shape, 'int', await this.protocol.msbA(x.parts, x.size)));
  }

  /** 1 where x < y (int). Exact for |x − y| < 2^63 in the ring. */
  async lt(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'lt');
    commonDtype(x, y, 'lt');
    return this.measure('lt', x.size, () => this.ltz(this.sub(x, y)));
  }
  async gt(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    return this.measure('gt', x.size, () => this.lt(y, x));
  }
  async le(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    return this.measure('le', x.size, async () => this.not(await this.lt(y, x)));
  }
  async ge(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    return this.measure('ge', x.size, async () => this.not(await this.lt(x, y)));
  }
  /** 1 where x == y (int): neither x − y nor y − x is negative; one batched sign test. */
  async eq(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'eq');
    commonDtype(x, y, 'eq');
    return this.measure('eq', x.size, async () => {
      const d = this.sub(x, y);
      const signs = await this.ltz(this.concat([d, this.neg(d)]));
      const [a, b] = this.split(signs, [x.shape, x.shape]);
      return this.not(this.add(a!, b!));
    });
  }
  /** 1 − b for an int 0/1 tensor. Local. */
  not(b: SecretTensor): SecretTensor {
    return this.addPublic(this.neg(b), 1);
  }

  /** Where c (int 0/1) is 1, x; else y. One product. */
  async select(c: SecretTensor, x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'select');
    assertSameShape(c, x, 'select');
    if (c.dtype !== 'int') throw new MpcUsageError('select: the condition must be an int 0/1 tensor (a comparison result)');
    const dtype = commonDtype(x, y, 'select');
    return this.measure('select', x.size, async () => {
      const d = await this.protocol.mulAA(c.parts, subParts(x.parts, y.parts), x.size);
      return new SecretTensor(x.shape, dtype, addParts(y.parts, d));
    });
  }

  async relu(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('relu', x.size, async () => {
      const pos = this.not(await this.ltz(x));
      return new SecretTensor(x.shape, x.dtype, await this.protocol.mulAA(pos.parts, x.parts, x.size));
    });
  }

  async abs(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('abs', x.size, async () => {
      const s = await this.ltz(x);
      // x · (1 − 2s)
      const f = this.addPublic(this.mulInt(s, -2), 1);
      return new SecretTensor(x.shape, x.dtype, await this.protocol.mulAA(f.parts, x.parts, x.size));
    });
  }

  /** Bit decomposition (boolean shares of the 64-bit words). */
  async a2b(x: SecretTensor): Promise<Parts> {
    return this.measure('a2b', x.size, () => this.protocol.a2b(x.parts, x.size));
  }

  // ---------------------------------------------------------------- non-linear functions

  sigmoid(x: SecretTensor, options?: SigmoidOptions): Promise<SecretTensor> {
    return this.measure('sigmoid', x.size, () => sigmoid(this, x, options));
  }
  exp(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('exp', x.size, () => exp(this, x));
  }
  reciprocal(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('reciprocal', x.size, () => reciprocal(this, x));
  }
  async div(x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
    assertSameShape(x, y, 'div');
    return this.measure('div', x.size, () => divide(this, x, y));
  }
  rsqrt(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('rsqrt', x.size, () => rsqrt(this, x));
  }
  async sqrt(x: SecretTensor): Promise<SecretTensor> {
    return this.measure('sqrt', x.size, async () => this.mul(this.toFxp(x), await this.rsqrt(x)));
  }
}
