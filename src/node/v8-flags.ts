/**
 * V8 flags for the processes Tacit launches to run sessions (local parties, sandbox nodes).
 *
 * The engine allocates a fresh ArrayBuffer per ring operation. With V8's default sizing, a
 * party's small heap (~8 MB) reaches its old-generation limit every few dozen operations,
 * and each mark-compact stalls that party — and every party waiting on its next message.
 * Starting the old generation at 64 MB removed ~90 mark-compacts from one party of an
 * lr-train run on default_credit (training 3.7–3.8 s → 3.0 s on the 2-core machine).
 * NODE_OPTIONS may not carry this flag, so launchers put it on the command line; operators
 * starting `tacit node start` themselves can do the same (docs/operations.md).
 */
export const SESSION_V8_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
