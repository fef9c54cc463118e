/**
 * The console in a real browser (Debian's Chromium, headless, through playwright-core)
 * against a real network: an anvil chain and three `tacit node start` processes. Through
 * the bank's console it: refuses a wrong token, logs in, imports a bad CSV (every bad line
 * listed) and a good one, publishes it, buys data tokens of the bureau's dataset, creates an
 * lr-train task from the form (and sees a bad form refused before anything is sent), watches
 * it settle on the live timeline and draws the ROC and KS curves. Each figure on screen is
 * checked against an independent source: the chain (balances, events) or the receiver
 * node's own result route. The Proofs page says the manifest names no ZkClaims, then lists a
 * claim recorded once ZkClaims is added to the nodes' manifest file (claim id and gas checked
 * against the chain). Then the one-time login link (spent once, gone from the URL),
 * the HttpOnly cookie, keyboard navigation and the phone-width layout.
 *
 * With TACIT_CONSOLE_SCREENSHOTS=<dir> it also saves a screenshot of each page there
 * (scripts/console-screenshots.mjs → docs/console.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { erc20Abi } from 'viem';
import type { Page } from 'playwright-core';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { createTacitClient, listDatasets } from '../../src/sdk/index.js';
import { consoleLinkLines } from '../../src/cli/sandbox-console.js';
import { lockForCycle, openClearingCycle } from '../../src/chain/clearing.js';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { writeManifest } from '../../src/chain/manifest.js';
import { claimIdOf } from '../../src/chain/zk-ledger.js';
import { deployAcceptAllClaims } from '../chain/zk-claim-fixture.js';
import { launchBrowser, skipReason, type Browser } from './browser.js';

const TOKEN = 10n ** 18n;
const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
const shots = process.env.TACIT_CONSOLE_SCREENSHOTS;
let net: LocalNetwork;
let dir: string;
let browser: Browser;
let page: Page;
let taskId: string;

if (skipReason) console.error(`# ${skipReason}`);
// Page-side callbacks below run in the browser, where `document` exists.
declare const document: any;

async function shot(name: string, p: Page = page): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

const goto = async (hash: string, heading: string) => {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: hash }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};

describe('the console in Chromium against a chain and three node processes', { skip: skipReason ?? false }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tacit-console-'));
    net = await startLocalNetwork({
      dir: join(dir, 'net'),
      nodes: [
        { name: 'bank', roles: ['data', 'compute', 'receiver'] },
        { name: 'bureau', roles: ['data', 'compute'] },
        { name: 'telco', roles: ['compute'] },
      ],
    });
    // The bureau lists its features through its API (the bank's side goes through the browser).
    const bureau = net.node('bureau').api;
    await bureau.importDataset({ name: 'breast', path: join(DATA, 'breast_hetero_host.csv'), idColumn: 'id' });
    await bureau.publishDataset('breast', { price: String(2n * TOKEN), algorithms: ['psi', 'lr-train'], mint: 0 });
    await bureau.request('POST', '/datasets/breast/sale', { pricePerUse: String(TOKEN), uses: 10 });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await net?.stop();
    if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong token, then logs in with the right one (an HttpOnly cookie the page cannot read)', async () => {
    const bank = net.node('bank');
    await page.goto(`${bank.apiUrl}/`);
    await shot('login');
    await page.getByLabel('API token').fill('0'.repeat(64));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong API token' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).count(), 0, 'no page behind a wrong token');
    await page.getByLabel('API token').fill(bank.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    assert.ok(!page.url().includes(bank.token), 'the token is not in the URL');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
    // the network page: the three registered nodes with their stakes, from the chain
    const rows = page.getByTestId('nodes').locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=nodes] tbody tr').length === 3);
    assert.equal(await rows.count(), 3);
    await page.getByTestId('nodes').getByText('bank (this node)').waitFor();
    await page.locator('.live.on').waitFor(); // the event stream is up
    const block = Number(await page.getByTestId('block').textContent());
    assert.ok(Math.abs(block - Number(await net.ledger.pub.getBlockNumber({ cacheTime: 0 }))) <= 2, 'the block shown is the chain\'s');
    await shot('network');
  });

  it('imports a CSV (a bad one lists its bad lines) and publishes it with a sale', async () => {
    await goto('Data', 'Data');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,y,x0\n1,1,0.5\n2,0,oops\n3,1,\n');
    await page.getByLabel('Dataset name').fill('bad');
    await page.getByLabel("CSV path on the node's host").fill('relative.csv');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('an absolute path on the node').waitFor(); // refused before sending
    await page.getByLabel("CSV path on the node's host").fill(bad);
    await page.getByRole('button', { name: 'Import' }).click();
    const err = page.getByRole('alert').filter({ hasText: 'CsvError' });
    await err.waitFor();
    assert.ok((await err.locator('tbody tr').count()) >= 2, 'every bad line is listed');
    await shot('data-import-error');

    await page.getByLabel('Dataset name').fill('breast');
    await page.getByLabel("CSV path on the node's host").fill(join(DATA, 'breast_hetero_guest.csv'));
    await page.getByRole('button', { name: 'Import' }).click();
    const card = page.getByTestId('dataset-breast');
    await card.waitFor();
    await card.getByRole('button', { name: 'Publish…' }).click();
    await card.getByLabel('Price per use in tasks (tokens)').fill('2');
    await card.getByRole('button', { name: 'Publish breast' }).click();
    await card.locator('.status', { hasText: 'Active' }).waitFor({ timeout: 60_000 });
    await card.getByText('1 tokens per use').waitFor({ timeout: 30_000 }); // the sale is open at 1 token
    const listed = (await listDatasets(createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl }))).find((d) => d.owner.toLowerCase() === net.node('bank').address.toLowerCase());
    assert.ok(listed, 'the dataset is in the DataRegistry');
    assert.equal(listed.rowCount, 569n);
    assert.equal(listed.price, 2n * TOKEN);
    assert.deepEqual(listed.sale, { open: true, pricePerUse: TOKEN });
    await shot('data');
  });

  it("buys uses of the bureau's dataset on the market", async () => {
    await goto('Market', 'Market');
    const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl });
    const bureauSet = (await listDatasets(client)).find((d) => d.owner.toLowerCase() === net.node('bureau').address.toLowerCase())!;
    const row = page.getByTestId(`market-${bureauSet.id}`);
    await row.waitFor();
    await row.getByLabel('Uses', { exact: true }).fill('0');
    await row.getByRole('button', { name: 'Buy' }).click();
    await row.getByText('a whole number of uses').waitFor();
    await row.getByLabel('Uses', { exact: true }).fill('2');
    await row.getByRole('button', { name: 'Buy' }).click();
    await row.getByText('bought 2 uses for 2 tokens').waitFor({ timeout: 60_000 });
    await page.waitForFunction((id: string) => document.querySelector(`[data-testid=held-${id}]`)?.textContent === '2', String(bureauSet.id));
    const held = await net.ledger.pub.readContract({ address: bureauSet.token, abi: erc20Abi, functionName: 'balanceOf', args: [net.node('bank').address] });
    assert.equal(held, 2n * TOKEN, 'the bank holds two data tokens of the bureau');
    await shot('market');
  });

  it('creates an lr-train task from the form, watches it settle and draws its ROC and KS curves', async () => {
    await goto('Tasks', 'Tasks');
    const form = page.getByRole('form', { name: 'Create a task' });
    await form.getByLabel('Program').selectOption('lr-train');
    await form.getByRole('checkbox', { name: /bank ·/ }).waitFor();
    // checked before sending: no dataset chosen
    await form.getByRole('button', { name: 'Create task' }).click();
    await form.getByText('choose at least one dataset').waitFor();
    await form.getByRole('checkbox', { name: /bank ·/ }).check();
    await form.getByRole('checkbox', { name: /bureau ·/ }).check();
    await form.getByLabel('Fee (tokens)').fill('1');
    await form.getByRole('button', { name: 'Create task' }).click();
    await form.getByText("the fee must cover the datasets' prices").waitFor();
    await form.getByLabel('Fee (tokens)').fill('40');
    const params = JSON.parse(await form.getByLabel('Parameters (JSON)').inputValue());
    assert.equal(params.labelParty, net.node('bank').address.toLowerCase(), 'the label party defaults to the first dataset\'s owner');
    assert.equal(params.curvePoints, 20);
    await shot('task-form');
    await form.getByRole('button', { name: 'Create task' }).click();
    const refused = await Promise.race([
      page.waitForURL(/#\/tasks\/\d+$/, { timeout: 60_000 }).then(() => null),
      form.locator('.error').waitFor({ timeout: 60_000 }).then(() => form.locator('.error').textContent()),
    ]);
    assert.equal(refused, null, `the node refused the task: ${refused}`);
    taskId = /#\/tasks\/(\d+)$/.exec(page.url())![1]!;
    await page.getByRole('heading', { level: 1, name: new RegExp(`Task #${taskId}`) }).waitFor();
    await page.getByRole('heading', { level: 1 }).locator('.status', { hasText: 'Settled' }).waitFor({ timeout: 240_000 });
    await page.getByTestId('roc-chart').locator('canvas').waitFor({ timeout: 30_000 });
    await page.getByTestId('ks-chart').locator('canvas').waitFor();

    // The timeline is the chain's: three consents, three commitments, a settlement, with gas.
    const timeline = page.getByTestId('timeline');
    for (const who of ['bank', 'bureau', 'telco']) await timeline.getByText(new RegExp(`Accepted by ${who}`)).waitFor();
    await timeline.getByText(/Settled/).waitFor();
    const payments = await page.getByTestId('payments').textContent();
    assert.match(payments ?? '', /paid to data owners4 tokens/, 'both datasets paid their price (2 + 2)');
    assert.ok(Number((await page.getByTestId('gas-total').textContent())!.replace(/\D/g, '')) > 100_000);

    // What the page shows is what the receiver node returns.
    const bank = net.node('bank');
    const res = await fetch(`${bank.apiUrl}/tasks/${taskId}/result`, { headers: { authorization: `Bearer ${bank.token}` } });
    const { result } = (await res.json()) as { result: { auc: number; ks: number; curve: { tpr: number[]; fpr: number[] }; model: { weights: number[] } } };
    assert.ok(result.auc > 0.9, `breast AUC ${result.auc}`);
    assert.equal(await page.getByTestId('auc').textContent(), String(Math.round(result.auc * 1e4) / 1e4));
    assert.equal(result.curve.tpr.length, 21);
    const cells = await page.getByTestId('roc-chart').locator('details tbody tr').evaluateAll((rows: any[]) => rows.map((r) => [...r.cells].map((c: any) => Number(c.textContent))));
    assert.equal(cells.length, 21, 'the ROC chart plots every point of the result');
    const expected = result.curve.fpr.map((f, i) => [f, result.curve.tpr[i]!]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    cells.forEach(([f, t], i) => assert.ok(Math.abs(f! - expected[i]![0]!) < 1e-3 && Math.abs(t! - expected[i]![1]!) < 1e-3, `ROC point ${i}: (${f}, ${t}) vs (${expected[i]})`));
    const weights = page.getByTestId('weights').locator('tbody tr');
    assert.equal(await weights.count(), result.model.weights.length);
    await shot('task');
  });

  it('the task list shows the task live; clearing, keys and proofs say what the API has', async () => {
    await goto('Tasks', 'Tasks');
    await page.getByTestId('tasks').getByRole('link', { name: `#${taskId}` }).waitFor();
    await shot('tasks');
    // A clearing cycle opened on the chain (two banks, the three nodes computing), one lock.
    const [a, b] = [devAccount(5), devAccount(6)];
    await net.ledger.mint(a.address, 50n * TOKEN);
    const token = net.manifest.contracts.PaymentToken;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const { cycleId } = await openClearingCycle(net.ledger, a, { token, banks: [a.address, b.address], computeParties: net.nodes.map((n) => n.address), deadline });
    await lockForCycle(net.ledger, a, token, cycleId, 7n * TOKEN);
    await goto('Clearing', 'Clearing');
    const cycle = page.getByRole('region', { name: `Cycle #${cycleId}` });
    await cycle.waitFor();
    await cycle.getByText('7 tokens').first().waitFor();
    await cycle.locator('.status', { hasText: 'Open' }).waitFor();
    await shot('clearing');
    await goto('Keys', 'Keys');
    await page.getByText('No threshold key registered yet').waitFor();
    await shot('keys');
    await goto('Proofs', 'Proofs');
    await page.getByText('the deployment manifest names no ZkClaims contract').waitFor();
    // ZkClaims deployed later and added to the manifest file the nodes read (as the sandbox's
    // zk step does); then a claim recorded: the page lists it at the next block.
    const zk = await deployAcceptAllClaims(net.rpcUrl);
    writeManifest(net.manifestPath, { ...net.manifest, contracts: { ...net.manifest.contracts, ZkCeremony: zk.zk.deployment.ceremony, ZkClaims: zk.zk.deployment.claims } });
    const r = await zk.claim(devAccount(6), `0x${'0e'.repeat(32)}`, 99n, [3n]);
    const claims = page.getByRole('region', { name: /Claims verified by ZkClaims/ });
    const shortHex = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
    await claims.getByRole('rowheader', { name: shortHex(claimIdOf(zk.circuitId, [99n, 3n])) }).waitFor();
    await claims.getByText(Number(r.gasUsed).toLocaleString('en')).waitFor();
    await claims.getByText(shortHex(r.transactionHash)).waitFor();
    await shot('proofs');
  });

  it('keyboard: the skip link and the page links are reachable with Tab; the layout fits a phone', async () => {
    // A fresh load (not a hash change from the last page): after a page change the console moves
    // focus to the new content in an effect that may run after the first Tab, racing the checks.
    await page.goto('about:blank');
    await page.goto(`${net.node('bank').apiUrl}/#/network`);
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Network');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, heading] of [['network', 'Network'], ['tasks', 'Tasks'], [`tasks/${taskId}`, `Task #${taskId}`]] as const) {
      await page.goto(`${net.node('bank').apiUrl}/#/${hash}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(heading) }).waitFor();
      if (hash.startsWith('tasks/')) await page.getByTestId('roc-chart').locator('canvas').waitFor({ timeout: 30_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `#/${hash} fits 390 px (overflow ${overflow} px)`);
      if (hash.startsWith('tasks/')) await shot('phone-task');
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("the sandbox's one-time login link logs in once, and the code leaves the URL", async () => {
    const bank = net.node('bank');
    // the link `npm start` prints (src/cli/sandbox-console.ts)
    const lines = await consoleLinkLines([bank]);
    const link = /(http:\/\/\S+#code=([A-Za-z0-9_-]+))/.exec(lines.find((l) => l.includes(bank.apiUrl))!)!;
    const code = link[2]!;
    assert.ok(link[1]!.startsWith(`${bank.apiUrl}/#code=`));
    const fresh = await launchBrowser();
    try {
      const p = await fresh.context.newPage();
      await p.goto(link[1]!);
      await p.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
      assert.ok(!p.url().includes(code), 'the code is removed from the URL');
      const second = await launchBrowser();
      try {
        const again = await second.context.newPage();
        await again.goto(`${bank.apiUrl}/#code=${code}`);
        await again.getByRole('alert').filter({ hasText: 'unknown, used or expired' }).waitFor();
        assert.equal(await again.getByRole('navigation', { name: 'Pages' }).count(), 0);
      } finally {
        await second.close();
      }
    } finally {
      await fresh.close();
    }
  });
});
