/**
 * `tacit <command> ...`: a table from command name to the module that implements it, loaded
 * on demand so that `tacit chain` does not pay for the MPC engine and vice versa. Each
 * module exports `xCommand(argv)` returning an exit code. Errors print one clear message on
 * stderr (never secrets: messages are built from names, sizes and steps) and exit non-zero.
 */
import { TacitError } from '../errors.js';
import { tacitVersion } from '../version.js';
import { HelpRequested, UsageError, wantsHelp } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  sandbox: { summary: 'the credit scenario on a local chain with four institution nodes (npm start)', load: async () => (await import('./sandbox.js')).sandboxCommand },
  task: { summary: 'create a task, follow it, fetch and open its result (requester; TACIT_PRIVATE_KEY)', load: async () => (await import('./task.js')).taskCommand },
  market: { summary: 'list nodes and datasets, buy data tokens', load: async () => (await import('./task.js')).marketCommand },
  run: { summary: 'run one algorithm locally, every party its own process on loopback TLS', load: async () => (await import('./run.js')).runCommand },
  chain: { summary: 'deploy the Tacit contracts, or run the embedded chain', load: async () => (await import('./chain.js')).chainCommand },
  node: { summary: 'create a node directory (keys, token, config) and show a node', load: async () => (await import('./node.js')).nodeCommand },
  data: { summary: "import, publish and list a running node's datasets", load: async () => (await import('./data.js')).dataCommand },
  clearing: { summary: "clearing cycles run by bank nodes: a bank's queue, open, status, expire", load: async () => (await import('./clearing.js')).clearingCommand },
  key: { summary: 'threshold keys: create, sign, refresh, reshare, list (members as local processes)', load: async () => (await import('./key.js')).keyCommand },
  zk: { summary: 'zero-knowledge claims: commit, prove, verify, trusted-setup ceremony', load: async () => (await import('./zk.js')).zkCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: tacit <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tacit <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`tacit ${tacitVersion()} (node ${process.version})\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`, { hint: usage() });
  return (await command.load())(rest);
}

/** Error codes for the `--json` error object: the error's own code or class name, or a generic one. */
function errorCode(err: unknown): string {
  if (err instanceof TacitError) return err.code ?? err.name;
  const e = err as { name?: string } | undefined;
  return typeof e?.name === 'string' && e.name !== 'Error' ? e.name : 'UnexpectedError';
}

/**
 * With `--json`, a failure is one JSON object on stdout — `{"error":{"code","message","hint"}}`
 * — so a script that parses the command's output always gets JSON; the human text still goes
 * to stderr.
 */
function reportJson(err: unknown): void {
  const e = err as { shortMessage?: string; message?: string; details?: string; hint?: string };
  const error: Record<string, string> = { code: errorCode(err), message: e?.shortMessage ?? e?.message ?? String(err) };
  if (e?.details) error.details = e.details;
  if (e?.hint) error.hint = e.hint;
  process.stdout.write(`${JSON.stringify({ error })}\n`);
}

function report(err: unknown, argv: readonly string[]): number {
  if (err instanceof HelpRequested) {
    process.stdout.write(`${err.usage}\n`);
    return 0;
  }
  // `--help` anywhere: a command that stopped at a usage error prints its usage and succeeds.
  if (err instanceof UsageError && wantsHelp(argv) && err.hint) {
    process.stdout.write(`${err.hint}\n`);
    return 0;
  }
  // With --json the error object goes to stdout (for the script) and the same error, told
  // once, to stderr (for the person at the terminal).
  if (argv.includes('--json')) reportJson(err);
  if (err instanceof UsageError) {
    process.stderr.write(`tacit: ${err.message}\n`);
    return 2;
  }
  if (err instanceof TacitError) {
    process.stderr.write(`tacit: ${err.message}\n`);
    if (process.env.TACIT_DEBUG && err.cause) process.stderr.write(`cause: ${String((err.cause as Error).stack ?? err.cause)}\n`);
    return 1;
  }
  const e = err as { shortMessage?: string; message?: string; stack?: string };
  process.stderr.write(`tacit: ${e?.shortMessage ?? e?.message ?? String(err)}\n`);
  if (process.env.TACIT_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = report(err, argv);
  },
);
