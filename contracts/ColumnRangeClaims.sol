// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Range claims over a whole committed column (src/zk/column-commitment.ts, docs/zk.md).
// A dataset owner commits a numeric column once: the chunk size C, the row count and
// H_n, the keccak chain over the chunks' Poseidon digests (H_0 = keccak256("tacit.zk.column.v1"
// ‖ C ‖ rowCount), H_{j+1} = keccak256(H_j ‖ d_j)), and the circuit its chunk proofs use (a
// circuit ZkClaims registered after its ceremony). Anyone holding the proofs then submits
// (d_j, proof_j) for every chunk in order, in one transaction or several; a batch's proofs are
// verified together (the verifier's verifyBatch: n + 3 pairings for n proofs) with public
// inputs (d_j, count_j, lo, hi), count_j computed here from the row
// count, and the digests are chained. When the last chunk is in, the chain must equal the
// commitment — so no chunk is missing, reordered, repeated or taken from another column —
// and the claim "every value of the column lies in [lo, hi]" is recorded.
// A submitter's progress is kept per (submitter, claim): nobody can spoil another's.

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {ZkClaims} from "./ZkClaims.sol";

/// @title ColumnRangeClaims
/// @notice Column commitments and range claims verified chunk by chunk.
contract ColumnRangeClaims {
    struct Column {
        bytes32 commitment;
        bytes32 circuitId;
        uint64 rowCount;
        uint32 chunkSize;
        uint32 chunkCount;
    }

    struct Progress {
        bytes32 chain;
        uint32 next;
    }

    /// @notice Which claim a submission is about: the committed column and the bounds (field elements).
    struct ClaimRef {
        address committer;
        bytes32 key;
        uint256 lo;
        uint256 hi;
    }

    struct Claim {
        address prover;
        uint64 verifiedAt;
    }

    uint256 private constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    ZkClaims public immutable zkClaims;
    mapping(address committer => mapping(bytes32 key => Column)) private _columns;
    mapping(bytes32 progressId => Progress) private _progress;
    mapping(bytes32 claimId => Claim) private _claims;

    event ColumnCommitted(address indexed committer, bytes32 indexed key, bytes32 commitment, bytes32 circuitId, uint64 rowCount, uint32 chunkSize);
    event ColumnRangeVerified(bytes32 indexed claimId, address indexed committer, bytes32 indexed key, uint256 lo, uint256 hi, address prover);

    error ColumnExists(address committer, bytes32 key);
    error ColumnBadShape();
    error ColumnUnknownCircuit(bytes32 circuitId);
    error ColumnUnknown(address committer, bytes32 key);
    error ColumnBadBatch(uint256 expectedStart, uint256 start, uint256 digests, uint256 proofs);
    error ColumnBadBound();
    /// @dev A proof of the batch starting at chunk `start` does not verify.
    error ColumnInvalidProof(uint256 start);
    error ColumnCommitmentMismatch();

    constructor(ZkClaims zkClaims_) {
        zkClaims = zkClaims_;
    }

    /// @notice Commits the caller's column under `key`, once.
    function commitColumn(bytes32 key, bytes32 commitment, bytes32 circuitId, uint64 rowCount, uint32 chunkSize) external {
        if (_columns[msg.sender][key].commitment != bytes32(0)) revert ColumnExists(msg.sender, key);
        if (commitment == bytes32(0) || rowCount == 0 || chunkSize == 0 || (chunkSize & (chunkSize - 1)) != 0) revert ColumnBadShape();
        if (address(zkClaims.circuit(circuitId).verifier) == address(0)) revert ColumnUnknownCircuit(circuitId);
        uint256 chunks = (uint256(rowCount) + chunkSize - 1) / chunkSize;
        if (chunks > type(uint32).max) revert ColumnBadShape();
        _columns[msg.sender][key] = Column(commitment, circuitId, rowCount, chunkSize, uint32(chunks));
        emit ColumnCommitted(msg.sender, key, commitment, circuitId, rowCount, chunkSize);
    }

    /// @notice Verifies chunks start … start+n−1 of a claim; records the claim when the last chunk is in.
    /// @param ref the column and the bounds (a negative bound is p − |lo|, as the circuit reads it)
    /// @return complete whether the claim is now recorded
    function submitChunks(ClaimRef calldata ref, uint32 start, uint256[] calldata digests, uint256[8][] calldata proofs)
        external
        returns (bool complete, bytes32 claimId)
    {
        Column storage col = _columns[ref.committer][ref.key];
        if (col.commitment == bytes32(0)) revert ColumnUnknown(ref.committer, ref.key);
        if (ref.lo >= FIELD || ref.hi >= FIELD) revert ColumnBadBound();
        claimId = claimIdOf(ref.committer, ref.key, ref.lo, ref.hi);
        bytes32 progressId = keccak256(abi.encode(msg.sender, claimId));
        Progress memory p = _progress[progressId];
        if (start == 0) p = Progress(keccak256(abi.encodePacked("tacit.zk.column.v1", uint256(col.chunkSize), uint256(col.rowCount))), 0);
        if (start != p.next || digests.length != proofs.length || digests.length == 0 || uint256(start) + digests.length > col.chunkCount) {
            revert ColumnBadBatch(p.next, start, digests.length, proofs.length);
        }
        p.chain = _verifyBatch(col, ref.lo, ref.hi, start, digests, proofs, p.chain);
        p.next = start + uint32(digests.length);
        if (p.next < col.chunkCount) {
            _progress[progressId] = p;
            return (false, claimId);
        }
        if (p.chain != col.commitment) revert ColumnCommitmentMismatch();
        delete _progress[progressId];
        _claims[claimId] = Claim(msg.sender, uint64(block.timestamp));
        emit ColumnRangeVerified(claimId, ref.committer, ref.key, ref.lo, ref.hi, msg.sender);
        return (true, claimId);
    }

    /// @dev Verifies the batch's proofs together (verifyBatch: one random linear combination)
    ///      with inputs (d_j, count_j, lo, hi) and extends the digest chain.
    function _verifyBatch(
        Column storage col,
        uint256 lo,
        uint256 hi,
        uint256 start,
        uint256[] calldata digests,
        uint256[8][] calldata proofs,
        bytes32 chain
    ) private view returns (bytes32) {
        uint256[] memory inputs = new uint256[](digests.length * 4);
        uint256 last = uint256(col.chunkCount) - 1;
        uint256 lastCount = uint256(col.rowCount) - last * col.chunkSize;
        for (uint256 i = 0; i < digests.length; i++) {
            inputs[i * 4] = digests[i];
            inputs[i * 4 + 1] = start + i < last ? col.chunkSize : lastCount;
            inputs[i * 4 + 2] = lo;
            inputs[i * 4 + 3] = hi;
            chain = keccak256(abi.encodePacked(chain, digests[i]));
        }
        if (!zkClaims.circuit(col.circuitId).verifier.verifyBatch(proofs, inputs)) revert ColumnInvalidProof(start);
        return chain;
    }

    /// @notice The id a range claim is recorded under.
    function claimIdOf(address committer, bytes32 key, uint256 lo, uint256 hi) public pure returns (bytes32) {
        return keccak256(abi.encode("tacit.zk.column-range.v1", committer, key, lo, hi));
    }

    /// @notice A committed column (commitment 0 when none).
    function column(address committer, bytes32 key) external view returns (Column memory) {
        return _columns[committer][key];
    }

    /// @notice A submitter's progress on a claim: the next chunk expected.
    function progress(address submitter, bytes32 claimId) external view returns (uint32 next) {
        return _progress[keccak256(abi.encode(submitter, claimId))].next;
    }

    /// @notice A recorded claim (verifiedAt = 0 when never verified).
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }
}
