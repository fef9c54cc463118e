/** The registry of programs a node or `tacit run` can execute, by name. */
import type { Program } from '../program.js';
import { clearingProgram } from './clearing.js';
import { debtQueryProgram } from './debt-query.js';
import { keyDkgProgram } from './key-dkg.js';
import { keyRefreshProgram } from './key-refresh.js';
import { keyReshareProgram } from './key-reshare.js';
import { keySignProgram } from './key-sign.js';
import { lrPredictProgram } from './lr-predict.js';
import { lrTrainProgram } from './lr-train.js';
import { psiProgram } from './psi.js';
import { sgbPredictProgram } from './sgb-predict.js';
import { sgbTrainProgram } from './sgb-train.js';
import { woeIvProgram } from './woe-iv.js';

export const PROGRAMS: ReadonlyMap<string, Program> = new Map(
  [psiProgram, lrTrainProgram, lrPredictProgram, debtQueryProgram, keyDkgProgram, keySignProgram, keyRefreshProgram, keyReshareProgram, sgbTrainProgram, sgbPredictProgram, woeIvProgram, clearingProgram].map((p) => [p.name, p]),
);
