// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FrostVerifier} from "./FrostVerifier.sol";

/// @title KeyRegistry
/// @notice The public record of Tacit's threshold keys: for each key (by its off-chain key id)
///         the group public key, the epoch, the threshold, the members and a hash of the full
///         off-chain public state (verifying shares, commitments). A key registers itself —
///         the registration is signed by the group key, so no one can register a key the
///         members do not control — and every later state (after a refresh or a resharing to
///         new members or a new threshold) is recorded only with a signature by the current
///         group key over the next state. Contracts that act on a committee's signature
///         (CustodyVault, a clearing contract) ask `isValidSignature`, so they follow the
///         key through its epochs.
/// @dev    Members are opaque 32-byte ids: a node's address (left-padded) or keccak256 of a
///         member name. Signed payloads bind the chain id and this contract's address.
contract KeyRegistry {
    struct KeyState {
        FrostVerifier.PublicKey key;
        uint64 epoch;
        uint16 threshold;
        bytes32 stateHash;
        bytes32[] members;
    }

    bytes32 public constant REGISTER_TAG = keccak256("tacit.KeyRegistry.register.v1");
    bytes32 public constant ROTATE_TAG = keccak256("tacit.KeyRegistry.rotate.v1");

    mapping(bytes32 keyId => KeyState) private _keys;

    event KeyRegistered(bytes32 indexed keyId, uint256 keyX, uint8 keyParity, uint64 epoch, uint16 threshold, bytes32[] members, bytes32 stateHash);
    event KeyRotated(bytes32 indexed keyId, uint64 epoch, uint256 keyX, uint8 keyParity, uint16 threshold, bytes32[] members, bytes32 stateHash);

    error KeyRegistryKeyExists(bytes32 keyId);
    error KeyRegistryUnknownKey(bytes32 keyId);
    error KeyRegistryInvalidThreshold(uint16 threshold, uint256 members);
    error KeyRegistryInvalidKey();
    error KeyRegistryBadSignature(bytes32 keyId);
    error KeyRegistryStaleEpoch(bytes32 keyId, uint64 current, uint64 given);

    /// @notice The digest a new key signs to register itself.
    function registerDigest(bytes32 keyId, FrostVerifier.PublicKey calldata key, uint64 epoch, uint16 threshold, bytes32[] calldata members, bytes32 stateHash) public view returns (bytes32) {
        return keccak256(abi.encode(REGISTER_TAG, block.chainid, address(this), keyId, key.x, key.parity, epoch, threshold, members, stateHash));
    }

    /// @notice The digest the current key signs to move to the next state.
    function rotateDigest(bytes32 keyId, uint64 epoch, FrostVerifier.PublicKey calldata key, uint16 threshold, bytes32[] calldata members, bytes32 stateHash) public view returns (bytes32) {
        return keccak256(abi.encode(ROTATE_TAG, block.chainid, address(this), keyId, epoch, key.x, key.parity, threshold, members, stateHash));
    }

    /// @notice Registers a key at `epoch`, authorised by a signature of the key itself.
    function register(bytes32 keyId, FrostVerifier.PublicKey calldata key, uint64 epoch, uint16 threshold, bytes32[] calldata members, bytes32 stateHash, FrostVerifier.Signature calldata sig) external {
        if (_keys[keyId].key.x != 0) revert KeyRegistryKeyExists(keyId);
        _checkShape(key, threshold, members.length);
        if (!FrostVerifier.verifyDigest(key, registerDigest(keyId, key, epoch, threshold, members, stateHash), sig)) revert KeyRegistryBadSignature(keyId);
        _store(keyId, key, epoch, threshold, members, stateHash);
        emit KeyRegistered(keyId, key.x, key.parity, epoch, threshold, members, stateHash);
    }

    /// @notice Records the next state (a later epoch; the same or a new group key), signed by the
    ///         current group key. A new group key must also sign the same digest (proof of possession).
    function rotate(
        bytes32 keyId,
        uint64 epoch,
        FrostVerifier.PublicKey calldata key,
        uint16 threshold,
        bytes32[] calldata members,
        bytes32 stateHash,
        FrostVerifier.Signature calldata byCurrent,
        FrostVerifier.Signature calldata byNext
    ) external {
        KeyState storage s = _keys[keyId];
        if (s.key.x == 0) revert KeyRegistryUnknownKey(keyId);
        if (epoch <= s.epoch) revert KeyRegistryStaleEpoch(keyId, s.epoch, epoch);
        _checkShape(key, threshold, members.length);
        bytes32 digest = rotateDigest(keyId, epoch, key, threshold, members, stateHash);
        if (!FrostVerifier.verifyDigest(s.key, digest, byCurrent)) revert KeyRegistryBadSignature(keyId);
        bool sameKey = key.x == s.key.x && key.parity == s.key.parity;
        if (!sameKey && !FrostVerifier.verifyDigest(key, digest, byNext)) revert KeyRegistryBadSignature(keyId);
        _store(keyId, key, epoch, threshold, members, stateHash);
        emit KeyRotated(keyId, epoch, key.x, key.parity, threshold, members, stateHash);
    }

    /// @notice The current state of a key.
    function keyOf(bytes32 keyId) external view returns (KeyState memory) {
        KeyState memory s = _keys[keyId];
        if (s.key.x == 0) revert KeyRegistryUnknownKey(keyId);
        return s;
    }

    /// @notice True iff `sig` is the key's current group key's signature of `digest`.
    function isValidSignature(bytes32 keyId, bytes32 digest, FrostVerifier.Signature calldata sig) external view returns (bool) {
        FrostVerifier.PublicKey memory key = _keys[keyId].key;
        if (key.x == 0) revert KeyRegistryUnknownKey(keyId);
        return FrostVerifier.verifyDigest(key, digest, sig);
    }

    function _checkShape(FrostVerifier.PublicKey calldata key, uint16 threshold, uint256 members) private pure {
        if (key.x == 0 || key.x >= FrostVerifier.N || key.parity > 1) revert KeyRegistryInvalidKey();
        if (threshold < 2 || threshold > members || members > 255) revert KeyRegistryInvalidThreshold(threshold, members);
    }

    function _store(bytes32 keyId, FrostVerifier.PublicKey calldata key, uint64 epoch, uint16 threshold, bytes32[] calldata members, bytes32 stateHash) private {
        KeyState storage s = _keys[keyId];
        s.key = key;
        s.epoch = epoch;
        s.threshold = threshold;
        s.stateHash = stateHash;
        s.members = members;
    }
}
