/**
 * Opening an MPC session: checks the configuration against the network, then lets the chosen
 * protocol family set itself up (rep3 keys its PRFs; semi2k connects its preprocessing
 * source). Kept apart from the `Mpc` class, whose operations are the same for every family:
 * this is the one place that knows which families exist and who runs programs (every
 * party but a semi2k dealer).
 */
import type { Network } from '../net/types.js';
import { Comm } from './comm.js';
import { DEFAULT_FRAC_BITS } from './fixed-point.js';
import type { Protocol, ProtocolName } from './protocol.js';
import { Rep3Protocol } from './rep3/protocol.js';
import { defaultSemi2kPreprocessing, serveDealer, type PreprocessingConfig } from './semi2k/preprocessing.js';
import { Semi2kProtocol } from './semi2k/protocol.js';
import { MpcUsageError } from './usage-error.js';

export interface MpcConfig {
  protocol: ProtocolName;
  /** Compute parties in protocol order (3 for rep3, N ≥ 2 for semi2k). */
  computeParties: readonly string[];
  /** Fractional bits of fixed-point values (default 18). */
  fracBits?: number;
  /** semi2k only: where Beaver triples and other correlations come from (default: ot, dealer-free). */
  preprocessing?: PreprocessingConfig;
}

/** What an open session consists of at one member. */
export interface MpcSession {
  protocol: Protocol;
  comm: Comm;
  fracBits: number;
  /** Session members that run programs (every party but a dealer). */
  members: readonly string[];
}

/** Opens an MPC session over an established network (run by every member but a dealer). */
export async function openSession(net: Network, config: MpcConfig): Promise<MpcSession> {
  const fracBits = config.fracBits ?? DEFAULT_FRAC_BITS;
  if (!Number.isInteger(fracBits) || fracBits < 1 || fracBits > 30) {
    throw new RangeError(`fracBits must be an integer in [1, 30], got ${fracBits}`);
  }
  for (const p of config.computeParties) {
    if (!net.parties.includes(p)) throw new MpcUsageError(`compute party ${p} is not in the session`);
  }
  const comm = new Comm(net);
  let protocol: Protocol;
  if (config.protocol === 'rep3') protocol = await Rep3Protocol.create(comm, config.computeParties);
  else if (config.protocol === 'semi2k') {
    protocol = await Semi2kProtocol.create(comm, config.computeParties, config.preprocessing ?? defaultSemi2kPreprocessing());
  } else throw new MpcUsageError(`unknown protocol ${String(config.protocol)}`, { hint: 'Use rep3 or semi2k.' });
  const dealer = config.protocol === 'semi2k' && config.preprocessing?.kind === 'ttp' ? config.preprocessing.dealer : undefined;
  if (dealer && config.computeParties.includes(dealer)) throw new MpcUsageError('the dealer cannot be a compute party');
  return { protocol, comm, fracBits, members: net.parties.filter((p) => p !== dealer) };
}

/** The dealer process's whole life in a semi2k session with a `ttp` source. */
export async function serveSessionDealer(net: Network, computeParties: readonly string[]): Promise<number> {
  return serveDealer(new Comm(net), computeParties);
}
