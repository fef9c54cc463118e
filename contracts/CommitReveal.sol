// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Hiding and binding commitments of what each party of a session saw, and the pairwise
// consistency test of their openings (commit–reveal after Blum's coin flipping by telephone,
// 1981). Each compute party commits to its own *link digests* — for every other compute
// party j, P_ij = H(H(messages i→j) ‖ H(messages j→i)), a value both endpoints of the link
// compute by themselves — with a fresh 256-bit salt, and reveals them once every party has
// committed. Honest endpoints reveal equal P_ij, so a signed sum of domain-separated hashes
// cancels to zero and the happy path stores one word per task; a party whose digests differ
// is found afterwards from the revealed openings (FaultRules.blamedByClaims).
//
// Kept as a library of pure rules so that other contracts (a clearing contract, a key
// registry) commit and test openings exactly the same way.

/// @title CommitReveal
/// @notice Commitment, opening and pairwise-consistency rules shared by Tacit contracts.
library CommitReveal {
    /// @notice The commitment a party makes: binds the contract, chain, task, party, claims
    ///         and salt, so a commitment cannot be replayed in another task or contract.
    /// @param taskId The task (or any id of the caller's domain).
    /// @param party The committing party.
    /// @param claims Its link digests, one per other compute party, in compute-party order.
    /// @param salt A fresh random 256-bit value (hides the claims until the reveal).
    function commitment(uint256 taskId, address party, bytes32[] memory claims, bytes32 salt)
        internal
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(address(this), block.chainid, taskId, party, claims, salt));
    }

    /// @notice Adds party `i`'s claims to the pairwise accumulator. Over all parties the
    ///         accumulator returns to its start value iff every pair revealed equal digests
    ///         (up to a 2-sum search over 256-bit hashes).
    /// @param acc The accumulator so far.
    /// @param i The revealing party's index among the compute parties.
    /// @param claims Its claims; `claims[k]` concerns party `k < i ? k : k + 1`.
    function accumulate(uint256 acc, uint256 i, bytes32[] memory claims) internal pure returns (uint256) {
        unchecked {
            for (uint256 k = 0; k < claims.length; ++k) {
                uint256 j = k < i ? k : k + 1;
                (uint256 lo, uint256 hi) = i < j ? (i, j) : (j, i);
                uint256 t = uint256(keccak256(abi.encode(lo, hi, claims[k])));
                acc = i < j ? acc + t : acc - t;
            }
        }
        return acc;
    }

    /// @notice Party `i`'s claim about party `j` (both compute indices, `i != j`).
    function claimAbout(bytes32[] memory claims, uint256 i, uint256 j) internal pure returns (bytes32) {
        return claims[j < i ? j : j - 1];
    }
}
