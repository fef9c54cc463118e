/**
 * `tacit chain`: deploy the Tacit contracts to any EVM chain (`deploy`), or run the embedded
 * single-machine chain in the foreground (`start`). Machine-readable output (`--json`) goes
 * to stdout alone; progress and errors go to stderr.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatEther, getAddress, isAddress, type Address } from 'viem';
import { deployTacit } from '../chain/deploy.js';
import { devPrivateKey, ANVIL_DEV_MNEMONIC } from '../chain/dev-accounts.js';
import { startEmbeddedChain } from '../chain/embedded.js';
import { loadManifest, writeManifest, type TacitManifest } from '../chain/manifest.js';
import { publicClientFor } from '../chain/clients.js';
import { loadSigningKey } from './signing-key.js';
import { parseFlags, dispatch, UsageError } from './usage.js';

const USAGE = `usage:
  tacit chain deploy --rpc URL [--payment-token ADDR] [--out FILE] [--json] [--keystore FILE]
                     [--min-stake UNITS] [--exit-delay SECONDS] [--slash-amount UNITS] [--max-task-duration SECONDS]
      Deploys NodeRegistry, DataRegistry (with the DataToken implementation), TaskMarket,
      DataTokenSale, KeyRegistry and Clearing (and a test-only payment token when
      --payment-token is omitted — allowed only on local dev chains, chain id 31337 or 1337;
      any other chain needs --payment-token). Key: TACIT_PRIVATE_KEY, or --keystore FILE (v3 keystore)
      with TACIT_KEYSTORE_PASSPHRASE.
  tacit chain start [--data-dir DIR] [--port N] [--deploy]
      Runs the embedded chain (anvil on 127.0.0.1, state kept in DIR, default .tacit/chain)
      until interrupted. --deploy deploys Tacit with dev account 0 unless DIR/manifest.json
      already describes a deployment on it.
  tacit chain fund ADDRESS --manifest FILE [--rpc URL] [--eth N] [--tokens N] [--json]
      Development chains only (chain id 31337/1337 with the test payment token): adds N
      ether and N payment tokens (whole units, 18 decimals) to ADDRESS — e.g. a node's
      address from \`tacit node init\`, or the requester's. Refused on any other chain.`;

export function chainCommand(argv: string[]): Promise<number> {
  return dispatch('chain', argv, { deploy: deployCommand, start: startCommand, fund: fundCommand }, USAGE);
}

async function deployCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      rpc: { type: 'string' },
      'payment-token': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      keystore: { type: 'string' },
      'min-stake': { type: 'string' },
      'exit-delay': { type: 'string' },
      'slash-amount': { type: 'string' },
      'max-task-duration': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.rpc) throw new UsageError('--rpc URL is required', { hint: USAGE });
  let paymentToken: Address | undefined;
  if (values['payment-token'] !== undefined) {
    if (!isAddress(values['payment-token'], { strict: false })) throw new UsageError('--payment-token must be an address');
    paymentToken = getAddress(values['payment-token']);
  }
  const key = await loadSigningKey({ keystore: values.keystore });
  const json = values.json === true;
  const manifest = await deployTacit({
    rpcUrl: values.rpc,
    account: key,
    paymentToken,
    minStake: optionalBigint(values['min-stake'], '--min-stake'),
    exitDelay: optionalSeconds(values['exit-delay'], '--exit-delay'),
    slashAmount: optionalBigint(values['slash-amount'], '--slash-amount'),
    maxTaskDuration: optionalSeconds(values['max-task-duration'], '--max-task-duration'),
    onStep: json ? undefined : (step) => process.stderr.write(`${step}...\n`),
  });
  if (values.out) writeManifest(values.out, manifest);
  if (json) process.stdout.write(`${JSON.stringify(manifest)}\n`);
  else process.stdout.write(describe(manifest, values.out));
  return 0;
}

async function startCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      'data-dir': { type: 'string', default: '.tacit/chain' },
      port: { type: 'string' },
      deploy: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? '.tacit/chain');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new UsageError('--port must be an integer in 1..65535');
  }
  const chain = await startEmbeddedChain({ dataDir, port });
  const stop = async () => {
    process.stderr.write('stopping chain (saving state)...\n');
    await chain.stop();
  };
  try {
    process.stdout.write(`chain running: rpc ${chain.rpcUrl} chainId ${chain.chainId} state ${chain.stateFile}\n`);
    process.stdout.write(`dev accounts: anvil's default mnemonic "${ANVIL_DEV_MNEMONIC}" (test only)\n`);
    if (values.deploy) {
      const manifestPath = join(dataDir, 'manifest.json');
      const manifest = await existingDeployment(manifestPath, chain.rpcUrl, chain.chainId);
      if (manifest) {
        process.stdout.write(`Tacit already deployed: manifest ${manifestPath}\n`);
      } else {
        const fresh = await deployTacit({ rpcUrl: chain.rpcUrl, account: devPrivateKey(0), pollingInterval: 20 });
        writeManifest(manifestPath, fresh);
        process.stdout.write(describe(fresh, manifestPath));
      }
    }
    process.stdout.write('press Ctrl-C to stop\n');
  } catch (err) {
    await stop();
    throw err;
  }
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', resolveSignal);
    process.once('SIGTERM', resolveSignal);
  });
  await stop();
  return 0;
}

async function fundCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { manifest: { type: 'string' }, rpc: { type: 'string' }, eth: { type: 'string' }, tokens: { type: 'string' }, json: { type: 'boolean', default: false } } });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { hint: USAGE });
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !isAddress(positionals[0]!, { strict: false })) throw new UsageError('name exactly one ADDRESS (0x…, any case)', { hint: USAGE });
  if (!values.manifest) throw new UsageError('--manifest FILE is required', { hint: USAGE });
  if (values.eth === undefined && values.tokens === undefined) throw new UsageError('give --eth N and/or --tokens N', { hint: USAGE });
  for (const [flag, v] of [['--eth', values.eth], ['--tokens', values.tokens]] as const) {
    if (v !== undefined && !/^[0-9]+(\.[0-9]{1,18})?$/.test(v)) throw new UsageError(`${flag} must be a non-negative decimal number of whole units`);
  }
  const manifest = loadManifest(resolve(values.manifest));
  const rpcUrl = values.rpc ?? manifest.rpcUrl;
  if (!rpcUrl) throw new UsageError('--rpc URL is required (the manifest records none)', { hint: USAGE });
  const { fundDevAccount } = await import('../chain/dev-fund.js');
  const r = await fundDevAccount(rpcUrl, manifest, getAddress(positionals[0]!), { ...(values.eth !== undefined ? { ether: values.eth } : {}), ...(values.tokens !== undefined ? { tokens: values.tokens } : {}) });
  process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `${r.address} now holds ${formatEther(BigInt(r.ether))} ether and ${formatEther(BigInt(r.tokens))} payment tokens\n`);
  return 0;
}

/** The manifest at `path` if it describes contracts that exist on this chain. */
async function existingDeployment(path: string, rpcUrl: string, chainId: number): Promise<TacitManifest | undefined> {
  if (!existsSync(path)) return undefined;
  const manifest = loadManifest(path);
  if (manifest.chainId !== chainId) return undefined;
  const code = await publicClientFor({ rpcUrl, chainId }).getCode({ address: manifest.contracts.TaskMarket });
  return code && code !== '0x' ? manifest : undefined;
}

function describe(m: TacitManifest, out: string | undefined): string {
  const lines = [
    `Tacit deployed on chain ${m.chainId} from block ${m.block} by ${m.deployer}`,
    ...Object.entries(m.contracts).map(([name, addr]) => `  ${name.padEnd(24)} ${addr}`),
  ];
  if (m.testPaymentToken) lines.push('  (PaymentToken is the test-only TestToken: anyone can mint it)');
  if (out) lines.push(`manifest written to ${out}`);
  return `${lines.join('\n')}\n`;
}

function optionalBigint(v: string | undefined, flag: string): bigint | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) throw new UsageError(`${flag} must be a non-negative integer (token base units)`);
  return BigInt(v);
}

function optionalSeconds(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer (seconds)`);
  return n;
}
