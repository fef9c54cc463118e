/**
 * `tacit data`: manage the datasets of a RUNNING node through its admin API — `import` a
 * CSV (validated in full by the node; a bad file stores nothing and every bad line is
 * printed), `publish` one on-chain, `list` them. The API address comes from the node's
 * node.json and the bearer token from its api-token file, so these commands run on the
 * node's host as the node's user (or anyone given a copy of both). A CSV path is sent as an
 * absolute path: the node reads the file itself, rows never pass through this process.
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CsvError } from '../data/csv.js';
import { readApiToken } from '../node/api-token.js';
import { NodeApiClient } from '../node/api/client.js';
import { apiUrl, loadNodeConfig } from '../node/config.js';
import { NodeApiError } from '../node/errors.js';
import type { DatasetRecord } from '../node/store/index.js';
import { dispatch, emitResult, UsageError } from './usage.js';

const USAGE = `usage (the node must be running; --dir is its node directory):
  tacit data import FILE --dir DIR --name NAME --id COLUMN [--columns a,b,…]
                    [--allow-duplicate-ids] [--json]
      Imports a CSV from this host into the node (one id column, every other column
      numeric). A bad file stores nothing; every bad line is listed. Ids are text compared
      after trimming surrounding spaces; a repeated id is refused with its lines unless
      --allow-duplicate-ids (a lender's book with several loans per person, for debt-query).
  tacit data publish NAME --dir DIR --price UNITS --algorithms a,b [--mint USES]
                     [--metadata-uri URI] [--json | --field datasetId]
      Lists the dataset in the DataRegistry (schema hash, rows, commitment, price per use in
      payment-token base units, allowed programs) and mints USES data tokens to the node.
  tacit data sale NAME --dir DIR --price UNITS [--uses N] [--json]
      Offers uses of a published dataset in the DataTokenSale at UNITS per use (payment-token
      base units), minting N data tokens to sell (default 100). Buyers then run
      \`tacit market buy DATASET_ID --uses K\`. Calling it again changes the price.
  tacit data sale NAME --dir DIR --close [--json]
      Closes the offer (tokens already sold stay valid).
  tacit data list --dir DIR [--json]
      The node's datasets (metadata only).`;

export function dataCommand(argv: string[]): Promise<number> {
  return dispatch('data', argv, { import: importCommand, publish: publishCommand, sale: saleCommand, list: listCommand }, USAGE);
}

/** parseArgs with positionals; errors become UsageErrors. */
function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { hint: USAGE });
  }
}

function clientFor(dir: string | undefined, withToken: boolean): NodeApiClient {
  if (!dir) throw new UsageError('--dir DIR (the node directory) is required', { hint: USAGE });
  const d = resolve(dir);
  const config = loadNodeConfig(d);
  return new NodeApiClient(apiUrl(config), withToken ? { token: readApiToken(d) } : {});
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    dir: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    columns: { type: 'string' },
    'allow-duplicate-ids': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('name exactly one CSV FILE', { hint: USAGE });
  if (!values.name) throw new UsageError('--name NAME is required', { hint: USAGE });
  if (!values.id) throw new UsageError('--id COLUMN (the id column) is required', { hint: USAGE });
  const client = clientFor(values.dir, true);
  const file = positionals[0]!;
  let record: DatasetRecord;
  try {
    record = await client.importDataset({
      name: values.name,
      path: resolve(file),
      idColumn: values.id,
      uniqueIds: !values['allow-duplicate-ids'],
      ...(values.columns ? { columns: values.columns.split(',').map((c) => c.trim()) } : {}),
    });
  } catch (err) {
    // Show a bad file exactly as a local read would: every bad line, nothing stored.
    if (err instanceof NodeApiError && err.error === 'CsvError' && err.problems) throw new CsvError(file, err.problems);
    throw err;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else process.stdout.write(`imported "${record.name}": ${record.rows} rows × ${record.columns.length} columns (id ${record.idColumn})\n  schema hash ${record.schemaHash}\n  commitment  ${record.commitment}\n`);
  return 0;
}

async function publishCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    dir: { type: 'string' },
    price: { type: 'string' },
    algorithms: { type: 'string' },
    mint: { type: 'string' },
    'metadata-uri': { type: 'string' },
    json: { type: 'boolean', default: false },
    field: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('name exactly one dataset', { hint: USAGE });
  if (values.price === undefined || !/^(0|[1-9][0-9]*)$/.test(values.price)) {
    throw new UsageError('--price UNITS is required: a decimal integer in payment-token base units', { hint: USAGE });
  }
  const algorithms = (values.algorithms ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  if (algorithms.length === 0) throw new UsageError('--algorithms a,b is required (the programs the dataset may be used with)', { hint: USAGE });
  const mint = values.mint === undefined ? 0 : Number(values.mint);
  if (!Number.isSafeInteger(mint) || mint < 0) throw new UsageError('--mint must be a non-negative integer (uses)');
  const client = clientFor(values.dir, true);
  if (!values.json) process.stderr.write(`publishing "${positionals[0]}" (waiting for the transaction)...\n`);
  const r = await client.publishDataset(positionals[0]!, {
    price: values.price,
    algorithms,
    mint,
    ...(values['metadata-uri'] !== undefined ? { metadataUri: values['metadata-uri'] } : {}),
  });
  if (values.json || values.field !== undefined) emitResult(r as unknown as Record<string, unknown>, values, () => '');
  else {
    process.stdout.write(
      [
        `published "${r.dataset.name}" as DataRegistry dataset ${r.datasetId}${r.resumed ? ' (finished an earlier attempt)' : ''}`,
        `  data token  ${r.token} (${r.minted} units minted to the node)`,
        `  price       ${r.dataset.price} per use`,
        `  algorithms  ${(r.dataset.algorithms ?? []).join(', ')}`,
        `  transaction ${r.txHash}`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

async function saleCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    dir: { type: 'string' },
    price: { type: 'string' },
    uses: { type: 'string' },
    close: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('name exactly one dataset', { hint: USAGE });
  const name = positionals[0]!;
  const client = clientFor(values.dir, true);
  if (values.close) {
    if (values.price !== undefined || values.uses !== undefined) throw new UsageError('--close takes no --price or --uses', { hint: USAGE });
    const r = await client.closeSale(name);
    process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `closed the sale of "${name}" (dataset ${r.datasetId})\n`);
    return 0;
  }
  if (values.price === undefined || !/^(0|[1-9][0-9]*)$/.test(values.price)) {
    throw new UsageError('--price UNITS is required: a decimal integer in payment-token base units per use', { hint: USAGE });
  }
  const uses = values.uses === undefined ? undefined : Number(values.uses);
  if (uses !== undefined && (!Number.isSafeInteger(uses) || uses < 0 || uses > 1_000_000)) throw new UsageError('--uses must be an integer in 0..1000000');
  if (!values.json) process.stderr.write(`opening the sale of "${name}" (waiting for the transactions)...\n`);
  const r = await client.openSale(name, { pricePerUse: values.price, ...(uses !== undefined ? { uses } : {}) });
  if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`dataset ${r.datasetId} ("${name}") is for sale: ${r.pricePerUse} per use, ${r.uses} uses minted for sale\n  buy with: tacit market buy ${r.datasetId} --uses N --manifest FILE\n`);
  return 0;
}

async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help();
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, { hint: USAGE });
  const datasets = await clientFor(values.dir, false).listDatasets();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ datasets })}\n`);
    return 0;
  }
  if (datasets.length === 0) {
    process.stdout.write('no datasets (import one with `tacit data import FILE --dir DIR --name NAME --id COLUMN`)\n');
    return 0;
  }
  const rows = datasets.map((d) => [d.name, String(d.rows), String(d.columns.length), d.status, d.datasetId ?? '-', d.price ?? '-']);
  const head = ['NAME', 'ROWS', 'COLUMNS', 'STATUS', 'CHAIN ID', 'PRICE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n`);
  return 0;
}

function help(): number {
  process.stdout.write(`${USAGE}\n`);
  return 0;
}
