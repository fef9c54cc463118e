/**
 * Where a node's passphrase comes from: the environment variable TACIT_PASSPHRASE (for
 * services started by systemd, containers with a secrets mount, tests), or else a prompt on
 * the controlling terminal with echo off. Never from a flag: flags land in shell history and
 * in `ps` output. When there is neither a variable nor a terminal (a pipe, a cron job), the
 * error says how to provide one instead of waiting forever on stdin.
 */
import { PassphraseError } from './errors.js';

export const PASSPHRASE_ENV = 'TACIT_PASSPHRASE';
/** `init` refuses shorter passphrases: the keystore is only as strong as the passphrase. */
export const MIN_PASSPHRASE_LENGTH = 8;

export interface ReadPassphraseOptions {
  /** Ask twice and compare (when creating keys). */
  confirm?: boolean;
  /** Enforce MIN_PASSPHRASE_LENGTH (when creating keys). */
  creating?: boolean;
  env?: NodeJS.ProcessEnv;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

/** The passphrase from TACIT_PASSPHRASE or the terminal. Throws PassphraseError. */
export async function readPassphrase(options: ReadPassphraseOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  let passphrase: string;
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    passphrase = fromEnv;
  } else if (input.isTTY) {
    passphrase = await promptHidden('passphrase: ', input, output);
    if (options.confirm) {
      const again = await promptHidden('passphrase again: ', input, output);
      if (again !== passphrase) throw new PassphraseError('the two passphrases differ', { hint: 'run the command again' });
    }
  } else {
    throw new PassphraseError('no passphrase: TACIT_PASSPHRASE is not set and there is no terminal to ask on', {
      hint: `set ${PASSPHRASE_ENV} in the environment of the node (for a service: an EnvironmentFile readable by its user only)`,
    });
  }
  if (passphrase.length === 0) throw new PassphraseError('the passphrase is empty');
  if (options.creating && passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new PassphraseError(`the passphrase is shorter than ${MIN_PASSPHRASE_LENGTH} characters`, {
      hint: 'the keys are encrypted with it; use a long passphrase (a few random words)',
    });
  }
  return passphrase;
}

/** Reads one line from a TTY in raw mode without echoing it. Ctrl-C and Ctrl-D abort. */
function promptHidden(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let text = '';
    const finish = (err?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new PassphraseError('interrupted'));
        if (ch === '\u0004') {
          if (text.length === 0) return finish(new PassphraseError('no passphrase entered'));
          return finish();
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    input.on('data', onData);
  });
}
