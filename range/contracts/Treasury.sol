// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";

/// @title A rewards treasury: holds protocol funds and pays users their claimable rewards.
/// @notice Written to sit behind a proxy that calls `initialize` once. The implementation
/// never locked its initializer and does not check that it already ran, so anyone can call
/// `initialize` again, become the owner and `sweep` the funds (an ownership takeover).
contract Treasury is Guarded {
    IERC20 public rewardToken;
    bool public initialized;
    mapping(address => uint256) public claimable;

    event Initialized(address indexed owner, address indexed rewardToken);
    event RewardsGranted(uint256 accounts, uint256 amount);
    event Claimed(address indexed account, uint256 amount);
    event Swept(address indexed token, address indexed to, uint256 amount);

    error ExceedsClaimable(uint256 requested, uint256 available);
    error TransferFailed();

    constructor(address guardian_) Guarded(guardian_) {}

    function initialize(address newOwner, IERC20 rewardToken_) external whenNotPaused {
        initialized = true;
        _transferOwnership(newOwner);
        rewardToken = rewardToken_;
        emit Initialized(newOwner, address(rewardToken_));
    }

    function grant(address[] calldata accounts, uint256 amount) external onlyOwner {
        for (uint256 i = 0; i < accounts.length; i++) {
            claimable[accounts[i]] += amount;
        }
        emit RewardsGranted(accounts.length, amount);
    }

    function claim(uint256 amount) external whenNotPaused {
        uint256 available = claimable[msg.sender];
        if (amount > available) revert ExceedsClaimable(amount, available);
        claimable[msg.sender] = available - amount;
        if (!rewardToken.transfer(msg.sender, amount)) revert TransferFailed();
        emit Claimed(msg.sender, amount);
    }

    /// @notice Moves treasury funds. Owner only.
    function sweep(IERC20 token, address to, uint256 amount) external onlyOwner whenNotPaused {
        if (!token.transfer(to, amount)) revert TransferFailed();
        emit Swept(address(token), to, amount);
    }
}
