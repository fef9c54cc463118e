/**
 * Data: this node's datasets (schema, rows, commitment, listing, usage and earnings), and
 * the import / publish / sale forms. The forms check what the CLI checks before sending
 * (names, absolute paths, integer prices); the node's own errors — a bad CSV lists every
 * bad line — are shown as the node gives them.
 */
import { useState } from 'preact/hooks';
import { post } from '../api';
import { short, tokens, toBaseUnits } from '../format';
import { useLive } from '../live';
import { PROGRAMS } from '../programs';
import { ErrorBox, Field, Notice, Section, Status, useGet } from '../components/ui';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function ImportForm({ onDone }: { onDone: () => void }) {
  const [f, setF] = useState({ name: '', path: '', idColumn: 'id', columns: '', uniqueIds: false });
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).type === 'checkbox' ? (e.target as HTMLInputElement).checked : (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!NAME.test(f.name)) v['name'] = 'letters, digits, . _ - (up to 64), starting with a letter or digit';
    if (!f.path.startsWith('/')) v['path'] = 'an absolute path on the node’s host (the node resolves nothing against its own directory)';
    if (!f.idColumn.trim()) v['idColumn'] = 'name the id column';
    setErrs(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(undefined);
    try {
      const columns = f.columns.split(',').map((c) => c.trim()).filter(Boolean);
      const r = await post('/datasets', { name: f.name, path: f.path, idColumn: f.idColumn.trim(), ...(columns.length ? { columns } : {}), ...(f.uniqueIds ? { uniqueIds: true } : {}) });
      setDone(`imported ${r.name}: ${r.rows} rows, ${r.columns.length} columns`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Import a CSV" class="form">
      <Field label="Dataset name" error={errs['name']}>{(id, d) => <input id={id} name="name" value={f.name} onInput={set('name')} aria-describedby={d} aria-invalid={errs['name'] ? 'true' : undefined} />}</Field>
      <Field label="CSV path on the node's host" hint="absolute, e.g. /srv/data/credit.csv" error={errs['path']}>{(id, d) => <input id={id} name="path" value={f.path} onInput={set('path')} aria-describedby={d} aria-invalid={errs['path'] ? 'true' : undefined} />}</Field>
      <Field label="Id column" error={errs['idColumn']}>{(id, d) => <input id={id} name="idColumn" value={f.idColumn} onInput={set('idColumn')} aria-describedby={d} />}</Field>
      <Field label="Expected columns (optional)" hint="comma-separated, in order">{(id, d) => <input id={id} name="columns" value={f.columns} onInput={set('columns')} aria-describedby={d} />}</Field>
      <div class="field check"><input id="uniq" type="checkbox" checked={f.uniqueIds} onChange={set('uniqueIds')} /><label for="uniq">Refuse repeated ids</label></div>
      <button type="submit" disabled={busy}>{busy ? 'Importing…' : 'Import'}</button>
      {done && <Notice>{done}</Notice>}
      <ErrorBox error={error} />
    </form>
  );
}

function PublishForm({ name, onDone }: { name: string; onDone: () => void }) {
  const [price, setPrice] = useState('2');
  const [algos, setAlgos] = useState<string[]>(['psi', 'lr-train']);
  const [sale, setSale] = useState({ price: '1', uses: '20' });
  const [mint, setMint] = useState('5');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    const base = toBaseUnits(price);
    const saleBase = sale.price.trim() ? toBaseUnits(sale.price) : undefined;
    if (base === undefined) v['price'] = 'a non-negative amount of payment tokens (up to 18 decimals)';
    if (!algos.length) v['algorithms'] = 'allow at least one program';
    if (sale.price.trim() && saleBase === undefined) v['sale'] = 'a non-negative amount of payment tokens';
    if (!/^\d+$/.test(sale.uses) || Number(sale.uses) > 1_000_000) v['uses'] = 'a whole number of uses up to 1,000,000';
    if (!/^\d+$/.test(mint) || Number(mint) > 1_000_000) v['mint'] = 'a whole number of uses up to 1,000,000';
    setErrs(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(undefined);
    try {
      await post(`/datasets/${encodeURIComponent(name)}/publish`, { price: base, algorithms: algos, mint: Number(mint) });
      if (saleBase !== undefined) await post(`/datasets/${encodeURIComponent(name)}/sale`, { pricePerUse: saleBase, uses: Number(sale.uses) });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label={`Publish ${name}`} class="form inline">
      <Field label="Price per use in tasks (tokens)" error={errs['price']}>{(id, d) => <input id={id} name="price" inputMode="decimal" value={price} onInput={(e) => setPrice((e.target as HTMLInputElement).value)} aria-describedby={d} />}</Field>
      <fieldset>
        <legend>Allowed programs</legend>
        {PROGRAMS.map((p) => (
          <label class="chip"><input type="checkbox" name="algorithms" value={p} checked={algos.includes(p)} onChange={(e) => setAlgos((e.target as HTMLInputElement).checked ? [...algos, p] : algos.filter((a) => a !== p))} /> {p}</label>
        ))}
        {errs['algorithms'] && <small class="field-error" role="alert">{errs['algorithms']}</small>}
      </fieldset>
      <Field label="Uses minted to this node" hint="data tokens this node keeps, e.g. for its own tasks" error={errs['mint']}>{(id, d) => <input id={id} name="mint" inputMode="numeric" value={mint} onInput={(e) => setMint((e.target as HTMLInputElement).value)} aria-describedby={d} />}</Field>
      <Field label="Sale price per use (tokens; empty: no sale)" error={errs['sale']}>{(id, d) => <input id={id} name="salePrice" inputMode="decimal" value={sale.price} onInput={(e) => setSale({ ...sale, price: (e.target as HTMLInputElement).value })} aria-describedby={d} />}</Field>
      <Field label="Uses for sale" error={errs['uses']}>{(id, d) => <input id={id} name="uses" inputMode="numeric" value={sale.uses} onInput={(e) => setSale({ ...sale, uses: (e.target as HTMLInputElement).value })} aria-describedby={d} />}</Field>
      <button type="submit" disabled={busy}>{busy ? 'Publishing…' : `Publish ${name}`}</button>
      <ErrorBox error={error} />
    </form>
  );
}

export function DataPage() {
  const live = useLive();
  const list = useGet('/datasets', [live.datasets]);
  const market = useGet('/chain/datasets', [live.datasets, live.tasks]);
  const [open, setOpen] = useState<string>();
  const datasets: any[] = live.datasets?.datasets ?? list.data?.datasets ?? [];
  const onChain = new Map<string, any>((market.data?.datasets ?? []).filter((d: any) => d.mine).map((d: any) => [d.id, d]));
  return (
    <>
      <h1>Data</h1>
      <Section title="Import a CSV"><ImportForm onDone={list.reload} /></Section>
      <Section title="This node's datasets">
        <ErrorBox error={list.error} />
        {datasets.length === 0 && <p>No datasets yet: import one above.</p>}
        <div class="cards">
          {datasets.map((d) => {
            const c = d.datasetId ? onChain.get(d.datasetId) : undefined;
            return (
              <article class="dataset" data-testid={`dataset-${d.name}`} aria-label={`dataset ${d.name}`}>
                <h3>{d.name} <Status value={d.status} /></h3>
                <dl class="facts">
                  <dt>rows</dt><dd>{d.rows}</dd>
                  <dt>schema</dt><dd><span class="mono">{d.idColumn}</span> + {d.columns.length} columns: <span class="mono">{d.columns.join(', ')}</span></dd>
                  <dt>commitment</dt><dd class="mono" title={d.commitment}>{short(d.commitment)}</dd>
                  <dt>registry id</dt><dd>{d.datasetId ?? '—'}</dd>
                  <dt>price per use</dt><dd>{d.price ? `${tokens(d.price)} tokens` : '—'}</dd>
                  <dt>allowed programs</dt><dd>{d.algorithms?.join(', ') ?? '—'}</dd>
                  {c && <><dt>sale</dt><dd>{c.sale.open ? `${tokens(c.sale.pricePerUse)} tokens per use` : 'closed'}</dd></>}
                  {c && <><dt>usage</dt><dd>{c.usage.sold} uses sold · used in {c.usage.tasks} tasks</dd></>}
                  {c && <><dt>earnings</dt><dd>{tokens(c.usage.salesIncome)} tokens from sales + {tokens(c.usage.taskIncome)} from settled tasks</dd></>}
                </dl>
                {d.status === 'local' && (open === d.name ? <PublishForm name={d.name} onDone={() => { setOpen(undefined); list.reload(); market.reload(); }} /> : <button type="button" onClick={() => setOpen(d.name)}>Publish…</button>)}
              </article>
            );
          })}
        </div>
      </Section>
    </>
  );
}
