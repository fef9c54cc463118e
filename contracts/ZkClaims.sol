// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Verified zero-knowledge claims (src/zk, docs/zk.md). Owners register commitments — a
// dataset's Poseidon Merkle commitment, a model's or an applicant's feature commitment, a
// task result's Poseidon(result, salt) — under (committer, key); a registered commitment never
// changes. An admin registers each circuit's Groth16 verifier once its ceremony is finalized
// in ZkCeremony. Anyone submits a proof naming the commitments it is about: the contract puts
// the registered values in as the circuit's leading public inputs itself, so a proof made
// for another commitment fails, then calls the verifier and records the claim.
// A commitment may also come from a contract the admin registered as a source
// (IZkCommitmentSource): the TaskMarket's result commitment of a settled task, referenced as
// (TaskMarket, bytes32(taskId)), so a claim about a task's result is bound to the task.

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {ZkCeremony} from "./ZkCeremony.sol";
import {IZkCommitmentSource} from "./IZkCommitmentSource.sol";

/// @title ZkClaims
/// @notice Registers commitments and circuits; verifies and records claims.
contract ZkClaims {
    struct Circuit {
        IGroth16Verifier verifier;
        uint8 commitmentInputs;
        bytes32 ceremonyId;
    }

    struct CommitmentRef {
        address committer;
        bytes32 key;
    }

    struct Claim {
        bytes32 circuitId;
        address prover;
        uint64 verifiedAt;
    }

    address public immutable admin;
    ZkCeremony public immutable ceremony;
    mapping(bytes32 circuitId => Circuit) private _circuits;
    mapping(address committer => mapping(bytes32 key => uint256)) private _commitments;
    mapping(bytes32 claimId => Claim) private _claims;
    mapping(address source => bool) private _sources;

    event CommitmentRegistered(address indexed committer, bytes32 indexed key, uint256 commitment);
    event CommitmentSourceRegistered(address indexed source);
    event CircuitRegistered(bytes32 indexed circuitId, address verifier, uint8 commitmentInputs, bytes32 ceremonyId);
    event ClaimVerified(bytes32 indexed claimId, bytes32 indexed circuitId, address indexed prover, uint256[] publicInputs);

    error ZkClaimsNotAdmin(address caller);
    error ZkClaimsCircuitExists(bytes32 circuitId);
    error ZkClaimsUnknownCircuit(bytes32 circuitId);
    error ZkClaimsCeremonyNotFinalized(bytes32 ceremonyId);
    error ZkClaimsCommitmentExists(address committer, bytes32 key);
    error ZkClaimsBadCommitment();
    error ZkClaimsUnknownCommitment(address committer, bytes32 key);
    error ZkClaimsWrongInputCount(uint256 expected, uint256 given);
    error ZkClaimsInvalidProof(bytes32 circuitId);
    error ZkClaimsBadSource(address source);

    constructor(ZkCeremony ceremony_) {
        admin = msg.sender;
        ceremony = ceremony_;
    }

    /// @notice Registers a circuit's verifier; its phase-2 ceremony must be finalized.
    function registerCircuit(bytes32 circuitId, IGroth16Verifier verifier, uint8 commitmentInputs, bytes32 ceremonyId) external {
        if (msg.sender != admin) revert ZkClaimsNotAdmin(msg.sender);
        if (address(_circuits[circuitId].verifier) != address(0)) revert ZkClaimsCircuitExists(circuitId);
        if (!ceremony.isFinalized(ceremonyId)) revert ZkClaimsCeremonyNotFinalized(ceremonyId);
        _circuits[circuitId] = Circuit(verifier, commitmentInputs, ceremonyId);
        emit CircuitRegistered(circuitId, address(verifier), commitmentInputs, ceremonyId);
    }

    /// @notice Registers a contract whose commitments (IZkCommitmentSource) claims may reference
    ///         as (source, key), e.g. the TaskMarket's task result commitments. Admin only.
    function registerSource(address source) external {
        if (msg.sender != admin) revert ZkClaimsNotAdmin(msg.sender);
        if (source.code.length == 0) revert ZkClaimsBadSource(source);
        _sources[source] = true;
        emit CommitmentSourceRegistered(source);
    }

    /// @notice Whether `source` is a registered commitment source.
    function isSource(address source) external view returns (bool) {
        return _sources[source];
    }

    /// @notice Registers the caller's commitment under `key` (a field element, nonzero), once.
    function registerCommitment(bytes32 key, uint256 commitment) external {
        if (commitment == 0 || commitment >= 21888242871839275222246405745257275088548364400416034343698204186575808495617) revert ZkClaimsBadCommitment();
        if (_commitments[msg.sender][key] != 0) revert ZkClaimsCommitmentExists(msg.sender, key);
        _commitments[msg.sender][key] = commitment;
        emit CommitmentRegistered(msg.sender, key, commitment);
    }

    /// @notice Verifies a proof about registered commitments and records the claim; reverts when it does not verify.
    /// @param refs the commitments the circuit's leading public inputs stand for, in order
    /// @param statement the remaining public inputs (the claim's bounds, id, decision ...)
    function submitClaim(bytes32 circuitId, CommitmentRef[] calldata refs, uint256[] calldata statement, uint256[8] calldata proof)
        external
        returns (bytes32 claimId)
    {
        Circuit storage c = _circuits[circuitId];
        if (address(c.verifier) == address(0)) revert ZkClaimsUnknownCircuit(circuitId);
        if (refs.length != c.commitmentInputs) revert ZkClaimsWrongInputCount(c.commitmentInputs, refs.length);
        uint256[] memory inputs = new uint256[](refs.length + statement.length);
        for (uint256 i = 0; i < refs.length; i++) {
            address committer = refs[i].committer;
            uint256 v = _sources[committer]
                ? IZkCommitmentSource(committer).zkCommitmentOf(refs[i].key)
                : _commitments[committer][refs[i].key];
            if (v == 0) revert ZkClaimsUnknownCommitment(refs[i].committer, refs[i].key);
            inputs[i] = v;
        }
        for (uint256 i = 0; i < statement.length; i++) inputs[refs.length + i] = statement[i];
        if (!c.verifier.verifyProof(proof, inputs)) revert ZkClaimsInvalidProof(circuitId);
        claimId = keccak256(abi.encode(circuitId, inputs));
        _claims[claimId] = Claim(circuitId, msg.sender, uint64(block.timestamp));
        emit ClaimVerified(claimId, circuitId, msg.sender, inputs);
    }

    /// @notice The commitment a claim referencing (committer, key) is checked against (0 when none).
    function commitmentOf(address committer, bytes32 key) external view returns (uint256) {
        if (_sources[committer]) return IZkCommitmentSource(committer).zkCommitmentOf(key);
        return _commitments[committer][key];
    }

    /// @notice A recorded claim (verifiedAt = 0 when it was never verified).
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    /// @notice A registered circuit.
    function circuit(bytes32 circuitId) external view returns (Circuit memory) {
        return _circuits[circuitId];
    }
}
