/**
 * The programs the console offers in its forms, with a parameter template for each. The
 * node checks every parameter against the program's own table (src/algorithms/parameters.ts)
 * before any transaction; the form checks the shape first so nothing malformed is sent.
 */
export const PROGRAMS = ['psi', 'lr-train', 'lr-predict', 'woe-iv', 'sgb-train', 'sgb-predict', 'debt-query'] as const;

/** Parameter templates; `$label` is replaced by the label party's address. */
export function template(program: string, labelParty: string): Record<string, unknown> {
  switch (program) {
    case 'psi':
      return { idColumn: 'id', cardinalityOnly: true };
    case 'lr-train':
      return { idColumn: 'id', labelParty, labelColumn: 'y', hyper: { epochs: 5, batchSize: 128, learningRate: 0.5, l2: 0, fitIntercept: true }, revealModel: true, curvePoints: 20 };
    case 'woe-iv':
      return { idColumn: 'id', labelParty, labelColumn: 'y', bins: 10 };
    case 'sgb-train':
      return { idColumn: 'id', labelParty, labelColumn: 'y', hyper: { trees: 3, depth: 3 } };
    case 'debt-query':
      return { idColumn: 'id', balanceColumn: 'balance' };
    default:
      return { idColumn: 'id' };
  }
}
