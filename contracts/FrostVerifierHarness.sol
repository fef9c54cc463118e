// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FrostVerifier} from "./FrostVerifier.sol";

/// @title FrostVerifierHarness
/// @notice Test and benchmark entry points to the FrostVerifier library (which is internal and
///         so has no address of its own): verification, and verification with the gas it used.
///         Not part of a deployment.
contract FrostVerifierHarness {
    function verify(FrostVerifier.PublicKey calldata key, bytes calldata message, FrostVerifier.Signature calldata sig) external view returns (bool) {
        return FrostVerifier.verify(key, message, sig);
    }

    function verifyDigest(FrostVerifier.PublicKey calldata key, bytes32 digest, FrostVerifier.Signature calldata sig) external view returns (bool) {
        return FrostVerifier.verifyDigest(key, digest, sig);
    }

    /// @notice Gas used by one verification of a 32-byte digest, measured around the library call.
    function measureDigest(FrostVerifier.PublicKey calldata key, bytes32 digest, FrostVerifier.Signature calldata sig) external view returns (bool ok, uint256 gasUsed) {
        FrostVerifier.PublicKey memory k = key;
        FrostVerifier.Signature memory s = sig;
        uint256 g = gasleft();
        ok = FrostVerifier.verifyDigest(k, digest, s);
        gasUsed = g - gasleft();
    }
}
