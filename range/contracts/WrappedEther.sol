// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "./ERC20.sol";

/// @title Ether wrapped as an ERC-20, one to one, with WETH9's events.
contract WrappedEther is ERC20 {
    event Deposit(address indexed dst, uint256 wad);
    event Withdrawal(address indexed src, uint256 wad);

    error EtherTransferFailed();

    constructor(address guardian_) ERC20("Wrapped Ether", "WETH", guardian_) {}

    receive() external payable {
        deposit();
    }

    function deposit() public payable whenNotPaused {
        _mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value);
    }

    function withdraw(uint256 wad) external whenNotPaused {
        _burn(msg.sender, wad);
        emit Withdrawal(msg.sender, wad);
        (bool ok,) = payable(msg.sender).call{value: wad}("");
        if (!ok) revert EtherTransferFailed();
    }
}
