/**
 * Tasks: this node's tasks, live (status, step, progress from the event stream), and the
 * form that creates a task with this node as the requester. The form checks everything it
 * can before sending — a program and protocol, datasets this node holds a use of, the right
 * number of compute parties, a receiver, a fee covering the datasets' prices, parameters
 * that parse and name a label party that owns one of the datasets — and the node checks
 * the parameters again against the program's table before any transaction.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { post } from '../api';
import { short, tokens, toBaseUnits, when } from '../format';
import { useLive } from '../live';
import { PROGRAMS, template } from '../programs';
import { ErrorBox, Field, Section, Status, useGet } from '../components/ui';

export function TaskList({ tasks }: { tasks: any[] }) {
  if (!tasks.length) return <p>No tasks at this node yet.</p>;
  return (
    <div class="scroll">
      <table data-testid="tasks">
        <thead><tr><th scope="col">task</th><th scope="col">program</th><th scope="col">status</th><th scope="col">this node's roles</th><th scope="col">progress</th><th scope="col">updated</th></tr></thead>
        <tbody>
          {tasks.map((t) => (
            <tr>
              <th scope="row"><a href={`#/tasks/${t.id}`}>#{t.id}</a></th>
              <td>{t.program ?? '—'}</td>
              <td><Status value={t.status} />{t.step ? ` ${t.step}` : ''}</td>
              <td>{t.roles.join(', ')}</td>
              <td><progress max={1} value={t.progress ?? (t.status === 'Settled' ? 1 : 0)} aria-label={`task ${t.id} progress`} /> {t.progressPhase ?? ''}</td>
              <td>{when(t.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateTask() {
  const net = useGet('/chain/network');
  const market = useGet('/chain/datasets');
  const nodes: any[] = net.data?.nodes ?? [];
  const datasets: any[] = (market.data?.datasets ?? []).filter((d: any) => d.status === 'Active');
  const self: string = (net.data?.self ?? '').toLowerCase();
  const [program, setProgram] = useState('lr-train');
  const [protocol, setProtocol] = useState<'rep3' | 'semi2k'>('rep3');
  const [chosen, setChosen] = useState<string[]>([]);
  const [compute, setCompute] = useState<string[]>([]);
  const [receiver, setReceiver] = useState('');
  const [fee, setFee] = useState('40');
  const [params, setParams] = useState('');
  const [paramsTouched, setParamsTouched] = useState(false);
  const [inputs, setInputs] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const owners = useMemo(() => chosen.map((id) => datasets.find((d) => d.id === id)?.owner.toLowerCase()).filter(Boolean) as string[], [chosen, datasets]);
  // sensible defaults once the chain answers: this node receives, the first three compute nodes compute
  useEffect(() => {
    if (!receiver && self) setReceiver(self);
    if (!compute.length && nodes.length) setCompute(nodes.filter((n) => n.roles.compute).slice(0, 3).map((n) => n.address.toLowerCase()));
  }, [net.data]);
  useEffect(() => {
    if (!paramsTouched) setParams(JSON.stringify(template(program, owners[0] ?? self), null, 2));
  }, [program, owners.join(), self]);
  const nameOf = (a: string) => nodes.find((n) => n.address.toLowerCase() === a.toLowerCase())?.name ?? short(a);

  const submit = async (e: Event) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!chosen.length) v['datasets'] = 'choose at least one dataset';
    for (const id of chosen) {
      const d = datasets.find((x) => x.id === id);
      if (d && BigInt(d.heldUses) < 1n) v['datasets'] = `this node holds no use of dataset ${id}: ${d.mine ? 'mint some when publishing, or buy one' : 'buy one on the Market page first'}`;
    }
    if (protocol === 'rep3' && compute.length !== 3) v['compute'] = 'rep3 takes exactly three compute parties';
    if (protocol === 'semi2k' && compute.length < 2) v['compute'] = 'semi2k takes at least two compute parties';
    if (!receiver) v['receiver'] = 'choose the node that receives the result';
    const feeBase = toBaseUnits(fee);
    const prices = chosen.reduce((s, id) => s + BigInt(datasets.find((d) => d.id === id)?.price ?? '0'), 0n);
    if (feeBase === undefined) v['fee'] = 'an amount of payment tokens';
    else if (BigInt(feeBase) < prices) v['fee'] = `the fee must cover the datasets' prices (${tokens(prices.toString())} tokens)`;
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(params);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch (err) {
      v['params'] = `parameters must be a JSON object (${(err as Error).message})`;
    }
    if (parsed && typeof parsed['labelParty'] === 'string' && !owners.includes(String(parsed['labelParty']).toLowerCase())) v['params'] = 'labelParty must be the owner of one of the chosen datasets';
    if (parsed && typeof parsed['labelColumn'] === 'string') {
      const ds = datasets.find((d) => chosen.includes(d.id) && d.owner.toLowerCase() === String(parsed!['labelParty']).toLowerCase());
      if (ds?.schema && !ds.schema.columns.includes(parsed['labelColumn'])) v['params'] = `the label party's dataset has no column "${String(parsed['labelColumn'])}"`;
    }
    let privateInputs: Record<string, unknown> | undefined;
    if (inputs.trim()) {
      try {
        privateInputs = JSON.parse(inputs);
        if (!privateInputs || typeof privateInputs !== 'object' || Array.isArray(privateInputs)) throw new Error('not an object');
      } catch (err) {
        v['inputs'] = `private inputs must be a JSON object (${(err as Error).message})`;
      }
      if (receiver !== self) v['inputs'] = 'private inputs stay at the receiver: only when this node receives the result';
    }
    setErrs(v);
    if (Object.keys(v).length) {
      document.querySelector<HTMLElement>('[aria-invalid="true"], .field-error')?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await post('/chain/tasks', { program, protocol, params: parsed, datasetIds: chosen, computeParties: compute, receiver, fee: feeBase });
      // the receiver's own inputs (e.g. the applicant of a debt query) stay at this node
      if (privateInputs) await post(`/tasks/${r.taskId}/inputs`, { inputs: privateInputs });
      location.hash = `#/tasks/${r.taskId}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (list: string[], set: (x: string[]) => void, v: string) => (e: Event) => set((e.target as HTMLInputElement).checked ? [...list, v] : list.filter((x) => x !== v));
  return (
    <form onSubmit={submit} noValidate aria-label="Create a task" class="form">
      <ErrorBox error={net.error ?? market.error} />
      <div class="row">
        <Field label="Program">{(id) => <select id={id} name="program" value={program} onChange={(e) => setProgram((e.target as HTMLSelectElement).value)}>{PROGRAMS.map((p) => <option value={p}>{p}</option>)}</select>}</Field>
        <Field label="Protocol">{(id) => <select id={id} name="protocol" value={protocol} onChange={(e) => setProtocol((e.target as HTMLSelectElement).value as 'rep3')}><option value="rep3">rep3 (three parties, honest majority)</option><option value="semi2k">semi2k</option></select>}</Field>
      </div>
      <fieldset aria-describedby={errs['datasets'] ? 'ds-err' : undefined}>
        <legend>Datasets</legend>
        {datasets.map((d) => (
          <label class="chip"><input type="checkbox" name="datasets" value={d.id} checked={chosen.includes(d.id)} onChange={toggle(chosen, setChosen, d.id)} aria-invalid={errs['datasets'] ? 'true' : undefined} /> #{d.id} {d.ownerName ?? short(d.owner)} · {d.rowCount} rows · {d.heldUses} uses held</label>
        ))}
        {errs['datasets'] && <small id="ds-err" class="field-error" role="alert">{errs['datasets']}</small>}
      </fieldset>
      <fieldset>
        <legend>Compute parties</legend>
        {nodes.filter((n) => n.roles.compute).map((n) => (
          <label class="chip"><input type="checkbox" name="compute" value={n.address} checked={compute.includes(n.address.toLowerCase())} onChange={toggle(compute, setCompute, n.address.toLowerCase())} aria-invalid={errs['compute'] ? 'true' : undefined} /> {n.name}</label>
        ))}
        {errs['compute'] && <small class="field-error" role="alert">{errs['compute']}</small>}
      </fieldset>
      <div class="row">
        <Field label="Receiver" error={errs['receiver']}>{(id, d) => <select id={id} name="receiver" value={receiver} aria-describedby={d} onChange={(e) => setReceiver((e.target as HTMLSelectElement).value)}>{nodes.filter((n) => n.roles.receiver).map((n) => <option value={n.address.toLowerCase()}>{n.name}</option>)}</select>}</Field>
        <Field label="Fee (tokens)" hint="escrowed; pays the datasets' prices, the rest is shared by the compute parties" error={errs['fee']}>{(id, d) => <input id={id} name="fee" inputMode="decimal" value={fee} aria-describedby={d} aria-invalid={errs['fee'] ? 'true' : undefined} onInput={(e) => setFee((e.target as HTMLInputElement).value)} />}</Field>
      </div>
      <Field label="Parameters (JSON)" hint={`parties are named by address; ${owners.length ? `dataset owners: ${owners.map(nameOf).join(', ')}` : 'choose datasets first'}`} error={errs['params']}>
        {(id, d) => <textarea id={id} name="params" rows={8} spellcheck={false} value={params} aria-describedby={d} aria-invalid={errs['params'] ? 'true' : undefined} onInput={(e) => { setParamsTouched(true); setParams((e.target as HTMLTextAreaElement).value); }} />}
      </Field>
      <Field label="Receiver's private inputs (JSON, optional)" hint='kept at this node only, e.g. {"applicant": "A-17"} for a debt query or {"applicants": ["A-17"]} for lr-predict' error={errs['inputs']}>
        {(id, d) => <textarea id={id} name="inputs" rows={2} spellcheck={false} value={inputs} aria-describedby={d} aria-invalid={errs['inputs'] ? 'true' : undefined} onInput={(e) => setInputs((e.target as HTMLTextAreaElement).value)} />}
      </Field>
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create task'}</button>
      <ErrorBox error={error} />
    </form>
  );
}

export function TasksPage() {
  const live = useLive();
  const list = useGet('/tasks');
  const tasks: any[] = live.tasks?.tasks ?? list.data?.tasks ?? [];
  return (
    <>
      <h1>Tasks</h1>
      <Section title="Tasks at this node"><TaskList tasks={tasks} /></Section>
      <Section title="Create a task (this node is the requester)"><CreateTask /></Section>
    </>
  );
}
