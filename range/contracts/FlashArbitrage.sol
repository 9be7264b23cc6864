// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "./ERC20.sol";

interface ILender {
    function flashLoan(address receiver, address token, uint256 amount, bytes calldata data)
        external
        returns (bool);
}

interface IV2Pool {
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external
        returns (uint256);
}

interface IV3Pool {
    function swapExactInput(address recipient, bool zeroForOne, uint256 amountIn, uint256 minAmountOut)
        external
        returns (uint256);
}

/// @title A market maker's benign flash-loan arbitrage between the V2 and the V3 pool.
/// @notice Borrows the quote token, buys the base token on one pool, sells it on the other,
/// repays, and reverts unless it made a profit — the everyday use of flash loans that a
/// detector must not confuse with an attack.
contract FlashArbitrage {
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    ILender public immutable lender;
    IV2Pool public immutable v2;
    IV3Pool public immutable v3;
    IERC20 public immutable quote;
    IERC20 public immutable base;
    address public immutable operator;

    error NotOperator();
    error NotLender();
    error Unprofitable(uint256 balance, uint256 owed);

    /// @dev The V3 pool must have `base` as token0 and `quote` as token1.
    constructor(ILender lender_, IV2Pool v2_, IV3Pool v3_, IERC20 quote_, IERC20 base_) {
        lender = lender_;
        v2 = v2_;
        v3 = v3_;
        quote = quote_;
        base = base_;
        operator = msg.sender;
    }

    function run(uint256 amount, bool buyOnV2) external {
        if (msg.sender != operator) revert NotOperator();
        lender.flashLoan(address(this), address(quote), amount, abi.encode(buyOnV2));
        quote.transfer(operator, quote.balanceOf(address(this)));
    }

    function onFlashLoan(address, address, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        if (msg.sender != address(lender)) revert NotLender();
        bool buyOnV2 = abi.decode(data, (bool));
        quote.approve(address(v2), type(uint256).max);
        quote.approve(address(v3), type(uint256).max);
        base.approve(address(v2), type(uint256).max);
        base.approve(address(v3), type(uint256).max);
        if (buyOnV2) {
            uint256 bought = v2.swap(address(quote), amount, 0, address(this));
            v3.swapExactInput(address(this), true, bought, 0);
        } else {
            uint256 bought = v3.swapExactInput(address(this), false, amount, 0);
            v2.swap(address(base), bought, 0, address(this));
        }
        uint256 owed = amount + fee;
        uint256 balance = quote.balanceOf(address(this));
        if (balance < owed) revert Unprofitable(balance, owed);
        quote.approve(address(lender), owed);
        return CALLBACK_SUCCESS;
    }
}
