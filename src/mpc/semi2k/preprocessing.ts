/**
 * Where semi2k's correlated randomness comes from. The interface is what a protocol asks
 * for (`get`), so that an OT-based (e.g. Keller, Orsini, Scholl 2016) or HE-based source can
 * replace the dealer later without touching the protocol.
 *
 * Three sources. The default, `ot`, needs no one else: the compute parties make every
 * correlation between themselves from OT extension (ot-preprocessing.ts; Keller, Orsini,
 * Scholl 2016 and SPDZ2k's semi-honest core). Two dealer-based ones, after SPU's semi2k
 * beaver providers, remain for comparison and for deployments that have a dealer:
 * - `ttp` (trusted third party): a separate dealer process in the session, which knows every
 *   correlation but no input, output or share of the computation. Security holds as long as
 *   the dealer does not collude with a compute party.
 * - `tfp` (trusted first party): compute party 0 acts as the dealer itself. No extra
 *   process and no dealer traffic, but party 0 then knows every mask: it is for tests and
 *   for deployments where party 0 is trusted, and the engine says so in its docs.
 */
import { randomBytes } from 'node:crypto';
import { Prg, SEED_BYTES } from '../../crypto/prg.js';
import { TacitError } from '../../errors.js';
import type { Comm } from '../comm.js';
import {
  applyCorrections,
  correctionLength,
  dealerCorrections,
  decodeRequest,
  drawShares,
  encodeRequest,
  type CorrelationRequest,
} from './correlations.js';
import { createOtPreprocessing } from './ot-preprocessing.js';

export interface Preprocessing {
  /** This party's arrays for `req`, in the order of its specification. */
  get(req: CorrelationRequest): Promise<BigUint64Array[]>;
  /** Releases the source (tells a dealer process it may stop). */
  close(): Promise<void>;
}

export type PreprocessingConfig = { kind: 'ot' } | { kind: 'ttp'; dealer: string } | { kind: 'tfp' };

/**
 * The preprocessing semi2k uses unless told otherwise (the node daemon and `tacit run` call
 * this): OT-based, dealer-free, no party trusted.
 */
export function defaultSemi2kPreprocessing(): PreprocessingConfig {
  return { kind: 'ot' };
}

/** Sets up the source at a compute party (index `index` of `parties`). */
export async function createPreprocessing(
  comm: Comm,
  parties: readonly string[],
  index: number,
  config: PreprocessingConfig,
): Promise<Preprocessing> {
  if (config.kind === 'ot') return createOtPreprocessing(comm, parties, index);
  if (config.kind === 'tfp') {
    if (index === 0) {
      const seeds = parties.map(() => randomBytes(SEED_BYTES));
      for (let i = 1; i < parties.length; i++) comm.send(parties[i]!, 'pp.seed', seeds[i]!);
      return new FirstPartyDealer(
        new Prg(seeds[0]!),
        seeds.map((s) => new Prg(s)),
      );
    }
    const seed = await comm.recvBytes(parties[0]!, 'pp.seed', SEED_BYTES);
    return new SeededParty(new Prg(seed));
  }
  const seed = await comm.recvBytes(config.dealer, 'pp.seed', SEED_BYTES);
  return index === 0 ? new DealerClient(comm, config.dealer, new Prg(seed)) : new SeededParty(new Prg(seed));
}

/** Parties 1..N−1: everything comes from the seed; no messages. */
class SeededParty implements Preprocessing {
  constructor(private readonly stream: Prg) {}
  async get(req: CorrelationRequest): Promise<BigUint64Array[]> {
    return drawShares(req, this.stream);
  }
  async close(): Promise<void> {}
}

/** Party 0 with a dealer process: asks, and receives its corrections. */
class DealerClient implements Preprocessing {
  #closed = false;
  constructor(
    private readonly comm: Comm,
    private readonly dealer: string,
    private readonly stream: Prg,
  ) {}
  async get(req: CorrelationRequest): Promise<BigUint64Array[]> {
    this.comm.send(this.dealer, 'pp.req', encodeRequest(req));
    const own = drawShares(req, this.stream);
    const corr = await this.comm.recvRing(this.dealer, 'pp.resp', correctionLength(req));
    return applyCorrections(req, own, corr);
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.comm.send(this.dealer, 'pp.req', encodeRequest({ kind: 'done' }));
  }
}

/** Party 0 as its own dealer (tfp): holds every party's stream. */
class FirstPartyDealer implements Preprocessing {
  readonly #random = Prg.random();
  constructor(
    private readonly own: Prg,
    private readonly all: Prg[],
  ) {}
  async get(req: CorrelationRequest): Promise<BigUint64Array[]> {
    const corr = dealerCorrections(req, this.all, this.#random);
    return applyCorrections(req, drawShares(req, this.own), corr);
  }
  async close(): Promise<void> {}
}

export class DealerProtocolError extends TacitError {
  override name = 'DealerProtocolError';
}

/**
 * The dealer process's loop: deals seeds, then answers party 0's requests until it says
 * `done`. Returns the number of requests served. Errors from the network propagate (the
 * session is then aborted by the caller).
 */
export async function serveDealer(comm: Comm, parties: readonly string[]): Promise<number> {
  const seeds = parties.map(() => randomBytes(SEED_BYTES));
  parties.forEach((p, i) => comm.send(p, 'pp.seed', seeds[i]!));
  const streams = seeds.map((s) => new Prg(s));
  seeds.forEach((s) => s.fill(0));
  const random = Prg.random();
  let served = 0;
  for (;;) {
    const bytes = await comm.recvBytes(parties[0]!, 'pp.req', 16);
    let req: CorrelationRequest | { kind: 'done' };
    try {
      req = decodeRequest(bytes);
    } catch (err) {
      throw new DealerProtocolError('The dealer received a malformed preprocessing request', {
        details: `from ${parties[0]}: ${(err as Error).message}`,
        hint: 'Check that every party runs the same Tacit version.',
        cause: err,
      });
    }
    if (req.kind === 'done') return served;
    comm.send(parties[0]!, 'pp.resp', dealerCorrections(req, streams, random));
    served++;
  }
}
