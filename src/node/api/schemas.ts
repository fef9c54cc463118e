/**
 * JSON Schemas of the node API's requests and responses, with the TypeScript shapes they
 * describe. They do three jobs from one definition: fastify validates requests with them
 * (ajv), serialises responses with them (fast-json-stringify, which also drops any field a
 * schema does not list — a guard against leaking a column we did not mean to show), and
 * ./openapi.ts turns them into the OpenAPI document. Shared objects (Error, Dataset, Task,
 * NodeInfo) become named components there.
 */
import type { Address, Hex } from 'viem';
import type { NodeRole } from '../config.js';
import type { DatasetRecord, TaskRecord } from '../store/index.js';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const hex32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
const uintString = { type: 'string', pattern: '^(0|[1-9][0-9]*)$' } as const;

export interface ErrorBody {
  error: string;
  message: string;
  hint?: string;
  /** CSV problems, one per bad line (import only). */
  problems?: { line: number; column?: string; reason: string }[];
}

export const ErrorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { ...str, description: 'error name (e.g. CsvError, DuplicateDatasetError, Unauthorized)' },
    message: str,
    hint: str,
    problems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['line', 'reason'],
        properties: { line: { type: 'integer' }, column: str, reason: str },
      },
    },
  },
} as const;

export interface HealthBody {
  ok: boolean;
  version: string;
  /** Seconds since the API started. */
  uptime: number;
}

export const HealthSchema = {
  type: 'object',
  required: ['ok', 'version', 'uptime'],
  properties: { ok: { type: 'boolean' }, version: str, uptime: { type: 'number' } },
} as const;

/** Public facts about the node, as the daemon knows them. */
export interface NodeInfo {
  name: string;
  address: Address;
  /** Hex SHA-256 of the TLS SubjectPublicKeyInfo (peers pin it). */
  fingerprint: string;
  roles: NodeRole[];
  peer: { host: string; port: number; endpoint: string };
  chainId: number;
  contracts: Record<string, Address>;
}

export const NodeInfoSchema = {
  type: 'object',
  required: ['name', 'address', 'fingerprint', 'roles', 'peer', 'chainId', 'contracts'],
  properties: {
    name: str,
    address,
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    roles: { type: 'array', items: { type: 'string', enum: ['data', 'compute', 'receiver'] } },
    peer: {
      type: 'object',
      required: ['host', 'port', 'endpoint'],
      properties: { host: str, port: { type: 'integer' }, endpoint: { ...str, description: 'host:port other nodes dial (registered on-chain)' } },
    },
    chainId: { type: 'integer' },
    contracts: { type: 'object', additionalProperties: address },
  },
} as const;

/** Dataset metadata: everything but the rows. */
export type DatasetView = DatasetRecord;

export const DatasetSchema = {
  type: 'object',
  required: ['name', 'idColumn', 'columns', 'rows', 'schemaHash', 'commitment', 'createdAt', 'status'],
  properties: {
    name: str,
    idColumn: str,
    columns: { type: 'array', items: str },
    rows: { type: 'integer' },
    schemaHash: hex32,
    commitment: hex32,
    createdAt: str,
    status: { type: 'string', enum: ['local', 'publishing', 'Active', 'Paused', 'Retired'] },
    datasetId: { ...nstr, description: 'DataRegistry id (decimal), once listed' },
    token: nstr,
    price: nstr,
    algorithms: { type: ['array', 'null'], items: str },
    metadataUri: nstr,
    listTx: nstr,
    publishedAt: nstr,
  },
} as const;

export const DatasetListSchema = {
  type: 'object',
  required: ['datasets'],
  properties: { datasets: { type: 'array', items: DatasetSchema } },
} as const;

export interface ImportDatasetBody {
  name: string;
  /** Absolute path of the CSV on the node's host. */
  path: string;
  idColumn: string;
  /** Expected numeric columns, in order (optional schema check). */
  columns?: string[];
  /** Refuse repeated ids, listing their lines (default false: a loan book repeats ids). */
  uniqueIds?: boolean;
}

export const ImportDatasetBodySchema = {
  type: 'object',
  required: ['name', 'path', 'idColumn'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
    path: { type: 'string', minLength: 1, maxLength: 4096, description: 'absolute path of the CSV file on the node host' },
    idColumn: { type: 'string', minLength: 1 },
    columns: { type: 'array', items: { type: 'string', minLength: 1 } },
    uniqueIds: { type: 'boolean', description: 'refuse repeated ids, listing their lines (default false: a loan book repeats ids)' },
  },
} as const;

export interface PublishDatasetBody {
  /** Price per use, payment-token base units (decimal string). */
  price: string;
  algorithms: string[];
  /** Data tokens (uses) minted to the owner. */
  mint?: number;
  metadataUri?: string;
}

export const PublishDatasetBodySchema = {
  type: 'object',
  required: ['price', 'algorithms'],
  additionalProperties: false,
  properties: {
    price: { ...uintString, description: 'price per use in payment-token base units' },
    algorithms: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', minLength: 1 }, description: 'program names or 0x bytes32 ids' },
    mint: { type: 'integer', minimum: 0, default: 0, description: 'data tokens (uses) minted to the owner' },
    metadataUri: { type: 'string', maxLength: 2048 },
  },
} as const;

export interface PublishDatasetResponse {
  dataset: DatasetView;
  datasetId: string;
  token: Address;
  txHash: Hex;
  algorithmIds: Hex[];
  minted: string;
  resumed: boolean;
}

export const PublishDatasetResponseSchema = {
  type: 'object',
  required: ['dataset', 'datasetId', 'token', 'txHash', 'algorithmIds', 'minted', 'resumed'],
  properties: {
    dataset: DatasetSchema,
    datasetId: uintString,
    token: address,
    txHash: hex32,
    algorithmIds: { type: 'array', items: hex32 },
    minted: { ...uintString, description: 'data token units minted (1e18 per use)' },
    resumed: { type: 'boolean', description: 'true when this finished a listing sent by an earlier attempt' },
  },
} as const;

export const DatasetNameParamsSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } },
} as const;

/** A task as the public sees it: status and progress, no parameters, no result, no data. */
export type TaskView = Omit<TaskRecord, 'params' | 'result'>;

export const SaleBodySchema = {
  type: 'object',
  required: ['pricePerUse'],
  additionalProperties: false,
  properties: {
    pricePerUse: { type: 'string', pattern: '^(0|[1-9][0-9]*)$', description: 'payment-token base units per use' },
    uses: { type: 'integer', minimum: 0, maximum: 1000000, description: 'data tokens to mint for sale (default 100)' },
  },
} as const;

export const SaleResultSchema = {
  type: 'object',
  required: ['datasetId', 'pricePerUse', 'uses'],
  properties: { datasetId: { type: 'string' }, pricePerUse: { type: 'string' }, uses: { type: 'integer' } },
} as const;

export const SaleClosedSchema = {
  type: 'object',
  required: ['datasetId', 'open'],
  properties: { datasetId: { type: 'string' }, open: { type: 'boolean' } },
} as const;

export const TaskInputsBodySchema = {
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: { inputs: { type: 'object', description: 'program-specific private inputs of the receiver', additionalProperties: true } },
} as const;

export const TaskInputsAckSchema = {
  type: 'object',
  required: ['id', 'stored'],
  properties: { id: { type: 'integer' }, stored: { type: 'boolean' } },
} as const;

export const SealedResultSchema = {
  type: 'object',
  required: ['id', 'sealed'],
  properties: { id: { type: 'integer' }, sealed: { type: 'string', description: 'base64 sealed box' } },
} as const;

export const TaskSchema = {
  type: 'object',
  required: ['id', 'status', 'roles', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    status: str,
    step: nstr,
    program: nstr,
    roles: { type: 'array', items: str },
    requester: nstr,
    receiver: nstr,
    deadline: { type: ['integer', 'null'] },
    acceptTx: nstr,
    commitment: nstr,
    commitTx: nstr,
    error: nstr,
    progress: { type: ['number', 'null'] },
    progressPhase: nstr,
    createdAt: str,
    updatedAt: str,
  },
} as const;

export const TaskListSchema = {
  type: 'object',
  required: ['tasks'],
  properties: { tasks: { type: 'array', items: TaskSchema } },
} as const;

export const TaskListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: str,
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const TaskIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

export interface TaskResultBody {
  id: number;
  status: string;
  result: unknown;
}

export const TaskResultSchema = {
  type: 'object',
  required: ['id', 'status', 'result'],
  properties: { id: { type: 'integer' }, status: str, result: { description: 'what the computation revealed to this node (program-specific JSON)' } },
} as const;

export const MetricsSchema = { type: 'string', description: 'Prometheus text exposition format 0.0.4' } as const;
export const OpenApiSchema = { type: 'object', additionalProperties: true, description: 'this document' } as const;

/** Shared schemas and their component names in the OpenAPI document. */
export const NAMED_SCHEMAS = new Map<object, string>([
  [ErrorSchema, 'Error'],
  [HealthSchema, 'Health'],
  [NodeInfoSchema, 'NodeInfo'],
  [DatasetSchema, 'Dataset'],
  [TaskSchema, 'Task'],
]);

export function taskView(t: TaskRecord): TaskView {
  const { params: _params, result: _result, ...view } = t;
  return view;
}
