/**
 * What a PSI is asked to do and what it reports — the same for every protocol (ECDH
 * `run-psi.ts`, OPRF `oprf/run-oprf-psi.ts`), so `select.ts` can choose between them.
 */

export interface PsiOptions {
  /** Every PSI party, in the same order at every party (a subset of the session's parties). */
  parties: readonly string[];
  /** The parties that learn the result; receivers[0] computes it. At least one. */
  receivers: readonly string[];
  /** This party's set (duplicates are dropped; see `ids.ts` for what an id may be). */
  ids: readonly string[];
  /** Receivers learn only the size of the intersection. */
  cardinalityOnly?: boolean;
  /** Ids per message (default 2^14). Each party chooses for its own set. */
  batchSize?: number;
  /** Called after every batch with this party's scalar multiplications done and due. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PsiStats {
  seconds: number;
  /** Payload bytes this party sent. */
  bytesSent: number;
  messages: number;
  /** Communication rounds on the critical path (batches pipelined within a round). */
  rounds: number;
  /** X25519 scalar multiplications this party did, and the seconds they took (all in `seconds`). */
  scalarMults: number;
  scalarMultSeconds: number;
  /** Seconds spent hashing this party's ids to the curve, and waiting for peers' messages. */
  hashSeconds: number;
  waitSeconds: number;
  /** Distinct ids of this party (after dropping duplicates). */
  setSize: number;
  duplicates: number;
}

export interface PsiResult {
  /** At receivers, unless cardinality-only: the common ids, sorted by UTF-8 bytes. */
  intersection?: string[];
  /** At receivers: the number of common ids. */
  size?: number;
  stats: PsiStats;
}
