/**
 * The daemon's record of each task it takes part in, keyed by the on-chain task id. The
 * task state machine (src/node/tasks/) owns the meaning of `status` and `step`; this module
 * only stores them, with JSON columns decoded and camelCase names, and makes every update
 * atomic: `updateTask` reads, checks an optional expected status and writes inside one
 * IMMEDIATE transaction, so two writers (the chain watcher and a runner, say) cannot both
 * move a task out of the same state.
 *
 * `result` is what the receiver learnt; only the receiver's node ever stores one, and the
 * API serves it to token holders only.
 */
import type Database from 'better-sqlite3';
import { TaskConflictError, TaskNotFoundError } from '../errors.js';

export interface TaskFields {
  status: string;
  step: string | null;
  program: string | null;
  params: Record<string, unknown> | null;
  /** This node's roles in the task. */
  roles: string[];
  requester: string | null;
  receiver: string | null;
  /** Unix seconds. */
  deadline: number | null;
  acceptTx: string | null;
  commitment: string | null;
  commitTx: string | null;
  /** Receiver only: what the computation revealed to it. */
  result: unknown;
  error: string | null;
  /** 0..1 */
  progress: number | null;
  progressPhase: string | null;
}

export interface TaskRecord extends TaskFields {
  id: number;
  createdAt: string;
  updatedAt: string;
}

export type TaskInsert = { id: number | bigint; status: string } & Partial<Omit<TaskFields, 'status'>>;
export type TaskPatch = Partial<TaskFields>;

export interface ListTasksOptions {
  status?: string | string[];
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
}

interface TaskRow {
  id: number;
  status: string;
  step: string | null;
  program: string | null;
  params: string | null;
  roles: string;
  requester: string | null;
  receiver: string | null;
  deadline: number | null;
  accept_tx: string | null;
  commitment: string | null;
  commit_tx: string | null;
  result: string | null;
  error: string | null;
  progress: number | null;
  progress_phase: string | null;
  created_at: string;
  updated_at: string;
}

/** camelCase field → column, and how to encode it. */
const COLUMNS: Record<keyof TaskFields, { column: string; json?: true }> = {
  status: { column: 'status' },
  step: { column: 'step' },
  program: { column: 'program' },
  params: { column: 'params', json: true },
  roles: { column: 'roles', json: true },
  requester: { column: 'requester' },
  receiver: { column: 'receiver' },
  deadline: { column: 'deadline' },
  acceptTx: { column: 'accept_tx' },
  commitment: { column: 'commitment' },
  commitTx: { column: 'commit_tx' },
  result: { column: 'result', json: true },
  error: { column: 'error' },
  progress: { column: 'progress' },
  progressPhase: { column: 'progress_phase' },
};

function toRecord(r: TaskRow): TaskRecord {
  return {
    id: r.id,
    status: r.status,
    step: r.step,
    program: r.program,
    params: r.params === null ? null : (JSON.parse(r.params) as Record<string, unknown>),
    roles: JSON.parse(r.roles) as string[],
    requester: r.requester,
    receiver: r.receiver,
    deadline: r.deadline,
    acceptTx: r.accept_tx,
    commitment: r.commitment,
    commitTx: r.commit_tx,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error,
    progress: r.progress,
    progressPhase: r.progress_phase,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function taskId(id: number | bigint): number {
  const n = typeof id === 'bigint' ? Number(id) : id;
  if (!Number.isSafeInteger(n) || n < 0 || (typeof id === 'bigint' && BigInt(n) !== id)) throw new RangeError(`task id must be a non-negative safe integer, got ${String(id)}`);
  return n;
}

/** Column assignments for a patch (only the fields present). */
function encodePatch(patch: TaskPatch): { sets: string[]; values: Record<string, unknown> } {
  const sets: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    const spec = COLUMNS[field as keyof TaskFields];
    if (!spec || value === undefined) continue;
    sets.push(`${spec.column} = @${spec.column}`);
    values[spec.column] = spec.json ? (value === null ? (field === 'roles' ? '[]' : null) : JSON.stringify(value)) : value;
  }
  return { sets, values };
}

export function getTask(db: Database.Database, id: number | bigint): TaskRecord | undefined {
  const r = db.prepare<TaskRow>('SELECT * FROM tasks WHERE id = ?').get(taskId(id));
  return r ? toRecord(r) : undefined;
}

export function listTasks(db: Database.Database, options: ListTasksOptions = {}): TaskRecord[] {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
  const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
  const statuses = options.status === undefined ? [] : Array.isArray(options.status) ? options.status : [options.status];
  const where = statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
  return db
    .prepare<TaskRow>(`SELECT * FROM tasks ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .all(...statuses, limit, offset)
    .map(toRecord);
}

/** Inserts a task, or updates the given fields of an existing one (created_at is kept). */
export function upsertTask(db: Database.Database, input: TaskInsert): TaskRecord {
  const id = taskId(input.id);
  const { id: _id, ...fields } = input;
  const run = db.transaction((): TaskRecord => {
    const now = new Date().toISOString();
    const { sets, values } = encodePatch(fields);
    if (db.prepare('SELECT 1 FROM tasks WHERE id = ?').get(id)) {
      db.prepare(`UPDATE tasks SET ${[...sets, 'updated_at = @updated_at'].join(', ')} WHERE id = @id`).run({ ...values, updated_at: now, id });
    } else {
      const cols = Object.keys(values);
      db.prepare(
        `INSERT INTO tasks (id, ${[...cols, 'created_at', 'updated_at'].join(', ')}) VALUES (@id, ${[...cols, 'created_at', 'updated_at'].map((c) => `@${c}`).join(', ')})`,
      ).run({ ...values, id, created_at: now, updated_at: now });
    }
    return getTask(db, id)!;
  });
  return run.immediate();
}

/**
 * Applies `patch` atomically and returns the updated task. With `expectStatus`, the update
 * happens only if the task is in one of those statuses (TaskConflictError otherwise).
 */
export function updateTask(db: Database.Database, id: number | bigint, patch: TaskPatch, options: { expectStatus?: string | string[] } = {}): TaskRecord {
  const n = taskId(id);
  const expected = options.expectStatus === undefined ? undefined : Array.isArray(options.expectStatus) ? options.expectStatus : [options.expectStatus];
  const run = db.transaction((): TaskRecord => {
    const current = db.prepare<{ status: string }>('SELECT status FROM tasks WHERE id = ?').get(n);
    if (!current) throw new TaskNotFoundError(n);
    if (expected && !expected.includes(current.status)) throw new TaskConflictError(n, current.status, expected);
    const { sets, values } = encodePatch(patch);
    db.prepare(`UPDATE tasks SET ${[...sets, 'updated_at = @updated_at'].join(', ')} WHERE id = @id`).run({ ...values, updated_at: new Date().toISOString(), id: n });
    return getTask(db, n)!;
  });
  return run.immediate();
}

/** Number of tasks per status (for metrics). */
export function countTasksByStatus(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of db.prepare<{ status: string; n: number }>('SELECT status, count(*) AS n FROM tasks GROUP BY status').all()) out[r.status] = r.n;
  return out;
}
