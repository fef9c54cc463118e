/**
 * Reads a contract's logs block range by block range, acting only on blocks with
 * `confirmations` blocks on top of them, and survives chain reorganisations.
 *
 * After each range it remembers the hash of the range's last block (a checkpoint; the last
 * 64 are kept in the node's key–value store, so a restart resumes where it left off). Before
 * reading further it checks the newest checkpoint against the chain: if that block's hash
 * changed (or the block is gone), the chain reorganised, so it walks back to the newest
 * checkpoint that still holds and reads again from there — events of the abandoned branch
 * are superseded by those of the new one, which the caller handles idempotently. Each range
 * is read between two reads of its last block's hash; if they differ the range is retried.
 * With `confirmations = 0` (the embedded chain) it acts on the head at once; a public chain
 * should use the depth beyond which it does not reorganise in practice.
 */
import type { Address, Log } from 'viem';
import type { TacitPublicClient } from '../../chain/clients.js';

export interface WatcherStore {
  getKv(key: string): string | undefined;
  setKv(key: string, value: string): void;
}

interface Checkpoint {
  n: string;
  h: string;
}

const KEEP = 64;
const MAX_RANGE = 2000n;

export class ChainWatcher {
  readonly #key: string;
  /** Reorganisations seen since start (for logs and tests). */
  reorgs = 0;

  constructor(
    private readonly pub: TacitPublicClient,
    private readonly address: Address,
    private readonly firstBlock: bigint,
    private readonly confirmations: number,
    private readonly store: WatcherStore,
    key = 'chain.cursor',
  ) {
    this.#key = key;
  }

  /** The newest block this watcher acts on (head − confirmations), or -1 if none yet. */
  async safeBlock(): Promise<bigint> {
    return (await this.pub.getBlockNumber({ cacheTime: 0 })) - BigInt(this.confirmations);
  }

  /**
   * Reads the logs of every newly confirmed block and hands them to `onLogs` in order;
   * returns whether a reorganisation was detected (and rewound) in this call.
   */
  async poll(onLogs: (logs: Log[]) => Promise<void>): Promise<{ reorg: boolean }> {
    const reorg = await this.#checkReorg();
    const safe = await this.safeBlock();
    let cursor = this.#cursor();
    while (cursor <= safe) {
      const to = safe - cursor > MAX_RANGE ? cursor + MAX_RANGE : safe;
      const before = await this.#hashOf(to);
      const logs = await this.pub.getLogs({ address: this.address, fromBlock: cursor, toBlock: to });
      const after = await this.#hashOf(to);
      if (!before || before !== after) return { reorg: true }; // moved under us: next poll re-checks
      if (logs.some((l) => l.removed)) return { reorg: true };
      await onLogs(logs);
      this.#save(to + 1n, [...this.#checkpoints(), { n: String(to), h: after }]);
      cursor = to + 1n;
    }
    return { reorg };
  }

  #cursor(): bigint {
    const raw = this.store.getKv(this.#key);
    return raw === undefined ? this.firstBlock : BigInt(raw);
  }

  #checkpoints(): Checkpoint[] {
    const raw = this.store.getKv(`${this.#key}.checkpoints`);
    return raw ? (JSON.parse(raw) as Checkpoint[]) : [];
  }

  #save(cursor: bigint, checkpoints: Checkpoint[]): void {
    this.store.setKv(`${this.#key}.checkpoints`, JSON.stringify(checkpoints.slice(-KEEP)));
    this.store.setKv(this.#key, String(cursor));
  }

  async #hashOf(n: bigint): Promise<string | undefined> {
    try {
      return (await this.pub.getBlock({ blockNumber: n })).hash ?? undefined;
    } catch {
      return undefined; // the block is gone (the chain is now shorter)
    }
  }

  /** Rewinds to the newest checkpoint that is still on the chain; true if it had to. */
  async #checkReorg(): Promise<boolean> {
    const cps = this.#checkpoints();
    if (cps.length === 0) return false;
    const last = cps[cps.length - 1]!;
    if ((await this.#hashOf(BigInt(last.n))) === last.h) return false;
    this.reorgs++;
    for (let i = cps.length - 2; i >= 0; i--) {
      const cp = cps[i]!;
      if ((await this.#hashOf(BigInt(cp.n))) === cp.h) {
        this.#save(BigInt(cp.n) + 1n, cps.slice(0, i + 1));
        return true;
      }
    }
    // Deeper than every checkpoint: read again from the first block.
    this.#save(this.firstBlock, []);
    return true;
  }
}
