// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Node role bits, shared by every contract that checks what a node may do.

/// @title Roles
/// @notice Bits of a node's role mask in the NodeRegistry.
library Roles {
    /// @notice Lists datasets and serves them to computations.
    uint8 internal constant DATA = 1;
    /// @notice Runs MPC computations.
    uint8 internal constant COMPUTE = 2;
    /// @notice May receive task results.
    uint8 internal constant RECEIVER = 4;
    /// @notice Every defined bit.
    uint8 internal constant ALL = 7;
}
