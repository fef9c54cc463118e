/**
 * From an error to an HTTP answer: a status code and `{ error, message, hint }` (plus the
 * line-numbered problems of a bad CSV). Tacit errors are mapped by class name, walking up
 * the class chain, so a subclass inherits its parent's code; their short message and hint
 * are safe to show (by convention they carry names, ids and counts, never data). Anything
 * else — a bug, a driver error — becomes a bare 500 "internal error": its message might
 * contain anything, so it goes to the log, not to the client. No stack traces, ever.
 */
import { TacitError } from '../../errors.js';
import { CsvError } from '../../data/csv.js';
import type { ErrorBody } from './schemas.js';

const STATUS_BY_NAME: Record<string, number> = {
  // the request is wrong
  CsvError: 400,
  DatasetNameError: 400,
  EmptyDatasetError: 400,
  PublishArgumentError: 400,
  ImportFileError: 400,
  UsageError: 400,
  ConsoleRequestError: 400,
  // the SDK's checks before a transaction (a task's parameters, a dataset not on sale)
  SdkError: 400,
  TaskParametersError: 400,
  TaskParamsError: 400,
  // it conflicts with the node's state
  DuplicateDatasetError: 409,
  DatasetAlreadyPublishedError: 409,
  NodeNotEligibleError: 409,
  TaskConflictError: 409,
  // nothing there
  DatasetNotFoundError: 404,
  TaskNotFoundError: 404,
  ResultNotAvailableError: 404,
  // the chain said no, or could not be reached
  NodeTransactionError: 502,
  ChainError: 502,
  // the node cannot do it now
  NodeUnavailableError: 503,
  // the node itself is unwell
  StoreError: 500,
  NodeKeystoreError: 500,
};

export interface HttpError {
  status: number;
  body: ErrorBody;
}

/** The answer for `err`; `internal` is true when it should be logged as a server fault. */
export function toHttpError(err: unknown): HttpError & { internal: boolean } {
  const fst = err as { statusCode?: number; code?: string; validation?: unknown; message?: string };
  if (fst && typeof fst === 'object' && fst.validation) {
    return { status: 400, body: { error: 'ValidationError', message: String(fst.message) }, internal: false };
  }
  if (err instanceof TacitError) {
    let status: number | undefined;
    for (let proto = Object.getPrototypeOf(err); proto && proto !== Error.prototype && status === undefined; proto = Object.getPrototypeOf(proto)) {
      const name = (proto.constructor as { name?: string })?.name;
      if (name) status = STATUS_BY_NAME[name];
    }
    status ??= STATUS_BY_NAME[err.name] ?? (fileProblem(err) ? 400 : 500);
    const body: ErrorBody = { error: err.name, message: err.shortMessage };
    if (err.hint) body.hint = err.hint;
    if (err instanceof CsvError) body.problems = err.problems.map((p) => ({ line: p.line, ...(p.column !== undefined ? { column: p.column } : {}), reason: p.reason }));
    return { status, body, internal: status >= 500 };
  }
  // fastify's own client errors (bad JSON, wrong content type, body too large): safe messages
  if (fst && typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500 && typeof fst.code === 'string' && fst.code.startsWith('FST_')) {
    return { status: fst.statusCode, body: { error: fst.code, message: String(fst.message) }, internal: false };
  }
  return { status: 500, body: { error: 'InternalError', message: 'internal error (see the node log)' }, internal: true };
}

/** A Tacit error caused by a file the request named (missing, unreadable, a directory). */
function fileProblem(err: TacitError): boolean {
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM';
}
