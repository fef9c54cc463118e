/**
 * Each program's public parameters as a requester gives them (`tacit task create --params`,
 * the SDK's `createTask`), described once: their names, types, defaults, which party's data
 * a column name refers to, and what the receiver brings privately. The CLI's help, the task
 * checks made before anything is sent, and docs/algorithms.md (checked by a test) all read
 * this table, so they cannot disagree.
 *
 * Parameters the node fills in itself (the receiver, the receivers of a PSI, the feature
 * schema announced by the parties) are not listed: a requester does not give them.
 */
import { isAddress } from 'viem';
import { TacitError } from '../errors.js';

export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'address' | 'object';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  default?: unknown;
  description: string;
  /** For a column name: which datasets must have it ('every' dataset, or the 'labelParty''s). */
  column?: 'every' | 'labelParty';
  /** Inclusive bounds for numbers (the node's guards may be stricter). */
  min?: number;
  max?: number;
  /** For objects: their own fields. */
  fields?: ParamSpec[];
}

export interface ProgramParameters {
  program: string;
  params: ParamSpec[];
  /** What the receiver gives its own node privately (`--inputs`), never on-chain. */
  receiverInputs?: ParamSpec[];
}

const LR_HYPER: ParamSpec[] = [
  { name: 'epochs', type: 'integer', required: false, default: 10, min: 1, max: 1000, description: 'passes over the aligned rows' },
  { name: 'learningRate', type: 'number', required: false, default: 0.5, min: 1e-6, max: 10, description: 'gradient step' },
  { name: 'l2', type: 'number', required: false, default: 0, min: 0, max: 100, description: 'L2 penalty λ (gradient + λ·w)' },
  { name: 'batchSize', type: 'integer', required: false, default: 4096, min: 1, max: 1_000_000, description: 'rows per mini-batch' },
  { name: 'fitIntercept', type: 'boolean', required: false, default: true, description: 'learn an intercept' },
];

export const PROGRAM_PARAMETERS: ReadonlyMap<string, ProgramParameters> = new Map(
  (
    [
      {
        program: 'psi',
        params: [
          { name: 'idColumn', type: 'string', required: true, column: 'every', description: 'the id column every dataset is matched on' },
          { name: 'cardinalityOnly', type: 'boolean', required: false, default: false, description: 'the receiver learns only the size of the intersection' },
          { name: 'psiProtocol', type: 'string', required: false, description: "'oprf' (two parties, OT-based) or 'ecdh'; the fastest that fits by default" },
        ],
      },
      {
        program: 'lr-train',
        params: [
          { name: 'idColumn', type: 'string', required: true, column: 'every', description: 'the id column the parties align their rows on (by PSI)' },
          { name: 'labelParty', type: 'address', required: true, description: 'the node whose dataset holds the label' },
          { name: 'labelColumn', type: 'string', required: true, column: 'labelParty', description: "the 0/1 label column in the label party's dataset" },
          { name: 'hyper', type: 'object', required: false, description: 'hyperparameters', fields: LR_HYPER },
          { name: 'keepShared', type: 'boolean', required: false, default: false, description: 'keep the model secret-shared at the compute parties (for lr-predict with sharedModel) instead of delivering it' },
          { name: 'revealModel', type: 'boolean', required: false, default: false, description: 'with keepShared, also deliver the model to the receiver' },
          { name: 'standardize', type: 'boolean', required: false, default: true, description: "each feature owner scales its own columns locally (model reported on the original scale)" },
          { name: 'metrics', type: 'boolean', required: false, default: true, description: 'compute AUC and KS under MPC for the receiver' },
          { name: 'curvePoints', type: 'integer', required: false, min: 2, max: 100, description: 'also reveal the ROC and KS curves to the receiver at this many evenly spaced cut-offs (the rates there, hence the class counts)' },
        ],
      },
      {
        program: 'lr-predict',
        params: [
          { name: 'idColumn', type: 'string', required: true, column: 'every', description: 'the id column applicants are looked up by' },
          { name: 'modelTask', type: 'integer', required: false, min: 1, description: 'the lr-train task whose kept model scores (over the same data owners)' },
          { name: 'modelHash', type: 'string', required: false, description: "instead: the hash of a model every data owner approved (policy.guards.approvedModels); the receiver supplies the model" },
          { name: 'sharedModel', type: 'boolean', required: false, default: false, description: 'use the model kept secret-shared by that task (keepShared) instead of the receiver\'s copy' },
          { name: 'count', type: 'integer', required: false, default: 1, min: 1, max: 10_000, description: 'how many applicants the receiver scores' },
        ],
        receiverInputs: [{ name: 'applicants', type: 'object', required: true, description: 'the applicant ids (an array of strings), given to the receiver node only' }],
      },
      {
        program: 'debt-query',
        params: [
          { name: 'idColumn', type: 'string', required: true, column: 'every', description: "the id column of every lender's loan book" },
          { name: 'balanceColumn', type: 'string', required: true, column: 'every', description: 'the outstanding balance column' },
          { name: 'count', type: 'integer', required: false, default: 1, min: 1, max: 100, description: 'how many applicants the receiver asks about (each is answered)' },
        ],
        receiverInputs: [{ name: 'applicant', type: 'string', required: false, description: "the applicant id, given to the receiver node only (or 'applicants', an array, with count)" }],
      },
    ] satisfies ProgramParameters[]
  ).map((p) => [p.program, p]),
);

export class TaskParametersError extends TacitError {
  override name = 'TaskParametersError';
}

/** What `task create` knows about a dataset of the task (from its on-chain listing). */
export interface DatasetColumns {
  datasetId: string;
  owner: string;
  /** Columns (id column included) when the listing publishes its schema; unknown otherwise. */
  columns?: string[];
}

/**
 * Checks `params` against the program's table: unknown names, missing required ones, types,
 * bounds, address forms, and every column name against the datasets whose schema is known.
 * Returns the parameters with defaults filled in and addresses in lowercase (the form nodes
 * compare), or throws TaskParametersError listing every problem.
 */
export function checkTaskParameters(program: string, params: Record<string, unknown>, datasets: DatasetColumns[] = []): Record<string, unknown> {
  const spec = PROGRAM_PARAMETERS.get(program);
  if (!spec) return params;
  const problems: string[] = [];
  const out = checkObject(spec.params, params, '', problems);
  for (const p of spec.params.filter((s) => s.column)) {
    const column = out[p.name];
    if (typeof column !== 'string') continue;
    const owners = p.column === 'labelParty' ? datasets.filter((d) => d.owner.toLowerCase() === String(out['labelParty'] ?? '')) : datasets;
    if (p.column === 'labelParty' && out['labelParty'] !== undefined && datasets.length && owners.length === 0) {
      problems.push(`labelParty ${String(out['labelParty'])} owns none of the task's datasets`);
    }
    for (const d of owners) {
      if (d.columns && !d.columns.includes(column)) problems.push(`${p.name}: dataset ${d.datasetId} has no column "${column}" (it has ${d.columns.join(', ')})`);
    }
  }
  if (problems.length) {
    throw new TaskParametersError(`the ${program} parameters are not valid: ${problems.join('; ')}`, { hint: `see \`tacit task create --help\` or docs/algorithms.md for ${program}'s parameters` });
  }
  return out;
}

function checkObject(specs: ParamSpec[], value: Record<string, unknown>, prefix: string, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(value)) if (!known.has(k)) problems.push(`unknown parameter ${prefix}${k} (known: ${[...known].join(', ')})`);
  for (const s of specs) {
    const v = value[s.name];
    const name = `${prefix}${s.name}`;
    if (v === undefined) {
      if (s.required) problems.push(`${name} is required (${s.description})`);
      continue;
    }
    switch (s.type) {
      case 'string':
        if (typeof v !== 'string' || v.length === 0) problems.push(`${name} must be a non-empty string`);
        else out[s.name] = v;
        break;
      case 'boolean':
        if (typeof v !== 'boolean') problems.push(`${name} must be true or false`);
        else out[s.name] = v;
        break;
      case 'integer':
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v) || (s.type === 'integer' && !Number.isInteger(v))) problems.push(`${name} must be ${s.type === 'integer' ? 'an integer' : 'a finite number'}`);
        else if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) problems.push(`${name} must be in [${s.min ?? '-∞'}, ${s.max ?? '∞'}], got ${v}`);
        else out[s.name] = v;
        break;
      case 'address':
        if (typeof v !== 'string' || !isAddress(v, { strict: false })) problems.push(`${name} must be a node address (0x + 40 hex digits, any case)`);
        else out[s.name] = v.toLowerCase();
        break;
      case 'object':
        if (typeof v !== 'object' || v === null || Array.isArray(v)) problems.push(`${name} must be an object`);
        else out[s.name] = s.fields ? checkObject(s.fields, v as Record<string, unknown>, `${name}.`, problems) : v;
        break;
    }
  }
  return out;
}

/** The parameters of one program (or all) as help text. */
export function describeParameters(program?: string): string {
  const programs = program ? [PROGRAM_PARAMETERS.get(program)].filter((p): p is ProgramParameters => !!p) : [...PROGRAM_PARAMETERS.values()];
  const line = (s: ParamSpec, indent: string): string[] => {
    const head = `${indent}${s.name} (${s.type}${s.required ? ', required' : s.default !== undefined ? `, default ${JSON.stringify(s.default)}` : ''}${s.min !== undefined || s.max !== undefined ? `, ${s.min ?? ''}..${s.max ?? ''}` : ''})`;
    return [`${head.padEnd(44)} ${s.description}`, ...(s.fields ?? []).flatMap((f) => line(f, `${indent}  `))];
  };
  return programs
    .map((p) => [
      `  ${p.program} --params:`,
      ...p.params.flatMap((s) => line(s, '    ')),
      ...(p.receiverInputs ? ['    receiver --inputs (private, sent to the receiver node only):', ...p.receiverInputs.flatMap((s) => line(s, '      '))] : []),
    ].join('\n'))
    .join('\n');
}
