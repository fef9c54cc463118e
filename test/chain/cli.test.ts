/**
 * `tacit chain` as a user runs it: `deploy --json` against an anvil Tacit did not start
 * (spawned directly here), with the key from TACIT_PRIVATE_KEY or from an encrypted keystore;
 * errors on stderr with a non-zero exit and no secret in sight; and `start --deploy` running
 * the embedded chain in the foreground until SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createPublicClient, http } from 'viem';
import { spawnAnvil, type AnvilProcess } from '../../src/chain/anvil.js';
import { devAccount, devPrivateKey } from '../../src/chain/dev-accounts.js';
import { killAndWait, waitForRpc } from '../../src/chain/embedded.js';
import { validateManifest } from '../../src/chain/manifest.js';
import { freePort } from '../../src/chain/ports.js';
import { encryptKeystore } from '../../src/crypto/keystore.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let anvil: AnvilProcess;
let rpcUrl: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-cli-'));
  const port = await freePort();
  anvil = spawnAnvil(['--host', '127.0.0.1', '--port', String(port), '--quiet']);
  rpcUrl = `http://127.0.0.1:${port}`;
  await waitForRpc(rpcUrl, { process: anvil });
});
after(async () => {
  if (anvil) await killAndWait(anvil);
  rmSync(dir, { recursive: true, force: true });
});

function tacit(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.TACIT_PRIVATE_KEY;
  delete base.TACIT_KEYSTORE_PASSPHRASE;
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...base, ...env } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

async function assertDeployed(manifest: ReturnType<typeof validateManifest>) {
  const client = createPublicClient({ transport: http(rpcUrl) });
  for (const [name, address] of Object.entries(manifest.contracts)) {
    const code = await client.getCode({ address });
    assert.ok(code && code.length > 2, `${name} has code at ${address}`);
  }
}

test('deploy --json prints only the manifest on stdout, and the contracts exist', async () => {
  const r = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--json'], { TACIT_PRIVATE_KEY: devPrivateKey(0) });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON on stdout');
  const manifest = validateManifest(JSON.parse(lines[0]!));
  assert.equal(manifest.chainId, 31337);
  assert.equal(manifest.deployer, devAccount(0).address);
  assert.equal(manifest.rpcUrl, rpcUrl);
  assert.equal(manifest.testPaymentToken, true);
  await assertDeployed(manifest);

  // A second deployment reusing that payment token.
  const r2 = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--json', '--payment-token', manifest.contracts.PaymentToken], {
    TACIT_PRIVATE_KEY: devPrivateKey(0),
  });
  assert.equal(r2.code, 0, r2.stderr);
  const m2 = validateManifest(JSON.parse(r2.stdout));
  assert.equal(m2.contracts.PaymentToken, manifest.contracts.PaymentToken);
  assert.equal(m2.testPaymentToken, false);
  assert.notEqual(m2.contracts.TaskMarket, manifest.contracts.TaskMarket);
});

test('deploy with an encrypted keystore writes the manifest file', async () => {
  const ks = await encryptKeystore(devPrivateKey(1), 'keystore-pass-4242', { n: 1024, r: 8, p: 1 });
  const ksPath = join(dir, 'deployer.json');
  writeFileSync(ksPath, JSON.stringify(ks));
  const out = join(dir, 'out', 'manifest.json');
  const r = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--keystore', ksPath, '--out', out], {
    TACIT_KEYSTORE_PASSPHRASE: 'keystore-pass-4242',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /TaskMarket/);
  const manifest = validateManifest(JSON.parse(readFileSync(out, 'utf8')));
  assert.equal(manifest.deployer, devAccount(1).address);
  await assertDeployed(manifest);

  const bad = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--keystore', ksPath, '--json'], {
    TACIT_KEYSTORE_PASSPHRASE: 'not-the-pass-1717',
  });
  assert.equal(bad.code, 1);
  assertJsonError(bad.stdout, 'KeystoreError');
  assert.ok(!bad.stdout.includes('not-the-pass-1717'));
  assert.match(bad.stderr, /wrong passphrase/);
  assert.ok(!bad.stderr.includes('not-the-pass-1717') && !bad.stderr.includes('keystore-pass-4242'));
});

/** With --json a failure is one JSON error object on stdout (the human text stays on stderr). */
function assertJsonError(stdout: string, code?: string): void {
  const e = (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
  assert.equal(typeof e.message, 'string');
  if (code) assert.equal(e.code, code);
}

test('errors go to stderr with a non-zero exit and never show the key', async () => {
  const noKey = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--json']);
  assert.equal(noKey.code, 1);
  assertJsonError(noKey.stdout);
  assert.match(noKey.stderr, /TACIT_PRIVATE_KEY/);

  const badKey = '0x1234deadbeef';
  const malformed = await tacit(['chain', 'deploy', '--rpc', rpcUrl], { TACIT_PRIVATE_KEY: badKey });
  assert.equal(malformed.code, 1);
  assert.ok(!malformed.stderr.includes('1234deadbeef'));

  // A funded-nowhere key: the deployment fails; its key must not leak in the message.
  const pauper = `0x${'42'.repeat(32)}`;
  const poor = await tacit(['chain', 'deploy', '--rpc', rpcUrl, '--json'], { TACIT_PRIVATE_KEY: pauper });
  assert.equal(poor.code, 1);
  assertJsonError(poor.stdout);
  assert.ok(!poor.stdout.includes('42'.repeat(32)));
  assert.ok(!poor.stderr.includes('42'.repeat(32)));
  assert.match(poor.stderr, /fund the deployer/);

  const usage = await tacit(['chain', 'deploy', '--bogus']);
  assert.equal(usage.code, 2);
  const unknown = await tacit(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('chain start --deploy runs the embedded chain until SIGTERM and keeps its state', async () => {
  const dataDir = join(dir, 'chain');
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'chain', 'start', '--data-dir', dataDir, '--port', String(port), '--deploy'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!stdout.includes('press Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(stdout, new RegExp(`rpc http://127.0.0.1:${port}`));
  assert.ok(existsSync(join(dataDir, 'manifest.json')));
  const manifest = validateManifest(JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.ok(existsSync(join(dataDir, 'anvil-state.json')));

  // Started again, it finds the deployment it made instead of deploying anew.
  const again = spawn(process.execPath, [MAIN, 'chain', 'start', '--data-dir', dataDir, '--deploy'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out2 = '';
  again.stdout.on('data', (c: Buffer) => (out2 += c.toString()));
  const exited2 = new Promise<number | null>((r) => again.once('exit', (code) => r(code)));
  while (!out2.includes('press Ctrl-C') && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 50));
  assert.match(out2, /already deployed/);
  assert.deepEqual(validateManifest(JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8'))), manifest);
  again.kill('SIGINT');
  assert.equal(await exited2, 0);
});

test('deploy to a chain that is not a local dev chain refuses the mintable test token', async () => {
  const port = await freePort();
  const other = spawnAnvil(['--host', '127.0.0.1', '--port', String(port), '--chain-id', '5151', '--quiet']);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForRpc(url, { process: other });
    const r = await tacit(['chain', 'deploy', '--rpc', url, '--json'], { TACIT_PRIVATE_KEY: devPrivateKey(0) });
    assert.notEqual(r.code, 0);
    assertJsonError(r.stdout, 'DeployError');
    assert.match(r.stderr, /not a local development chain/);
    assert.match(r.stderr, /--payment-token/);
  } finally {
    await killAndWait(other);
  }
});
