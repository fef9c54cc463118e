// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IGroth16Verifier
/// @notice What ZkClaims asks of a circuit's verifier (generated per circuit by
/// src/chain/zk-verifier.ts). proof = [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]
/// (G2 coordinates in the EVM precompile's order: imaginary part first).
interface IGroth16Verifier {
    function verifyProof(uint256[8] calldata proof, uint256[] calldata publicInputs) external view returns (bool);

    /// @notice True iff every proofs[i] verifies with inputs[i·n … i·n+n−1] (n public inputs each),
    ///         checked together as one random linear combination (n + 3 pairings for n proofs).
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata inputs) external view returns (bool);
}
