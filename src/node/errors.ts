/**
 * Named errors of a node's own infrastructure: its configuration, keys, files, store and
 * the datasets it publishes. Each says what is wrong in words the operator of the node can
 * act on and carries a hint; none carries a key, a passphrase, a token or a data value —
 * only field names, file paths, dataset names, ids and counts.
 *
 * The HTTP API maps these to status codes by name (src/node/api/errors.ts), so a new class
 * here should get a line there too.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';

/** Base of the errors below. */
export class NodeError extends TacitError {
  override name = 'NodeError';
}

/** `node.json` is missing, unreadable or has a bad field (named in `field`). */
export class NodeConfigError extends NodeError {
  override name = 'NodeConfigError';
  /** Dotted path of the offending field (`peer.port`), or `document`. */
  readonly field: string;
  constructor(field: string, why: string, options: TacitErrorOptions = {}) {
    super(field === 'document' ? `invalid node configuration: ${why}` : `invalid node configuration: ${field} ${why}`, options);
    this.field = field;
  }
}

/** A node directory already holds keys or a configuration; `init` never overwrites them. */
export class NodeDirectoryInUseError extends NodeError {
  override name = 'NodeDirectoryInUseError';
}

/** No passphrase could be obtained (no TACIT_PASSPHRASE and no terminal), or it was refused. */
export class PassphraseError extends NodeError {
  override name = 'PassphraseError';
}

/** `keystore.json` is missing, malformed, tampered with, or does not match its contents. */
export class NodeKeystoreError extends NodeError {
  override name = 'NodeKeystoreError';
}

/** The passphrase does not open the node's keystore. */
export class WrongPassphraseError extends NodeKeystoreError {
  override name = 'WrongPassphraseError';
}

/** A secret file (keystore, API token) can be read by other users of the host. */
export class InsecureFileError extends NodeError {
  override name = 'InsecureFileError';
}

/** The API token file is missing or malformed. */
export class ApiTokenError extends NodeError {
  override name = 'ApiTokenError';
}

/** The node database cannot be opened or migrated. */
export class StoreError extends NodeError {
  override name = 'StoreError';
}

/** The database was written by a newer Tacit than this one (its schema version is unknown here). */
export class StoreVersionError extends StoreError {
  override name = 'StoreVersionError';
}

/** A dataset name is not acceptable. */
export class DatasetNameError extends NodeError {
  override name = 'DatasetNameError';
}

/** A dataset of that name already exists in this node. */
export class DuplicateDatasetError extends NodeError {
  override name = 'DuplicateDatasetError';
  readonly dataset: string;
  constructor(dataset: string, options: TacitErrorOptions = {}) {
    super(`a dataset named "${dataset}" already exists in this node`, {
      hint: 'choose another name (datasets are never replaced in place: their commitment may be on-chain)',
      ...options,
    });
    this.dataset = dataset;
  }
}

/** No dataset of that name in this node. */
export class DatasetNotFoundError extends NodeError {
  override name = 'DatasetNotFoundError';
  readonly dataset: string;
  constructor(dataset: string, options: TacitErrorOptions = {}) {
    super(`no dataset named "${dataset}" in this node`, { hint: 'list them with `tacit data list --dir DIR`', ...options });
    this.dataset = dataset;
  }
}

/** A dataset with no rows cannot be published or used. */
export class EmptyDatasetError extends NodeError {
  override name = 'EmptyDatasetError';
}

/** The dataset is already listed on-chain (or a listing transaction is pending). */
export class DatasetAlreadyPublishedError extends NodeError {
  override name = 'DatasetAlreadyPublishedError';
}

/** Publication arguments (price, algorithms, mint) are out of range. */
export class PublishArgumentError extends NodeError {
  override name = 'PublishArgumentError';
}

/** The node's account may not list datasets: not registered, exiting, under-staked or without the data role. */
export class NodeNotEligibleError extends NodeError {
  override name = 'NodeNotEligibleError';
}

/** A chain transaction of the node failed or reverted; `errorName` is the decoded custom error when known. */
export class NodeTransactionError extends NodeError {
  override name = 'NodeTransactionError';
  readonly errorName: string | undefined;
  constructor(shortMessage: string, errorName: string | undefined, options: TacitErrorOptions = {}) {
    super(shortMessage, options);
    this.errorName = errorName;
  }
}

/** No task with that id in this node's store. */
export class TaskNotFoundError extends NodeError {
  override name = 'TaskNotFoundError';
  readonly taskId: number;
  constructor(taskId: number, options: TacitErrorOptions = {}) {
    super(`task ${taskId} is not known to this node`, options);
    this.taskId = taskId;
  }
}

/** An atomic task update found the task in another status than the caller expected. */
export class TaskConflictError extends NodeError {
  override name = 'TaskConflictError';
  readonly taskId: number;
  readonly status: string;
  constructor(taskId: number, status: string, expected: readonly string[], options: TacitErrorOptions = {}) {
    super(`task ${taskId} is ${status}, not ${expected.join(' or ')}`, options);
    this.taskId = taskId;
    this.status = status;
  }
}

/** The task exists but this node holds no result for it (not the receiver, or not finished). */
export class ResultNotAvailableError extends NodeError {
  override name = 'ResultNotAvailableError';
}

/** The file named for an import is not usable (relative path, missing, not a file). */
export class ImportFileError extends NodeError {
  override name = 'ImportFileError';
}

/** The operation needs something this node was started without (a chain connection, say). */
export class NodeUnavailableError extends NodeError {
  override name = 'NodeUnavailableError';
}

/** Nothing answers at the node's API address: the node is not running (or listens elsewhere). */
export class NodeNotRunningError extends NodeError {
  override name = 'NodeNotRunningError';
}

/** The node's API answered with an error; `error` is its name (CsvError, DuplicateDatasetError, …). */
export class NodeApiError extends NodeError {
  override name = 'NodeApiError';
  readonly status: number;
  readonly error: string;
  readonly problems: { line: number; column?: string; reason: string }[] | undefined;
  constructor(status: number, body: { error?: string; message?: string; hint?: string; problems?: { line: number; column?: string; reason: string }[] }) {
    super(body.message ?? `the node API answered ${status}`, { ...(body.hint ? { hint: body.hint } : {}), details: `${body.error ?? 'error'} (HTTP ${status})` });
    this.status = status;
    this.error = body.error ?? 'Error';
    this.problems = body.problems;
  }
}

/** A console or API request that is well-formed JSON but asks for something contradictory. */
export class ConsoleRequestError extends NodeError {
  override name = 'ConsoleRequestError';
}
