// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FrostVerifier} from "./FrostVerifier.sol";
import {KeyRegistry} from "./KeyRegistry.sol";

/// @title CustodyVault
/// @notice Holds ether and ERC-20 tokens for a group of institutions and moves them only on a
///         FROST signature of the group's threshold key (as registered in the KeyRegistry, so
///         the vault follows the key through refreshes and resharings) over
///         (chain id, this vault, nonce, token, recipient, amount). Nonces are used in order,
///         each once, so a signature cannot be replayed here, on another vault or another chain.
///         Anyone may submit a signed transfer (the members, or a relayer).
contract CustodyVault is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant TRANSFER_TAG = keccak256("tacit.CustodyVault.transfer.v1");

    KeyRegistry public immutable registry;
    bytes32 public immutable keyId;
    /// @notice The nonce the next transfer must carry.
    uint256 public nonce;

    event Deposited(address indexed from, uint256 amount);
    event Transferred(uint256 indexed nonce, address indexed token, address indexed to, uint256 amount);

    error CustodyVaultBadNonce(uint256 expected, uint256 given);
    error CustodyVaultBadSignature();
    error CustodyVaultZeroRecipient();
    error CustodyVaultEtherTransferFailed(address to, uint256 amount);

    /// @param registry_ the KeyRegistry holding the key; @param keyId_ a registered key.
    constructor(KeyRegistry registry_, bytes32 keyId_) {
        registry_.keyOf(keyId_); // reverts KeyRegistryUnknownKey
        registry = registry_;
        keyId = keyId_;
    }

    receive() external payable {
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice What the group key signs to move `amount` of `token` (address(0) = ether) to `to`.
    function transferDigest(uint256 nonce_, address token, address to, uint256 amount) public view returns (bytes32) {
        return keccak256(abi.encode(TRANSFER_TAG, block.chainid, address(this), nonce_, token, to, amount));
    }

    /// @notice Moves funds on a valid group-key signature for the current nonce.
    function transfer(uint256 nonce_, address token, address to, uint256 amount, FrostVerifier.Signature calldata sig) external nonReentrant {
        if (nonce_ != nonce) revert CustodyVaultBadNonce(nonce, nonce_);
        if (to == address(0)) revert CustodyVaultZeroRecipient();
        if (!registry.isValidSignature(keyId, transferDigest(nonce_, token, to, amount), sig)) revert CustodyVaultBadSignature();
        nonce = nonce_ + 1;
        emit Transferred(nonce_, token, to, amount);
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert CustodyVaultEtherTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
