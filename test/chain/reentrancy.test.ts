/**
 * The reentrancy guards, exercised by a hostile payment token (compiled here with solc-js,
 * test-only) whose transfer hook calls back into the contract that is moving it: a re-entry
 * into TaskMarket during createTask and into NodeRegistry during addStake must both revert
 * with ReentrancyGuardReentrantCall.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeFunctionData, parseAbi, type Abi, type Address, type Hex } from 'viem';
import { NodeRegistryAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';
import { deployTacit } from '../../src/chain/deploy.js';
import { devPrivateKey } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { LocalLedger, setupStandardScenario, type StandardScenario } from '../../src/chain/local-ledger.js';
import { expectRevert, TOKEN } from './fixture.js';

const HOSTILE_TOKEN = `
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
/// TEST ONLY: on its next transfer, calls \`target\` with \`data\` and bubbles any revert.
contract HostileToken is ERC20 {
    address private _target;
    bytes private _data;
    constructor() ERC20("Hostile", "HST") {}
    function mint(address to, uint256 amount) external { _mint(to, amount); }
    function arm(address target, bytes calldata data) external { _target = target; _data = data; }
    function _update(address from, address to, uint256 value) internal override {
        address target = _target;
        if (target != address(0)) {
            _target = address(0);
            (bool ok, bytes memory ret) = target.call(_data);
            if (!ok) assembly { revert(add(ret, 32), mload(ret)) }
        }
        super._update(from, to, value);
    }
}`;

function compileHostileToken(): { abi: Abi; bytecode: Hex } {
  const require = createRequire(import.meta.url);
  const solc = require('solc');
  const oz = dirname(require.resolve('@openzeppelin/contracts/package.json'));
  const input = {
    language: 'Solidity',
    sources: { 'HostileToken.sol': { content: HOSTILE_TOKEN } },
    settings: { evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const findImports = (path: string) => {
    const file = join(oz, path.replace('@openzeppelin/contracts/', ''));
    return existsSync(file) ? { contents: readFileSync(file, 'utf8') } : { error: `not found: ${path}` };
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === 'error');
  assert.equal(errors.length, 0, JSON.stringify(errors));
  const c = out.contracts['HostileToken.sol'].HostileToken;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

const armAbi = parseAbi(['function arm(address target, bytes data)']);
let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let ledger: LocalLedger;
let s: StandardScenario;
let token: Address;

before(async () => {
  chain = await startEphemeralChain();
  const { abi, bytecode } = compileHostileToken();
  const bootstrap = await LocalLedger.deploy(chain.rpcUrl); // for its clients and tx helper
  const receipt = await bootstrap.tx(bootstrap.account(0), 'deploy HostileToken', (w) => w.deployContract({ abi, bytecode }));
  token = receipt.contractAddress!;
  const manifest = await deployTacit({ rpcUrl: chain.rpcUrl, account: devPrivateKey(0), paymentToken: token, pollingInterval: 20 });
  // The hostile token mints like TestToken, so the ledger driver may treat it as one.
  // Without the guards these re-entries would fail differently (TaskMarketNotExpired,
  // NodeRegistryNotExiting), so the error name shows the guard is what stopped them.
  ledger = new LocalLedger(chain.rpcUrl, { ...manifest, testPaymentToken: true });
  s = await setupStandardScenario(ledger);
});
after(() => chain?.stop());

async function arm(target: Address, data: Hex) {
  await ledger.tx(ledger.account(0), 'arm', (w) => w.writeContract({ address: token, abi: armAbi, functionName: 'arm', args: [target, data] }));
}

test('TaskMarket: re-entering from the payment token during createTask reverts', async () => {
  const market = ledger.manifest.contracts.TaskMarket;
  await arm(market, encodeFunctionData({ abi: TaskMarketAbi, functionName: 'expire', args: [1n] }));
  await expectRevert(ledger.createTask(s.requester, await s.spec()), 'ReentrancyGuardReentrantCall');
  // The revert also undid the hook's self-disarming: disarm explicitly, then a task goes through
  // (task 1: the failed attempt left nothing behind).
  await arm('0x0000000000000000000000000000000000000000', '0x');
  const { taskId } = await ledger.createTask(s.requester, await s.spec());
  assert.equal(taskId, 1n);
});

test('NodeRegistry: re-entering from the stake token during addStake reverts', async () => {
  const registry = ledger.manifest.contracts.NodeRegistry;
  const node = s.compute[0];
  await ledger.mint(node.address, 10n * TOKEN);
  await ledger.approve(node, token, registry, 10n * TOKEN);
  await arm(registry, encodeFunctionData({ abi: NodeRegistryAbi, functionName: 'withdrawStake' }));
  await expectRevert(
    ledger.tx(node, 'addStake', (w) => w.writeContract({ address: registry, abi: NodeRegistryAbi, functionName: 'addStake', args: [TOKEN] })),
    'ReentrancyGuardReentrantCall',
  );
});
