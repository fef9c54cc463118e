// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FrostVerifier
/// @notice Verifies FROST(secp256k1, SHA-256) signatures (RFC 9591 §6.5) — the signatures a
///         Tacit threshold key makes — for about 5,000 gas, so any contract can accept a
///         payload signed by a committee of institutions (a custody vault, a clearing
///         contract accepting a settlement signed by the clearing committee's key).
/// @dev    A FROST signature (R, z) is valid for group key P and message m iff
///         z·G = R + c·P with c = H2(R ‖ P ‖ m). The EVM has no point arithmetic on secp256k1,
///         but the ecrecover precompile returns the address of r⁻¹(s·X − h·G) for the point X
///         with x-coordinate r; choosing r = Px, s = −c·Px, h = −z·Px makes it return the
///         address of z·G − c·P, which must equal the address of R (keccak of its coordinates).
///         This is the known "Schnorr via ecrecover" technique; written here for FROST's
///         challenge, which is RFC 9380 hash_to_field with expand_message_xmd(SHA-256),
///         DST = "FROST-secp256k1-SHA256-v1chal", L = 48, reduced mod n.
///         The caller passes R's y-coordinate (the signers know it; it is checked to be on the
///         curve), which saves a modular square root. Internal functions only: the code is
///         inlined into the contract that uses it, so there is nothing to deploy or link.
library FrostVerifier {
    /// @dev Order of the secp256k1 group.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    /// @dev The field prime.
    uint256 internal constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    /// @dev DST ‖ I2OSP(len(DST), 1) of the H2 challenge hash (RFC 9591 §6.5, RFC 9380 §5.3.1), left-aligned.
    bytes32 internal constant DST_PRIME = "FROST-secp256k1-SHA256-v1chal\x1d";

    /// @notice A group public key in compressed form: x-coordinate and y parity (0 even, 1 odd).
    struct PublicKey {
        uint256 x;
        uint8 parity;
    }

    /// @notice A signature: R = (rx, ry) and z (RFC 9591's encoding is R compressed ‖ z).
    struct Signature {
        uint256 rx;
        uint256 ry;
        uint256 z;
    }

    /// @notice True iff `sig` is a valid FROST(secp256k1, SHA-256) signature of `message` under `key`.
    function verify(PublicKey memory key, bytes memory message, Signature memory sig) internal view returns (bool) {
        uint256 ptr;
        uint256 len;
        assembly ("memory-safe") {
            ptr := add(message, 32)
            len := mload(message)
        }
        return _verify(key, ptr, len, sig);
    }

    /// @notice The same for a 32-byte message (what Tacit's contracts sign: an EIP-712-style digest).
    function verifyDigest(PublicKey memory key, bytes32 digest, Signature memory sig) internal view returns (bool) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := mload(0x40)
            mstore(ptr, digest)
            mstore(0x40, add(ptr, 32))
        }
        return _verify(key, ptr, 32, sig);
    }

    /// @notice A key is usable iff ecrecover can take its x-coordinate as r (0 < x < n). A key off
    ///         the curve is not caught here; it simply never verifies (KeyRegistry registers a key
    ///         only with a signature by it).
    function isValidKey(PublicKey memory key) internal pure returns (bool) {
        return key.x != 0 && key.x < N && key.parity <= 1;
    }

    function _verify(PublicKey memory key, uint256 ptr, uint256 len, Signature memory sig) private view returns (bool) {
        uint256 px = key.x;
        uint256 rx = sig.rx;
        uint256 ry = sig.ry;
        uint256 z = sig.z;
        if (px == 0 || px >= N || key.parity > 1 || z == 0 || z >= N || rx >= P || ry >= P) return false;
        if (mulmod(ry, ry, P) != addmod(mulmod(rx, mulmod(rx, rx, P), P), 7, P)) return false;
        uint256 c = _challenge(rx, ry, px, key.parity, ptr, len);
        uint256 s = N - mulmod(c, px, N);
        uint256 h = N - mulmod(z, px, N);
        if (s == N) return false;
        address q = ecrecover(bytes32(h), 27 + key.parity, bytes32(px), bytes32(s));
        address r;
        assembly ("memory-safe") {
            mstore(0x00, rx)
            mstore(0x20, ry)
            r := and(keccak256(0x00, 0x40), 0xffffffffffffffffffffffffffffffffffffffff)
        }
        return q != address(0) && q == r;
    }

    /// @dev c = H2(R ‖ P ‖ m): expand_message_xmd(SHA-256, 48 bytes) read as a big-endian integer mod n.
    function _challenge(uint256 rx, uint256 ry, uint256 px, uint8 parity, uint256 ptr, uint256 len) private view returns (uint256 c) {
        bytes32 dst = DST_PRIME;
        assembly ("memory-safe") {
            let m := mload(0x40)
            // msg_prime = Z_pad(64) ‖ R(33) ‖ P(33) ‖ message ‖ I2OSP(48, 2) ‖ 0x00 ‖ DST_prime
            mstore(m, 0)
            mstore(add(m, 32), 0)
            mstore(add(m, 65), rx)
            mstore8(add(m, 64), add(2, and(ry, 1)))
            mstore(add(m, 98), px)
            mstore8(add(m, 97), add(2, parity))
            mcopy(add(m, 130), ptr, len)
            let p := add(add(m, 130), len)
            mstore(p, shl(232, 0x003000))
            mstore(add(p, 3), dst)
            let ok := staticcall(gas(), 0x02, m, add(163, len), 0x00, 0x20)
            let b0 := mload(0x00)
            // b1 = H(b0 ‖ 0x01 ‖ DST_prime)
            mstore(m, b0)
            mstore8(add(m, 32), 1)
            mstore(add(m, 33), dst)
            ok := and(ok, staticcall(gas(), 0x02, m, 63, 0x00, 0x20))
            let b1 := mload(0x00)
            // b2 = H((b0 ⊕ b1) ‖ 0x02 ‖ DST_prime)
            mstore(m, xor(b0, b1))
            mstore8(add(m, 32), 2)
            mstore(add(m, 33), dst)
            ok := and(ok, staticcall(gas(), 0x02, m, 63, 0x00, 0x20))
            if iszero(ok) { revert(0, 0) }
            // uniform_bytes = b1 ‖ b2[0:16]; c = OS2IP(uniform_bytes) mod n
            c := addmod(mulmod(b1, shl(128, 1), N), shr(128, mload(0x00)), N)
        }
    }
}
