// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CommitReveal} from "./CommitReveal.sol";

// Who is at fault when a task fails — only what the chain itself can attribute:
//
//  1. Silence: a compute party of a started task that, by the deadline, neither committed
//     nor reported a failure (or committed and then did not reveal).
//  2. Blame by reports: a party (compute, data owner or receiver) named in the failure
//     reports of MORE THAN HALF OF ALL the task's compute parties (the blamed party's own
//     report never counts). With 3 compute parties that is both others; with 2 it can never
//     happen — two parties blaming each other prove nothing, so nobody is slashed.
//  3. Blame by claims: a compute party whose revealed link digests differ from those of more
//     than half of all compute parties, where those that disagree with it agree among
//     themselves. With 3 parties: the one that disagrees with both others, who agree.
//
// Rules 2 and 3 hold under the honest-majority assumption of the protocol (rep3: at most one
// of three compute parties deviates); a single deviating party can never get an honest one
// slashed. Pure functions, so other contracts apply the same rules.

/// @title FaultRules
/// @notice Attribution of faults in a failed session (see the header).
library FaultRules {
    /// @dev Per reporter index, 8 bits: blamed party index + 1 (0 = nobody).
    function blameOf(uint256 blames, uint256 reporter) internal pure returns (uint256) {
        return (blames >> (reporter * 8)) & 0xff;
    }

    /// @notice Records that `reporter` blames party `blamed` (index + 1, 0 = nobody).
    function withBlame(uint256 blames, uint256 reporter, uint256 blamedPlusOne) internal pure returns (uint256) {
        return (blames & ~(uint256(0xff) << (reporter * 8))) | (blamedPlusOne << (reporter * 8));
    }

    /// @notice Rule 2: whether more than half of all `nCompute` compute parties (indices
    ///         0..nCompute-1, excluding `x` itself) reported a failure naming party `x`.
    function blamedByReports(uint256 blames, uint256 reported, uint256 nCompute, uint256 x)
        internal
        pure
        returns (bool)
    {
        uint256 count = 0;
        for (uint256 r = 0; r < nCompute; ++r) {
            if (r == x || (reported >> r) & 1 == 0) continue;
            if (blameOf(blames, r) == x + 1) ++count;
        }
        return count * 2 > nCompute;
    }

    /// @notice Rule 3: whether compute party `x` disagrees with more than half of all compute
    ///         parties whose claims agree among themselves.
    /// @param claims Every compute party's revealed claims (see CommitReveal).
    function blamedByClaims(bytes32[][] memory claims, uint256 x) internal pure returns (bool) {
        uint256 n = claims.length;
        uint256 against = 0;
        for (uint256 j = 0; j < n; ++j) {
            if (j != x && !_agree(claims, x, j)) against |= 1 << j;
        }
        uint256 count = 0;
        for (uint256 j = 0; j < n; ++j) {
            if ((against >> j) & 1 == 0) continue;
            ++count;
            for (uint256 k = j + 1; k < n; ++k) {
                if ((against >> k) & 1 == 1 && !_agree(claims, j, k)) return false;
            }
        }
        return count * 2 > n;
    }

    function _agree(bytes32[][] memory claims, uint256 i, uint256 j) private pure returns (bool) {
        return CommitReveal.claimAbout(claims[i], i, j) == CommitReveal.claimAbout(claims[j], j, i);
    }
}
