/** The registry of programs a node or `tacit run` can execute, by name. */
import type { Program } from '../program.js';
import { debtQueryProgram } from './debt-query.js';
import { keyDkgProgram } from './key-dkg.js';
import { keyRefreshProgram } from './key-refresh.js';
import { keyReshareProgram } from './key-reshare.js';
import { keySignProgram } from './key-sign.js';
import { lrPredictProgram } from './lr-predict.js';
import { lrTrainProgram } from './lr-train.js';
import { psiProgram } from './psi.js';

export const PROGRAMS: ReadonlyMap<string, Program> = new Map(
  [psiProgram, lrTrainProgram, lrPredictProgram, debtQueryProgram, keyDkgProgram, keySignProgram, keyRefreshProgram, keyReshareProgram].map((p) => [p.name, p]),
);
