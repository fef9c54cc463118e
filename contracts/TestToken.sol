// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// TEST ONLY. A payment token for the sandbox, local chains and tests: anyone can mint any
// amount, so it is worth nothing. `deployTacit` uses it only when no payment token is given;
// a real deployment names an existing ERC-20 instead.

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken (TEST ONLY — anyone can mint)
/// @notice Freely mintable ERC-20 for sandboxes and tests. Never use it as a real payment token.
contract TestToken is ERC20 {
    constructor() ERC20("Tacit Test Token (TEST ONLY)", "tTCT") {}

    /// @notice Mints `amount` to `to`. Anyone may call it: this token has no value.
    /// @param to Receiver.
    /// @param amount Units to mint.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
