// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";
import {IPriceOracle} from "./AmmPool.sol";

/// @title An over-collateralised lending pool: deposit one token, borrow another.
/// @notice Collateral is valued at the AMM's *spot* price, read in the same transaction —
/// the design flaw behind many price-manipulation incidents (a flash loan moves the price,
/// the pool lends against it).
contract LendingPool is Guarded {
    IERC20 public immutable collateralToken;
    IERC20 public immutable debtToken;
    IPriceOracle public immutable oracle;
    uint256 public constant LTV_BPS = 7500;

    mapping(address => uint256) public suppliedOf;
    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;
    uint256 public totalSupplied;
    uint256 public totalBorrowed;

    event Supplied(address indexed account, uint256 amount);
    event SupplyWithdrawn(address indexed account, uint256 amount);
    event CollateralDeposited(address indexed account, uint256 amount);
    event CollateralWithdrawn(address indexed account, uint256 amount);
    event Borrowed(address indexed account, uint256 amount, uint256 collateralPrice);
    event Repaid(address indexed account, uint256 amount);

    error ExceedsBorrowLimit(uint256 requested, uint256 available);
    error ExceedsBalance(uint256 requested, uint256 available);
    error TransferFailed();

    constructor(IERC20 collateral_, IERC20 debt_, IPriceOracle oracle_, address guardian_)
        Guarded(guardian_)
    {
        collateralToken = collateral_;
        debtToken = debt_;
        oracle = oracle_;
    }

    /// @notice Debt-token value of `account`'s collateral times the loan-to-value ratio.
    function borrowLimit(address account) public view returns (uint256) {
        uint256 price = oracle.priceOf(address(collateralToken));
        return collateralOf[account] * price / 1e18 * LTV_BPS / 10_000;
    }

    /// @notice What `account` can borrow now: its headroom, capped by the pool's cash.
    function availableToBorrow(address account) external view returns (uint256) {
        uint256 limit = borrowLimit(account);
        uint256 headroom = limit > debtOf[account] ? limit - debtOf[account] : 0;
        uint256 cash = debtToken.balanceOf(address(this));
        return headroom < cash ? headroom : cash;
    }

    function supply(uint256 amount) external whenNotPaused {
        _pull(debtToken, amount);
        suppliedOf[msg.sender] += amount;
        totalSupplied += amount;
        emit Supplied(msg.sender, amount);
    }

    function withdrawSupply(uint256 amount) external whenNotPaused {
        uint256 supplied = suppliedOf[msg.sender];
        if (amount > supplied) revert ExceedsBalance(amount, supplied);
        suppliedOf[msg.sender] = supplied - amount;
        totalSupplied -= amount;
        _push(debtToken, msg.sender, amount);
        emit SupplyWithdrawn(msg.sender, amount);
    }

    function depositCollateral(uint256 amount) external whenNotPaused {
        _pull(collateralToken, amount);
        collateralOf[msg.sender] += amount;
        emit CollateralDeposited(msg.sender, amount);
    }

    function withdrawCollateral(uint256 amount) external whenNotPaused {
        uint256 collateral = collateralOf[msg.sender];
        if (amount > collateral) revert ExceedsBalance(amount, collateral);
        collateralOf[msg.sender] = collateral - amount;
        uint256 limit = borrowLimit(msg.sender);
        if (debtOf[msg.sender] > limit) revert ExceedsBorrowLimit(debtOf[msg.sender], limit);
        _push(collateralToken, msg.sender, amount);
        emit CollateralWithdrawn(msg.sender, amount);
    }

    function borrow(uint256 amount) external whenNotPaused {
        uint256 limit = borrowLimit(msg.sender);
        uint256 debt = debtOf[msg.sender] + amount;
        if (debt > limit) revert ExceedsBorrowLimit(amount, limit - debtOf[msg.sender]);
        debtOf[msg.sender] = debt;
        totalBorrowed += amount;
        _push(debtToken, msg.sender, amount);
        emit Borrowed(msg.sender, amount, oracle.priceOf(address(collateralToken)));
    }

    function repay(uint256 amount) external whenNotPaused {
        uint256 debt = debtOf[msg.sender];
        if (amount > debt) revert ExceedsBalance(amount, debt);
        _pull(debtToken, amount);
        debtOf[msg.sender] = debt - amount;
        totalBorrowed -= amount;
        emit Repaid(msg.sender, amount);
    }

    function _pull(IERC20 token, uint256 amount) private {
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
    }

    function _push(IERC20 token, address to, uint256 amount) private {
        if (!token.transfer(to, amount)) revert TransferFailed();
    }
}
