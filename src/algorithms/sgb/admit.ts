/**
 * Admission guards of the tree programs (see admission.ts): a node refuses an sgb-train or
 * sgb-predict task before consenting when its dataset is too small or the hyperparameters
 * would cut its rows too finely (many trees × deep trees × many bins turn the label holder's
 * view of node memberships into a finer picture of the feature holders' data).
 * Guards and defaults: minRows 500, maxTrees 50, maxDepth 6, maxBins 64, minKeyBits 2048.
 */
import { ADMIT, refuse, type AdmissionRequest, type AdmissionVerdict, type GuardOverrides } from '../admission.js';

export const SGB_GUARDS = { minRows: 500, maxTrees: 50, maxDepth: 6, maxBins: 64, minKeyBits: 2048 };

function num(guards: GuardOverrides, name: keyof typeof SGB_GUARDS): number {
  const v = guards[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : SGB_GUARDS[name];
}

export function admitSgb(request: AdmissionRequest, guards: GuardOverrides): AdmissionVerdict {
  const p = request.params as { hyper?: Record<string, unknown>; keyBits?: unknown };
  const h = p.hyper ?? {};
  const minRows = num(guards, 'minRows');
  if (request.dataset && request.dataset.rows < minRows) return refuse(`dataset has fewer than minRows = ${minRows} rows`);
  const check = (name: string, value: unknown, max: number) => value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) ? `${name} must be an integer in [1, ${max}]` : undefined;
  const bad = check('hyper.trees', h['trees'], num(guards, 'maxTrees')) ?? check('hyper.depth', h['depth'], num(guards, 'maxDepth')) ?? check('hyper.bins', h['bins'], num(guards, 'maxBins'));
  if (bad) return refuse(bad);
  if (p.keyBits !== undefined && !(typeof p.keyBits === 'number' && p.keyBits >= num(guards, 'minKeyBits'))) return refuse(`keyBits must be at least minKeyBits = ${num(guards, 'minKeyBits')}`);
  return ADMIT;
}
