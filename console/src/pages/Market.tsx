/** Market: other nodes' published datasets, and buying uses (data tokens) with this node's account. */
import { useState } from 'preact/hooks';
import { post } from '../api';
import { short, tokens } from '../format';
import { useLive } from '../live';
import { ErrorBox, Notice, Section, Status, useGet } from '../components/ui';

function Buy({ d, onDone }: { d: any; onDone: () => void }) {
  const [uses, setUses] = useState('5');
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = `buy-${d.id}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!/^[1-9]\d{0,5}$/.test(uses)) {
      setInvalid('a whole number of uses, 1 to 100000');
      return;
    }
    setInvalid(undefined);
    setBusy(true);
    setError(undefined);
    try {
      const r = await post(`/chain/datasets/${d.id}/buy`, { uses: Number(uses) });
      setDone(`bought ${r.uses} uses for ${tokens(r.cost)} tokens`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!d.sale.open) return <span>not on sale</span>;
  return (
    <form onSubmit={submit} noValidate class="buy" aria-label={`Buy uses of dataset ${d.id}`}>
      <label for={id}>Uses</label>
      <input id={id} name="uses" inputMode="numeric" size={5} value={uses} onInput={(e) => setUses((e.target as HTMLInputElement).value)} aria-invalid={invalid ? 'true' : undefined} aria-describedby={invalid ? `${id}-err` : undefined} />
      <button type="submit" disabled={busy}>{busy ? 'Buying…' : 'Buy'}</button>
      {invalid && <small id={`${id}-err`} class="field-error" role="alert">{invalid}</small>}
      {done && <Notice>{done}</Notice>}
      <ErrorBox error={error} />
    </form>
  );
}

export function MarketPage() {
  const live = useLive();
  const m = useGet('/chain/datasets', [live.chain?.block]);
  const others = (m.data?.datasets ?? []).filter((d: any) => !d.mine);
  return (
    <>
      <h1>Market</h1>
      <p>Datasets other nodes have listed. A task uses one data token of each dataset it reads; buy them here with this node's account (balance: <strong data-testid="balance">{tokens(m.data?.balance)}</strong> tokens).</p>
      <ErrorBox error={m.error} />
      <Section title="Listed datasets">
        {m.data && others.length === 0 && <p>No other node has listed a dataset yet.</p>}
        <div class="scroll">
          <table data-testid="market">
            <thead><tr><th scope="col">id</th><th scope="col">owner</th><th scope="col">rows</th><th scope="col">schema</th><th scope="col">price per task use</th><th scope="col">sale</th><th scope="col">status</th><th scope="col">uses held</th><th scope="col">buy</th></tr></thead>
            <tbody>
              {others.map((d: any) => (
                <tr data-testid={`market-${d.id}`}>
                  <th scope="row">{d.id}</th>
                  <td>{d.ownerName ?? ''} <span class="mono" title={d.owner}>{short(d.owner)}</span></td>
                  <td>{d.rowCount}</td>
                  <td>{d.schema ? <span class="mono">{[d.schema.idColumn, ...d.schema.columns].join(', ')}</span> : <span class="mono" title={d.schemaHash}>{short(d.schemaHash)}</span>}</td>
                  <td>{tokens(d.price)}</td>
                  <td>{d.sale.open ? `${tokens(d.sale.pricePerUse)} / use` : 'closed'}</td>
                  <td><Status value={d.status} /></td>
                  <td data-testid={`held-${d.id}`}>{d.heldUses}</td>
                  <td><Buy d={d} onDone={m.reload} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
