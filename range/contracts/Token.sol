// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "./ERC20.sol";

/// @title A mintable ERC-20: the range's stablecoin and governance token.
contract Token is ERC20 {
    constructor(string memory name_, string memory symbol_, address guardian_)
        ERC20(name_, symbol_, guardian_)
    {}

    /// @notice Issues new supply. Owner only (the issuer's treasury).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
