/**
 * Constants mirrored from the contracts (contracts/Roles.sol, TaskMarket.TaskStatus,
 * DataRegistry.DatasetStatus) so TypeScript callers need not hard-code numbers. A test checks
 * them against the deployed contracts.
 */

/** Node role bits (NodeRegistry). */
export const Role = { Data: 1, Compute: 2, Receiver: 4 } as const;
export type RoleBit = (typeof Role)[keyof typeof Role];

/** TaskMarket.TaskStatus, by index. */
export const TaskStatus = ['None', 'Pending', 'Running', 'Revealing', 'Disputed', 'Settled', 'Refused', 'Failed', 'Expired'] as const;
export type TaskStatusName = (typeof TaskStatus)[number];

/** DataRegistry.DatasetStatus, by index. */
export const DatasetStatus = ['None', 'Active', 'Paused', 'Retired'] as const;
export type DatasetStatusName = (typeof DatasetStatus)[number];

/** Units of a data token that make one use of a dataset (TaskMarket.DATA_TOKEN_UNIT). */
export const DATA_TOKEN_UNIT = 10n ** 18n;

/** Name of a TaskMarket status code. */
export function taskStatusName(code: number): TaskStatusName {
  const name = TaskStatus[code];
  if (name === undefined) throw new RangeError(`unknown task status code ${code}`);
  return name;
}
