// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Transcript hashes of Tacit's trusted-setup ceremonies (src/zk/ceremony.ts). A coordinator
// opens a ceremony with the hash of its initial file and the ordered participants; each
// participant in turn records the hash of the file it started from and of the file it
// produced, so the chain holds one unbroken hash chain; the coordinator closes it with the
// hash of the final file. The files travel off-chain; any node checks them against this
// record and checks the cryptography itself. The contract cannot judge a contribution (that
// needs pairings over the whole file) — it makes substitution after the fact impossible.

/// @title ZkCeremony
/// @notice Records the hash chain of each trusted-setup ceremony.
contract ZkCeremony {
    struct Ceremony {
        address coordinator;
        address[] participants;
        bytes32[] hashes;
        bytes32 finalHash;
    }

    mapping(bytes32 ceremonyId => Ceremony) private _ceremonies;

    event CeremonyStarted(bytes32 indexed ceremonyId, address indexed coordinator, bytes32 initialHash, address[] participants);
    event ContributionRecorded(bytes32 indexed ceremonyId, uint256 index, address indexed contributor, bytes32 previousHash, bytes32 hash);
    event CeremonyFinalized(bytes32 indexed ceremonyId, bytes32 finalHash);

    error ZkCeremonyExists(bytes32 ceremonyId);
    error ZkCeremonyUnknown(bytes32 ceremonyId);
    error ZkCeremonyNoParticipants();
    error ZkCeremonyNotYourTurn(address expected, address caller);
    error ZkCeremonyBrokenChain(bytes32 expectedPrevious, bytes32 previousHash);
    error ZkCeremonyIncomplete(uint256 contributions, uint256 participants);
    error ZkCeremonyFinalized(bytes32 ceremonyId);
    error ZkCeremonyNotCoordinator(address caller);
    error ZkCeremonyZeroHash();

    /// @notice Opens a ceremony; the caller coordinates it.
    function start(bytes32 ceremonyId, bytes32 initialHash, address[] calldata participants) external {
        Ceremony storage c = _ceremonies[ceremonyId];
        if (c.coordinator != address(0)) revert ZkCeremonyExists(ceremonyId);
        if (participants.length == 0) revert ZkCeremonyNoParticipants();
        if (initialHash == bytes32(0)) revert ZkCeremonyZeroHash();
        c.coordinator = msg.sender;
        c.participants = participants;
        c.hashes.push(initialHash);
        emit CeremonyStarted(ceremonyId, msg.sender, initialHash, participants);
    }

    /// @notice Records the caller's contribution: it must be the next participant and extend the chain.
    function contribute(bytes32 ceremonyId, bytes32 previousHash, bytes32 hash) external {
        Ceremony storage c = _ceremonies[ceremonyId];
        if (c.coordinator == address(0)) revert ZkCeremonyUnknown(ceremonyId);
        if (c.finalHash != bytes32(0)) revert ZkCeremonyFinalized(ceremonyId);
        uint256 index = c.hashes.length - 1;
        if (index >= c.participants.length) revert ZkCeremonyNotYourTurn(address(0), msg.sender);
        if (c.participants[index] != msg.sender) revert ZkCeremonyNotYourTurn(c.participants[index], msg.sender);
        bytes32 head = c.hashes[index];
        if (previousHash != head) revert ZkCeremonyBrokenChain(head, previousHash);
        if (hash == bytes32(0)) revert ZkCeremonyZeroHash();
        c.hashes.push(hash);
        emit ContributionRecorded(ceremonyId, index + 1, msg.sender, previousHash, hash);
    }

    /// @notice Closes the ceremony with the hash of its final file (after every participant contributed).
    function finalize(bytes32 ceremonyId, bytes32 finalHash) external {
        Ceremony storage c = _ceremonies[ceremonyId];
        if (c.coordinator == address(0)) revert ZkCeremonyUnknown(ceremonyId);
        if (msg.sender != c.coordinator) revert ZkCeremonyNotCoordinator(msg.sender);
        if (c.finalHash != bytes32(0)) revert ZkCeremonyFinalized(ceremonyId);
        if (c.hashes.length - 1 != c.participants.length) revert ZkCeremonyIncomplete(c.hashes.length - 1, c.participants.length);
        if (finalHash == bytes32(0)) revert ZkCeremonyZeroHash();
        c.finalHash = finalHash;
        emit CeremonyFinalized(ceremonyId, finalHash);
    }

    /// @notice The recorded chain: initial hash, one hash per contribution, the final hash (0 until finalized).
    function transcript(bytes32 ceremonyId) external view returns (address coordinator, address[] memory participants, bytes32[] memory hashes, bytes32 finalHash) {
        Ceremony storage c = _ceremonies[ceremonyId];
        return (c.coordinator, c.participants, c.hashes, c.finalHash);
    }

    /// @notice True once the ceremony is closed.
    function isFinalized(bytes32 ceremonyId) external view returns (bool) {
        return _ceremonies[ceremonyId].finalHash != bytes32(0);
    }
}
