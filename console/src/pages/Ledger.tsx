/**
 * Clearing, keys and proofs: what the chain records of them, read through the node's API.
 * Each page says plainly when this deployment or this node's API does not expose them yet.
 */
import { short, tokens } from '../format';
import { useLive } from '../live';
import { ErrorBox, Notice, Section, Status, useGet } from '../components/ui';

export function ClearingPage() {
  const live = useLive();
  const c = useGet('/chain/clearing', [live.chain?.block]);
  return (
    <>
      <h1>Clearing</h1>
      <ErrorBox error={c.error} />
      {c.data && !c.data.available && <Notice>{c.data.reason}.</Notice>}
      {c.data?.available && c.data.cycles.length === 0 && <p>No clearing cycle yet.</p>}
      {(c.data?.cycles ?? []).map((cy: any) => {
        const locked = cy.locks.reduce((s: bigint, l: any) => s + BigInt(l.amount), 0n);
        const name = (a: string) => cy.names?.[a.toLowerCase()] ?? short(a);
        return (
          <Section title={`Cycle #${cy.cycleId}`} actions={<Status value={cy.status} />}>
            <dl class="facts">
              <dt>banks</dt><dd>{cy.banks.length}</dd>
              <dt>compute parties</dt><dd>{cy.computeParties.map(name).join(', ')}</dd>
              <dt>locked liquidity</dt><dd>{tokens(locked.toString())} tokens</dd>
              <dt>approvals</dt><dd>{cy.approvals.length} of {cy.computeParties.length}</dd>
              <dt>opened at block</dt><dd>{cy.openedBlock}</dd>
            </dl>
            <table><caption>Locks per bank</caption><thead><tr><th scope="col">bank</th><th scope="col">locked</th></tr></thead>
              <tbody>{cy.locks.map((l: any) => <tr><th scope="row" class="mono">{name(l.bank)}</th><td>{tokens(l.amount)} tokens</td></tr>)}</tbody></table>
          </Section>
        );
      })}
      <p class="muted">Queues, net positions and liquidity saved stay with the banks and their compute parties; the chain holds the locks and the settlement.</p>
    </>
  );
}

export function KeysPage() {
  const k = useGet('/chain/keys');
  return (
    <>
      <h1>Keys</h1>
      <ErrorBox error={k.error} />
      {k.data && !k.data.available && <Notice>{k.data.reason}.</Notice>}
      {k.data?.available && k.data.keys.length === 0 && <p>No threshold key registered yet.</p>}
      {(k.data?.keys ?? []).length > 0 && (
        <Section title="Threshold keys (KeyRegistry)">
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">key</th><th scope="col">epoch</th><th scope="col">threshold</th><th scope="col">members</th><th scope="col">rotations</th></tr></thead>
              <tbody>{k.data.keys.map((x: any) => <tr><th scope="row" class="mono">{short(x.keyId)}</th><td>{x.epoch}</td><td>{x.threshold} of {x.members.length}</td><td class="mono">{x.members.map(short).join(', ')}</td><td>{x.rotations.length}</td></tr>)}</tbody>
            </table>
          </div>
        </Section>
      )}
    </>
  );
}

/** Where a claim's commitment comes from, in words. */
function sourceText(src: any): string {
  if (src.kind === 'task-result') return `task #${src.taskId} result`;
  const by = src.committerName ?? short(src.committer);
  if (src.kind === 'dataset') return `dataset #${src.datasetId} (${by})`;
  return `registered by ${by} (key ${short(src.key)})`;
}

export function ProofsPage() {
  const live = useLive();
  const p = useGet('/chain/claims', [live.chain?.block]);
  return (
    <>
      <h1>Proofs</h1>
      <ErrorBox error={p.error} />
      {p.data && !p.data.available && <Notice>{p.data.reason}. Verify a claim with <code>tacit zk verify</code>.</Notice>}
      {p.data?.available && p.data.claims.length === 0 && <p>No zero-knowledge claim recorded yet.</p>}
      {(p.data?.claims ?? []).length > 0 && (
        <Section title={`Claims verified by ZkClaims (${short(p.data.address)})`}>
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">claim</th><th scope="col">circuit</th><th scope="col">prover</th><th scope="col">commitments</th><th scope="col">block</th><th scope="col">transaction</th><th scope="col">gas</th></tr></thead>
              <tbody>{p.data.claims.map((c: any) => (
                <tr>
                  <th scope="row" class="mono">{short(c.claimId)}</th>
                  <td class="mono">{short(c.circuitId)}</td>
                  <td>{c.proverName ?? <span class="mono">{short(c.prover)}</span>}</td>
                  <td>{c.sources ? c.sources.map(sourceText).join('; ') : '—'}</td>
                  <td>{c.block}</td>
                  <td class="mono">{short(c.txHash)}</td>
                  <td>{Number(c.gasUsed).toLocaleString('en')}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        </Section>
      )}
      <p class="muted">Each claim was checked by the circuit's verifier against commitments recorded on-chain; the data, model and scores behind it stay with their owners.</p>
    </>
  );
}
