// One shape for every command: `--help` on each command and subcommand prints its usage on
// stdout and exits 0; `--version` prints the version; with `--json`, a failure is one JSON
// error object on stdout and a non-zero exit. Commands and subcommands are read from the
// CLI's own usage text, so a command added later is covered without editing this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };

function tacitCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [tacit, ...args], { encoding: 'utf8', env: { ...process.env, TACIT_PRIVATE_KEY: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function commands(): string[] {
  const out = tacitCli(['--help']);
  assert.equal(out.status, 0, out.stderr);
  const section = out.stdout.split('commands:')[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]!);
}

test('tacit --version prints the package version', () => {
  const out = tacitCli(['--version']);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, new RegExp(`^tacit ${pkg.version.replace(/\./g, '\\.')} `));
});

test('--help on every command and subcommand prints usage on stdout and exits 0', () => {
  const names = commands();
  assert.ok(names.includes('run') && names.includes('task') && names.includes('market'), `commands: ${names.join(',')}`);
  let checked = 0;
  for (const name of names) {
    const top = tacitCli([name, '--help']);
    assert.equal(top.status, 0, `tacit ${name} --help: exit ${top.status} ${top.stderr}`);
    assert.match(top.stdout, /usage/i, `tacit ${name} --help printed no usage`);
    checked++;
    const subs = new Set([...top.stdout.matchAll(new RegExp(`tacit ${name} ([a-z][a-z-]*)`, 'g'))].map((m) => m[1]!));
    for (const sub of subs) {
      const out = tacitCli([name, sub, '--help']);
      assert.equal(out.status, 0, `tacit ${name} ${sub} --help: exit ${out.status} ${out.stderr}`);
      assert.match(out.stdout, /usage/i, `tacit ${name} ${sub} --help printed no usage`);
      checked++;
    }
  }
  assert.ok(checked >= 15, `only ${checked} commands and subcommands found`);
});

test('--json failures print {"error":{code,message,hint}} on stdout and exit non-zero', () => {
  const out = tacitCli(['market', 'nodes', '--json', '--no-such-flag']);
  assert.notEqual(out.status, 0);
  const parsed = JSON.parse(out.stdout) as { error: { code: string; message: string; hint?: string } };
  assert.equal(parsed.error.code, 'UsageError');
  assert.match(parsed.error.message, /no-such-flag/);
  assert.equal(typeof parsed.error.hint, 'string');
  const missing = tacitCli(['task', 'status', '1', '--json']);
  assert.notEqual(missing.status, 0);
  assert.equal(typeof (JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'string');
});

test('an unknown command exits 2 and names it, without JSON unless asked', () => {
  const out = tacitCli(['no-such-command']);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /unknown command "no-such-command"/);
  assert.equal(out.stdout, '');
});
