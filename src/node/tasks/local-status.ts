/**
 * The node's own statuses of a task, kept in its store beside the chain's: pending →
 * accepted | refused → running → committed → revealed → settled; delivered (a party that
 * does not commit, after its session); reported (after a failure report); disputed; and the
 * terminal settled, refused, failed, expired, failed-final. The manager's sweep skips a
 * terminal task, and only a reorganisation (task-events.ts) can reopen one.
 */
import type { ChainTaskStatus } from './chain-view.js';

/** Local statuses after which the node does nothing more for a task. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['settled', 'refused', 'failed', 'expired', 'failed-final']);

/** The local status of a task the chain shows ended. */
export const LOCAL_OF_FINAL: Readonly<Partial<Record<ChainTaskStatus, string>>> = { Settled: 'settled', Refused: 'refused', Failed: 'failed', Expired: 'expired' };
