// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";

/// @title An ether savings vault, ported from pre-0.8 code with its reentrancy bug intact.
/// @notice `withdraw` sends ether before it updates the balance (checks-interactions-effects),
/// and the update keeps the old unchecked arithmetic: a contract that re-enters `withdraw`
/// from its `receive` is paid again and again against the same balance.
contract Vault is Guarded {
    mapping(address => uint256) public balanceOf;
    uint256 public totalDeposits;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    error InsufficientBalance(uint256 requested, uint256 available);
    error EtherTransferFailed();

    constructor(address guardian_) Guarded(guardian_) {}

    function deposit() external payable whenNotPaused {
        balanceOf[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        uint256 balance = balanceOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(amount, balance);
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert EtherTransferFailed();
        unchecked {
            balanceOf[msg.sender] -= amount;
            totalDeposits -= amount;
        }
    }
}
