// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IZkCommitmentSource
/// @notice A contract that records commitments itself (e.g. the TaskMarket's result
///         commitment of a settled task), read by ZkClaims as a proof's public input
///         instead of a commitment some account registered.
interface IZkCommitmentSource {
    /// @notice The commitment recorded under `key` (a field element), 0 when there is none.
    function zkCommitmentOf(bytes32 key) external view returns (uint256);
}
