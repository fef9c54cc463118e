// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// The right to use one dataset in one task, as an ERC-20 (1 token = 1e18 units = one use),
// in the manner of Ocean Protocol's datatokens: the owner mints and sells or gives them; a
// requester escrows one per dataset when it creates a task; the TaskMarket burns it when the
// task settles. Each dataset gets its own token as an EIP-1167 minimal clone of one
// implementation (a ~45-byte proxy instead of a full ERC-20 deployment), so name and symbol
// live in storage set by `initialize` rather than in the constructor.

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

/// @notice What a DataToken needs from the registry that created it.
interface IDatasetOwners {
    /// @notice The owner of dataset `datasetId`.
    function ownerOf(uint256 datasetId) external view returns (address);
}

/// @title DataToken
/// @notice ERC-20 data token of one Tacit dataset; mintable by the dataset's owner only.
contract DataToken is ERC20Burnable {
    address private _registry;
    uint256 private _datasetId;
    string private _tokenName;
    string private _tokenSymbol;

    error DataTokenAlreadyInitialized();
    error DataTokenNotDatasetOwner(address caller);

    /// @dev The implementation itself is locked: only clones are initialised.
    constructor() ERC20("", "") {
        _registry = address(0xdead);
    }

    /// @notice Sets up a fresh clone. Called once, by the DataRegistry, in the same transaction
    ///         that creates the clone; the caller becomes the token's registry.
    /// @param datasetId_ The dataset this token grants use of.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param to Receiver of the initial supply.
    /// @param amount Initial supply (may be zero).
    function initialize(uint256 datasetId_, string calldata name_, string calldata symbol_, address to, uint256 amount)
        external
    {
        if (_registry != address(0)) revert DataTokenAlreadyInitialized();
        _registry = msg.sender;
        _datasetId = datasetId_;
        _tokenName = name_;
        _tokenSymbol = symbol_;
        if (amount > 0) _mint(to, amount);
    }

    /// @notice Mints `amount` new units to `to`. Only the dataset's owner (per the registry).
    /// @param to Receiver of the new tokens.
    /// @param amount Units to mint (1e18 = one use).
    function mint(address to, uint256 amount) external {
        if (msg.sender != IDatasetOwners(_registry).ownerOf(_datasetId)) revert DataTokenNotDatasetOwner(msg.sender);
        _mint(to, amount);
    }

    /// @notice ERC-20 name.
    function name() public view override returns (string memory) {
        return _tokenName;
    }

    /// @notice ERC-20 symbol.
    function symbol() public view override returns (string memory) {
        return _tokenSymbol;
    }

    /// @notice The dataset this token grants use of.
    function datasetId() external view returns (uint256) {
        return _datasetId;
    }

    /// @notice The DataRegistry that created this token.
    function registry() external view returns (address) {
        return _registry;
    }
}
