/**
 * Command-line usage errors (unknown command, bad flag): exit code 2 instead of 1, and the
 * usage text as the hint. Also wraps node's parseArgs so its errors become UsageErrors.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TacitError } from '../errors.js';

export class UsageError extends TacitError {
  override name = 'UsageError';
}

/**
 * `--help` / `-h` anywhere among a command's flags: not an error, but it ends the command the
 * same way — main prints the usage on stdout and exits 0, whatever else was on the line.
 */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly usage: string) {
    super('help requested');
  }
}

/** True when the arguments ask for help. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** node:util parseArgs in strict mode; unknown flags and bad values throw UsageError. */
export function parseFlags<T extends ParseArgsConfig['options']>(args: string[], options: T, usage: string) {
  if (wantsHelp(args) && !(options && ('help' in options))) throw new HelpRequested(usage);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { hint: usage });
  }
}

/**
 * Dispatches `tacit <command> <sub> …` to a table of subcommands; no subcommand or `help`
 * prints the usage (exit 2 and 0 respectively), an unknown one is a UsageError.
 */
export function dispatch(command: string, argv: string[], table: Record<string, (args: string[]) => Promise<number>>, usage: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(`${usage}\n`);
    return Promise.resolve(sub === undefined ? 2 : 0);
  }
  const run = table[sub];
  if (!run) throw new UsageError(`unknown subcommand "${command} ${sub}"`, { hint: usage });
  return run(rest);
}

/**
 * Prints a command's result: `--field NAME` prints that one top-level value alone (for shell
 * scripts: `ID=$(tacit task create … --field taskId)`), `--json` the whole object, otherwise
 * the human text. An unknown field is a usage error naming the fields there are.
 */
export function emitResult(out: Record<string, unknown>, flags: { json?: boolean; field?: string }, human: () => string): void {
  if (flags.field !== undefined) {
    if (!(flags.field in out)) throw new UsageError(`--field ${flags.field}: no such field (fields: ${Object.keys(out).join(', ')})`);
    const v = out[flags.field];
    process.stdout.write(`${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}\n`);
    return;
  }
  process.stdout.write(flags.json ? `${JSON.stringify(out, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}\n` : human());
}
