/**
 * FrostVerifier.sol on a real anvil, against independent references: the RFC 9591 E.5
 * signature, signatures made by src/keys ceremonies (checked by noble off-chain too), and
 * random keys signing with noble's single-key FROST `sign`. Rejections: flipped z, flipped
 * R, R off the curve, wrong message, wrong key, z ≥ n. Gas of one verification measured
 * around the library call (target ≤ 6,000).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { FrostVerifierHarnessAbi, FrostVerifierHarnessBytecode } from '../../src/chain/artifacts.js';
import { toSolidityKey, toSoliditySignature } from '../../src/chain/frost-signature.js';
import { FROST, Fn, fromHex, randomScalar, Point } from '../../src/keys/suite.js';
import { startLocalLedger } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let harness: Address;
const N = Fn.ORDER;

before(async () => {
  env = await startLocalLedger();
  const r = await env.ledger.tx(env.ledger.account(0), 'deploy harness', (w) => w.deployContract({ abi: FrostVerifierHarnessAbi, bytecode: FrostVerifierHarnessBytecode }));
  harness = r.contractAddress!;
});
after(() => env?.stop());

const call = (fn: 'verify' | 'verifyDigest' | 'measureDigest', args: readonly unknown[]) => env.ledger.pub.readContract({ address: harness, abi: FrostVerifierHarnessAbi, functionName: fn, args } as never) as Promise<unknown>;

test('RFC 9591 E.5 signature verifies on-chain; tampered ones do not', async () => {
  const v = JSON.parse(readFileSync(new URL('../../../test/vectors/rfc9591/frost-secp256k1-sha256.json', import.meta.url), 'utf8')) as { inputs: { group_public_key: string; message: string }; final_output: { sig: string } };
  const key = toSolidityKey(v.inputs.group_public_key);
  const sig = toSoliditySignature(v.final_output.sig);
  const msg = `0x${v.inputs.message}` as Hex;
  assert.equal(await call('verify', [key, msg, sig]), true);
  assert.equal(await call('verify', [key, '0x74657375', sig]), false, 'wrong message');
  assert.equal(await call('verify', [key, msg, { ...sig, z: sig.z ^ 1n }]), false, 'flipped z');
  assert.equal(await call('verify', [key, msg, { ...sig, z: N }]), false, 'z = n');
  assert.equal(await call('verify', [key, msg, { ...sig, ry: sig.ry ^ 2n }]), false, 'R off the curve');
  const R2 = Point.BASE.multiply(7n).toAffine();
  assert.equal(await call('verify', [key, msg, { ...sig, rx: R2.x, ry: R2.y }]), false, 'another R');
  assert.equal(await call('verify', [{ ...key, parity: 1 - key.parity }, msg, sig]), false, 'negated key');
  assert.equal(await call('verify', [toSolidityKey(Point.BASE.multiply(5n).toBytes(true)), msg, sig]), false, 'wrong key');
});

test('random keys and digests: on-chain verdict equals noble; gas per verification', async () => {
  let maxGas = 0n;
  for (let i = 0; i < 12; i++) {
    const sk = randomScalar();
    const pk = Point.BASE.multiply(sk).toBytes(true);
    const digest = keccak256(toHex(`tacit test ${i}`));
    const sig = FROST.sign(fromHex(digest.slice(2)), Fn.toBytes(sk));
    assert.ok(FROST.verify(sig, fromHex(digest.slice(2)), pk));
    const [ok, gas] = (await call('measureDigest', [toSolidityKey(pk), digest, toSoliditySignature(sig)])) as [boolean, bigint];
    assert.equal(ok, true);
    if (gas > maxGas) maxGas = gas;
    const other = keccak256(toHex(`tacit test ${i}!`));
    assert.equal(await call('verifyDigest', [toSolidityKey(pk), other, toSoliditySignature(sig)]), false);
  }
  console.log(`# FrostVerifier.verifyDigest gas (max of 12): ${maxGas}`);
  assert.ok(maxGas <= 6000n, `verification used ${maxGas} gas`);
});
