/**
 * One task, live: its on-chain timeline (who consented, committed, revealed; every event
 * with its block and gas; settlement and payments), this node's session progress from the
 * event stream, and — on the receiver — the result: lr-train's ROC and KS curves and
 * weights, scores, debt totals, PSI sizes, IV tables. Only what this node was given is
 * shown: a node that is not the receiver sees no result, by design.
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { short, tokens, when } from '../format';
import { useLive } from '../live';
import { ErrorBox, Notice, Section, Status, useGet } from '../components/ui';
import { Result } from './Result';

const FINAL = new Set(['Settled', 'Refused', 'Failed', 'Expired']);

function Party({ p }: { p: any }) {
  const mark = (b: boolean, label: string) => <span class={`mark ${b ? 'yes' : 'no'}`} aria-label={`${label}: ${b ? 'yes' : 'no'}`}>{b ? '✓' : '·'} {label}</span>;
  return (
    <tr>
      <th scope="row">{p.name ?? short(p.address)}</th>
      <td>{[p.compute ? 'compute' : 'data', p.receiver ? 'receiver' : ''].filter(Boolean).join(', ')}</td>
      <td>{mark(p.accepted, 'consent')}</td>
      <td>{mark(p.committed, 'commitment')}</td>
      <td>{mark(p.revealed, 'reveal')}</td>
    </tr>
  );
}

export function TaskPage({ id }: { id: string }) {
  const live = useLive();
  const local = (live.tasks?.tasks ?? []).find((t: any) => String(t.id) === id);
  const tl = useGet(`/chain/tasks/${id}`, [live.chain?.block, local?.status, local?.progress]);
  const status: string | undefined = tl.data?.status;
  const isReceiver = local?.roles?.includes('receiver');
  const [result, setResult] = useState<any>();
  const [resultError, setResultError] = useState<unknown>();
  useEffect(() => {
    if (!isReceiver || result || !(status === 'Settled' || local?.status === 'done' || local?.status === 'settled')) return;
    get(`/tasks/${id}/result`).then((r) => setResult(r.result), setResultError);
  }, [isReceiver, status, local?.status]);
  const settled = tl.data?.events?.find((e: any) => e.event === 'TaskSettled');
  const nCompute = (tl.data?.parties ?? []).filter((p: any) => p.compute).length;
  return (
    <>
      <p><a href="#/tasks">← Tasks</a></p>
      <h1>Task #{id} {status && <Status value={status} />}</h1>
      <ErrorBox error={tl.error} />
      {tl.data && (
        <div class="grid">
          <Section title="Summary">
            <dl class="facts">
              <dt>requester</dt><dd class="mono">{short(tl.data.requester)}</dd>
              <dt>receiver</dt><dd>{tl.data.parties.find((p: any) => p.receiver)?.name ?? short(tl.data.receiver)}</dd>
              <dt>fee</dt><dd>{tokens(tl.data.fee)} tokens</dd>
              <dt>deadline</dt><dd>{when(tl.data.deadline)}</dd>
              <dt>gas, all transactions</dt><dd data-testid="gas-total">{Number(tl.data.gasTotal).toLocaleString()}</dd>
              <dt>outcome</dt><dd data-testid="outcome">{tl.data.outcome.reason}</dd>
            </dl>
          </Section>
          <Section title="This node's session">
            {local ? (
              <dl class="facts">
                <dt>status</dt><dd>{local.status}{local.step ? ` (${local.step})` : ''}</dd>
                <dt>phase</dt><dd>{local.progressPhase ?? '—'}</dd>
                <dt>progress</dt><dd><progress max={1} value={local.progress ?? (FINAL.has(status ?? '') ? 1 : 0)} aria-label="session progress" /> {Math.round((local.progress ?? 0) * 100)}%</dd>
                <dt>commitment</dt><dd class="mono" title={local.commitment ?? ''}>{short(local.commitment)}</dd>
                {local.error && <><dt>error</dt><dd>{local.error}</dd></>}
              </dl>
            ) : <p>This node takes no part in the task (it may be its requester only).</p>}
          </Section>
          {settled && (
            <Section title="Settlement and payments">
              <dl class="facts" data-testid="payments">
                <dt>paid to data owners</dt><dd>{tokens(settled.detail.dataPayout)} tokens</dd>
                <dt>each compute party ({nCompute})</dt><dd>{tokens(settled.detail.computeShare)} tokens</dd>
                <dt>refunded to the requester</dt><dd>{tokens(settled.detail.refund)} tokens</dd>
              </dl>
            </Section>
          )}
        </div>
      )}
      {tl.data && (
        <Section title="Parties">
          <div class="scroll">
            <table data-testid="parties">
              <thead><tr><th scope="col">party</th><th scope="col">role</th><th scope="col">consent</th><th scope="col">commitment</th><th scope="col">reveal</th></tr></thead>
              <tbody>{tl.data.parties.map((p: any) => <Party p={p} />)}</tbody>
            </table>
          </div>
        </Section>
      )}
      {tl.data && (
        <Section title="Timeline (on-chain events)">
          <ol class="timeline" data-testid="timeline" aria-live="polite">
            {tl.data.events.map((e: any) => (
              <li>
                <span class="when">{when(e.at)} · block {e.block}</span>
                <strong>{e.event.replace(/^Task/, '')}</strong>
                {e.nodeName || e.node ? ` by ${e.nodeName ?? short(e.node)}` : ''}
                {e.detail?.commitment ? <> · <span class="mono">{short(e.detail.commitment)}</span></> : null}
                {e.detail?.reason ? ` · ${e.detail.reason}` : ''}
                <span class="gas"> · {Number(e.gasUsed).toLocaleString()} gas</span>
              </li>
            ))}
          </ol>
        </Section>
      )}
      {isReceiver && (
        <Section title="Result (this node is the receiver)">
          {result ? <Result program={local?.program} result={result} names={Object.fromEntries((tl.data?.parties ?? []).map((p: any) => [p.address.toLowerCase(), p.name ?? p.address]))} /> : resultError ? <ErrorBox error={resultError} /> : <Notice>The result appears here once the task has run.</Notice>}
        </Section>
      )}
    </>
  );
}
