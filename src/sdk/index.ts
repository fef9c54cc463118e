/** The Tacit SDK: a client and one function per action (viem-style). */
export { createTacitClient, SdkError, type TacitClient, type CreateTacitClientParameters } from './client.js';
export { listNodes, type NodeSummary } from './actions/listNodes.js';
export { listDatasets, type DatasetSummary } from './actions/listDatasets.js';
export { buyDataTokens } from './actions/buyDataTokens.js';
export { createTask, type CreateTaskParameters } from './actions/createTask.js';
export { getTask } from './actions/getTask.js';
export { getTaskOutcome, type TaskOutcome } from './actions/getTaskOutcome.js';
export { waitForTask } from './actions/waitForTask.js';
export { sendTaskInputs } from './actions/sendTaskInputs.js';
export { getTaskResult } from './actions/getTaskResult.js';
export { generateBoxKeyPair } from '../crypto/sealed-box.js';
export { loadManifest, type TacitManifest } from '../chain/manifest.js';
export { openClearingCycle, type OpenClearingCycleParameters } from './actions/openClearingCycle.js';
export { lockForClearing } from './actions/lockForClearing.js';
export { approveClearingSettlement } from './actions/approveClearingSettlement.js';
export { settleClearingCycle } from './actions/settleClearingCycle.js';
export { expireClearingCycle } from './actions/expireClearingCycle.js';
export { getClearingCycle, type ClearingCycle } from './actions/getClearingCycle.js';
