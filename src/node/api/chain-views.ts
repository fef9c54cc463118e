/**
 * What the console asks of the chain, answered by the node with its own account and its own
 * ledger (one nonce sequence per account: the task manager's transactions and these are
 * serialised by the same LocalLedger). Reads go through the SDK's actions (listNodes,
 * listDatasets, getTaskOutcome) so the console shows exactly what a requester's SDK would;
 * writes (buying data tokens, creating a task) are the SDK's too, with the node's account
 * as the buyer or requester. Every answer is JSON-ready: amounts are decimal strings
 * (payment-token base units), never bigints or floats.
 *
 * The per-task timeline is read from TaskMarket's events (Created, Accepted, Refused,
 * Started, Committed, Revealed, Settled …) with each transaction's gas, so what the console
 * draws is what anyone can check on the chain. Clearing cycles and threshold keys are read
 * from their contracts when the deployment has them; otherwise the answer says so.
 *
 * Zero-knowledge claims are ZkClaims' ClaimVerified events, each with the commitments its
 * transaction referenced (decoded from the submitClaim calldata) and its gas. ZkClaims is
 * deployed after the core contracts (the sandbox's zk step adds it to the manifest file
 * while the nodes run), so when the manifest the node started with names none, the file is
 * re-read on each request — and used only if it is still the same deployment.
 */
import { decodeFunctionData, erc20Abi, type Address, type Hash, type Hex } from 'viem';
import { ClearingAbi, DataTokenSaleAbi, KeyRegistryAbi, TaskMarketAbi, ZkClaimsAbi } from '../../chain/artifacts.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { loadManifest } from '../../chain/manifest.js';
import { datasetCommitmentKey } from '../../chain/zk-ledger.js';
import { readTask } from '../tasks/chain-view.js';
import { buyDataTokens, createTask, getTaskOutcome, listDatasets, listNodes, type CreateTaskParameters, type TacitClient } from '../../sdk/index.js';
import type { Account } from 'viem';

export interface CreateTaskBody {
  program: string;
  protocol: 'rep3' | 'semi2k';
  params: Record<string, unknown>;
  datasetIds: string[];
  computeParties: Address[];
  receiver: Address;
  fee: string;
  deadlineSeconds?: number;
  resultKey?: string;
}

export interface ChainViews {
  network(): Promise<Record<string, unknown>>;
  market(): Promise<Record<string, unknown>>;
  buy(datasetId: string, uses: number): Promise<{ datasetId: string; uses: number; cost: string; txHash: string }>;
  createTask(body: CreateTaskBody): Promise<{ taskId: string; txHash: string; gasUsed: string }>;
  timeline(taskId: string): Promise<Record<string, unknown>>;
  clearing(): Promise<Record<string, unknown>>;
  keys(): Promise<Record<string, unknown>>;
  /** Zero-knowledge claims ZkClaims verified and recorded. */
  claims(): Promise<Record<string, unknown>>;
  /** The newest block and gas price (the SSE stream's chain ticks). */
  head(): Promise<{ block: string; gasPrice: string; timestamp: number }>;
}

const TASK_EVENTS = ['TaskCreated', 'TaskAccepted', 'TaskRefused', 'TaskStarted', 'TaskCommitted', 'TaskRevealed', 'TaskFailureReported', 'TaskDisputed', 'TaskSettled', 'TaskFailed', 'TaskExpired', 'TaskPartySlashed'] as const;

/** JSON-safe copy: bigints become decimal strings. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export interface ChainViewOptions {
  /** The manifest file the node was started from: re-read for contracts deployed later (ZkClaims). */
  manifestPath?: string;
}

export function createChainViews(ledger: LocalLedger, account: Account, options: ChainViewOptions = {}): ChainViews {
  const client: TacitClient = { manifest: ledger.manifest, ledger, account };
  const { pub, manifest } = ledger;
  const zkClaimsAddress = (): Address | undefined => {
    if (manifest.contracts.ZkClaims) return manifest.contracts.ZkClaims;
    if (!options.manifestPath) return undefined;
    try {
      const m = loadManifest(options.manifestPath);
      const same = m.chainId === manifest.chainId && m.contracts.TaskMarket === manifest.contracts.TaskMarket;
      return same ? m.contracts.ZkClaims : undefined;
    } catch {
      return undefined; // a file being rewritten or removed: the answer is "none known"
    }
  };
  const fromBlock = BigInt(manifest.block ?? 0);
  const names = async () => new Map((await listNodes(client)).map((n) => [n.address.toLowerCase(), n.name]));
  const gasOf = new Map<Hash, bigint>(); // receipts never change: cache them
  const gas = async (h: Hash) => {
    let g = gasOf.get(h);
    if (g === undefined) gasOf.set(h, (g = (await pub.getTransactionReceipt({ hash: h })).gasUsed));
    return g;
  };
  const head = async () => {
    const [block, gasPrice] = await Promise.all([pub.getBlock(), pub.getGasPrice()]);
    return { block: block.number.toString(), gasPrice: gasPrice.toString(), timestamp: Number(block.timestamp) };
  };
  return {
    head,
    async network() {
      const [h, nodes] = await Promise.all([head(), listNodes(client)]);
      return { chainId: manifest.chainId, ...h, self: account.address, minStake: manifest.parameters?.minStake ?? null, nodes: plain(nodes) };
    },
    async market() {
      const [datasets, who, balance] = await Promise.all([
        listDatasets(client),
        names(),
        pub.readContract({ address: manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] }),
      ]);
      const held = await Promise.all(datasets.map((d) => pub.readContract({ address: d.token, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] })));
      // Usage and earnings from the events: uses sold and their price, tasks that used each
      // dataset and, of those settled, the dataset's price (what its owner was paid per use).
      const [bought, created, settled] = await Promise.all([
        pub.getContractEvents({ address: manifest.contracts.DataTokenSale, abi: DataTokenSaleAbi, eventName: 'DataTokensBought', fromBlock, strict: true }),
        pub.getContractEvents({ address: manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName: 'TaskCreated', fromBlock, strict: true }),
        pub.getContractEvents({ address: manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName: 'TaskSettled', fromBlock, strict: true }),
      ]);
      const settledIds = new Set(settled.map((e) => e.args.taskId));
      const usage = (id: bigint, price: bigint) => {
        const sales = bought.filter((e) => e.args.datasetId === id);
        const tasks = created.filter((e) => e.args.spec.datasetIds.includes(id));
        const paidTasks = tasks.filter((e) => settledIds.has(e.args.taskId)).length;
        return {
          sold: sales.reduce((s, e) => s + e.args.uses, 0n).toString(),
          salesIncome: sales.reduce((s, e) => s + e.args.paid, 0n).toString(),
          tasks: tasks.length,
          settledTasks: paidTasks,
          taskIncome: (price * BigInt(paidTasks)).toString(),
        };
      };
      return {
        self: account.address,
        balance: balance.toString(),
        datasets: datasets.map((d, i) => ({
          ...(plain(d) as Record<string, unknown>),
          ownerName: who.get(d.owner.toLowerCase()) ?? null,
          mine: d.owner.toLowerCase() === account.address.toLowerCase(),
          heldUses: (held[i]! / 10n ** 18n).toString(),
          usage: usage(d.id, d.price),
        })),
      };
    },
    async buy(datasetId, uses) {
      const r = await buyDataTokens(client, { datasetId: BigInt(datasetId), uses: BigInt(uses) });
      return { datasetId, uses, cost: r.cost.toString(), txHash: r.txHash };
    },
    async createTask(b) {
      const spec: CreateTaskParameters = {
        program: b.program,
        protocol: b.protocol,
        params: b.params,
        datasetIds: b.datasetIds.map((x) => BigInt(x)),
        computeParties: b.computeParties,
        receiver: b.receiver,
        fee: BigInt(b.fee),
        ...(b.deadlineSeconds !== undefined ? { deadlineSeconds: b.deadlineSeconds } : {}),
        ...(b.resultKey !== undefined ? { resultKey: b.resultKey } : {}),
      };
      const r = await createTask(client, spec);
      return { taskId: r.taskId.toString(), txHash: r.txHash, gasUsed: r.gasUsed.toString() };
    },
    async timeline(id) {
      const taskId = BigInt(id);
      const [t, outcome, who] = await Promise.all([readTask(ledger, taskId), getTaskOutcome(client, { taskId }), names()]);
      const logs = await Promise.all(
        TASK_EVENTS.map((eventName) => pub.getContractEvents({ address: manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName, args: { taskId }, fromBlock, strict: true })),
      );
      const all = logs.flat().sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
      const times = new Map<bigint, number>();
      const events = [];
      for (const e of all) {
        if (!times.has(e.blockNumber)) times.set(e.blockNumber, Number((await pub.getBlock({ blockNumber: e.blockNumber })).timestamp));
        const args = e.args as Record<string, unknown>;
        const node = typeof args['node'] === 'string' ? (args['node'] as string) : undefined;
        const { taskId: _t, node: _n, spec: _s, params: _p, ...detail } = args;
        events.push({
          event: e.eventName,
          ...(node ? { node, nodeName: who.get(node.toLowerCase()) ?? null } : {}),
          block: e.blockNumber.toString(),
          at: times.get(e.blockNumber)!,
          txHash: e.transactionHash,
          gasUsed: (await gas(e.transactionHash)).toString(),
          detail: plain(detail),
        });
      }
      const txs = new Set(all.map((e) => e.transactionHash));
      let gasTotal = 0n;
      for (const h of txs) gasTotal += await gas(h);
      const bit = (mask: number, i: number) => ((mask >> i) & 1) === 1;
      return {
        taskId: id,
        status: t.status,
        requester: t.requester,
        receiver: t.receiver,
        fee: t.fee.toString(),
        deadline: t.deadline,
        parties: t.parties.map((p, i) => ({
          address: p,
          name: who.get(p.toLowerCase()) ?? null,
          compute: i < t.nCompute,
          receiver: i === t.receiverIndex,
          accepted: bit(t.accepted, i),
          committed: bit(t.committed, i),
          revealed: bit(t.revealed, i),
          reported: bit(t.reported, i),
        })),
        events,
        gasTotal: gasTotal.toString(),
        outcome: plain(outcome),
      };
    },
    async clearing() {
      const address = manifest.contracts.Clearing;
      if (!address) return { available: false, reason: 'this deployment has no Clearing contract', cycles: [] };
      const opened = await pub.getContractEvents({ address, abi: ClearingAbi, eventName: 'CycleOpened', fromBlock, strict: true });
      const [locked, approved, settled, expired] = await Promise.all(
        (['Locked', 'SettlementApproved', 'CycleSettled', 'CycleExpired'] as const).map((eventName) => pub.getContractEvents({ address, abi: ClearingAbi, eventName, fromBlock, strict: true })),
      );
      const of = (list: typeof locked, id: bigint) => list.filter((e) => (e.args as { cycleId: bigint }).cycleId === id);
      const who = await names();
      return {
        available: true,
        cycles: opened.map((o) => {
          const id = o.args.cycleId;
          return {
            cycleId: id.toString(),
            token: o.args.token,
            banks: o.args.banks,
            computeParties: o.args.computeParties,
            names: Object.fromEntries([...o.args.banks, ...o.args.computeParties].filter((a) => who.has(a.toLowerCase())).map((a) => [a.toLowerCase(), who.get(a.toLowerCase())])),
            deadline: Number(o.args.deadline),
            openedBlock: o.blockNumber.toString(),
            locks: of(locked, id).map((e) => plain({ bank: (e.args as { bank: string }).bank, amount: (e.args as { amount: bigint }).amount })),
            approvals: of(approved, id).map((e) => (e.args as { computeParty: string }).computeParty),
            status: of(settled, id).length ? 'Settled' : of(expired, id).length ? 'Expired' : 'Open',
          };
        }),
      };
    },
    async keys() {
      const address = manifest.contracts.KeyRegistry;
      if (!address) return { available: false, reason: 'this deployment has no KeyRegistry contract', keys: [] };
      const [registered, rotated] = await Promise.all(
        (['KeyRegistered', 'KeyRotated'] as const).map((eventName) => pub.getContractEvents({ address, abi: KeyRegistryAbi, eventName, fromBlock, strict: true })),
      );
      return {
        available: true,
        keys: registered.map((r) => {
          const a = r.args as { keyId: string; epoch: bigint; threshold: number; members: readonly string[]; keyX: bigint; keyParity: number };
          const rot = rotated.filter((e) => (e.args as { keyId: string }).keyId === a.keyId).map((e) => plain({ block: e.blockNumber, ...(e.args as object) }) as Record<string, unknown>);
          return { keyId: a.keyId, epoch: String(a.epoch), threshold: a.threshold, members: a.members, registeredBlock: r.blockNumber.toString(), rotations: rot.map(({ block, epoch, threshold }) => ({ block, epoch, threshold })) };
        }),
      };
    },
    async claims() {
      const address = zkClaimsAddress();
      if (!address) return { available: false, reason: 'the deployment manifest names no ZkClaims contract', claims: [] };
      const [verified, circuits, datasets, who] = await Promise.all([
        pub.getContractEvents({ address, abi: ZkClaimsAbi, eventName: 'ClaimVerified', fromBlock, strict: true }),
        pub.getContractEvents({ address, abi: ZkClaimsAbi, eventName: 'CircuitRegistered', fromBlock, strict: true }),
        listDatasets(client),
        names(),
      ]);
      const datasetOf = new Map<string, bigint>(datasets.map((d) => [datasetCommitmentKey(manifest.contracts.DataRegistry, d.id).toLowerCase(), d.id]));
      const source = (r: { committer: Address; key: Hex }) => {
        if (r.committer.toLowerCase() === manifest.contracts.TaskMarket.toLowerCase()) return { kind: 'task-result', taskId: BigInt(r.key).toString(), committer: r.committer, key: r.key };
        const datasetId = datasetOf.get(r.key.toLowerCase());
        const named = { committer: r.committer, committerName: who.get(r.committer.toLowerCase()) ?? null, key: r.key };
        return datasetId !== undefined ? { kind: 'dataset', datasetId: datasetId.toString(), ...named } : { kind: 'registered', ...named };
      };
      const times = new Map<bigint, number>();
      const claims = [];
      for (const e of verified) {
        if (!times.has(e.blockNumber)) times.set(e.blockNumber, Number((await pub.getBlock({ blockNumber: e.blockNumber })).timestamp));
        const c = circuits.find((x) => x.args.circuitId === e.args.circuitId);
        // The commitments referenced and the statement, from the transaction's calldata (a
        // claim submitted through another contract has none to decode).
        let refs: ReturnType<typeof source>[] | null = null;
        let statement: string[] | null = null;
        try {
          const call = decodeFunctionData({ abi: ZkClaimsAbi, data: (await pub.getTransaction({ hash: e.transactionHash })).input });
          if (call.functionName === 'submitClaim') {
            refs = call.args[1].map(source);
            statement = call.args[2].map(String);
          }
        } catch {
          /* not a direct submitClaim call */
        }
        claims.push({
          claimId: e.args.claimId,
          circuitId: e.args.circuitId,
          verifier: c?.args.verifier ?? null,
          ceremonyId: c?.args.ceremonyId ?? null,
          prover: e.args.prover,
          proverName: who.get(e.args.prover.toLowerCase()) ?? null,
          sources: refs,
          statement,
          block: e.blockNumber.toString(),
          at: times.get(e.blockNumber)!,
          txHash: e.transactionHash,
          gasUsed: (await gas(e.transactionHash)).toString(),
        });
      }
      return { available: true, address, claims };
    },
  };
}
