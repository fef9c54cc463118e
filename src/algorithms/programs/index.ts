/** The registry of programs a node or `tacit run` can execute, by name. */
import type { Program } from '../program.js';
import { clearingProgram } from './clearing.js';
import { debtQueryProgram } from './debt-query.js';
import { lrPredictProgram } from './lr-predict.js';
import { lrTrainProgram } from './lr-train.js';
import { psiProgram } from './psi.js';

export const PROGRAMS: ReadonlyMap<string, Program> = new Map(
  [psiProgram, lrTrainProgram, lrPredictProgram, debtQueryProgram, clearingProgram].map((p) => [p.name, p]),
);
