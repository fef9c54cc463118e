/**
 * Files that hold secrets (the keystore, the API token): created with mode 0600 inside a
 * directory of mode 0700, written atomically (a temporary file in the same directory, then
 * rename) so a crash never leaves half a keystore, never overwritten by accident, and
 * refused on read when other users of the host could read them — as ssh refuses a private
 * key with loose permissions. POSIX modes do not exist on Windows; the checks are skipped
 * there.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InsecureFileError, NodeDirectoryInUseError } from './errors.js';

const POSIX = process.platform !== 'win32';

/** Creates `dir` (and parents) with mode 0700; tightens an existing empty-permission directory. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX) {
    const mode = statSync(dir).mode & 0o777;
    if (mode & 0o077) chmodSync(dir, 0o700);
  }
}

/**
 * Writes `content` to `path` with mode 0600, atomically. With `exclusive` (the default) an
 * existing file is an error: secrets are created once.
 */
export function writeSecretFile(path: string, content: string | Uint8Array, options: { exclusive?: boolean } = {}): void {
  if (options.exclusive !== false && existsSync(path)) {
    throw new NodeDirectoryInUseError(`${path} already exists; it is never overwritten`, {
      hint: 'use a new node directory, or move the old file away if you really mean to replace it',
    });
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  if (POSIX) chmodSync(tmp, 0o600); // the umask may have masked bits off, never on; be explicit anyway
  renameSync(tmp, path);
}

/** Reads a secret file after checking that only its owner can read it. */
export function readSecretFile(path: string): string {
  assertPrivateFile(path);
  return readFileSync(path, 'utf8');
}

/** Throws InsecureFileError when group or others have any access to `path` (POSIX only). */
export function assertPrivateFile(path: string): void {
  if (!POSIX) return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new InsecureFileError(`${path} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')})`, {
      hint: `run \`chmod 600 ${path}\`; secret files of a node must be readable by its owner only`,
    });
  }
}
