// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";
import {IPriceOracle} from "./AmmPool.sol";

/// @title A Uniswap V3-style pool with one liquidity position over the full price range.
/// @notice Pricing is V3's inside a single range: virtual reserves x = L / sqrtP and
/// y = L * sqrtP, so the pool emits V3's exact `Swap` event with a correct `sqrtPriceX96`,
/// active `liquidity` and `tick`, and `slot0()` reads as on a real V3 pool.
contract ConcentratedPool is Guarded, IPriceOracle {
    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint24 public constant fee = 3000;
    uint128 public liquidity;
    uint160 private sqrtPriceX96;
    int24 private tick;

    uint256 private constant Q96 = 1 << 96;
    /// @dev log2(1.0001) as a 64.64 fixed-point number.
    int256 private constant LOG2_TICK_BASE_X64 = 2661169563308230;

    event Initialize(uint160 sqrtPriceX96, int24 tick);
    event Swap(
        address indexed sender,
        address indexed recipient,
        int256 amount0,
        int256 amount1,
        uint160 sqrtPriceX96,
        uint128 liquidity,
        int24 tick
    );

    error AlreadyInitialized();
    error NotInitialized();
    error UnknownToken(address token);
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    error TransferFailed();

    constructor(IERC20 token0_, IERC20 token1_, address guardian_) Guarded(guardian_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Opens the pool at `sqrtPriceX96_` with liquidity `liquidity_`, pulling the
    /// matching virtual reserves from the owner.
    function initialize(uint160 sqrtPriceX96_, uint128 liquidity_) external onlyOwner {
        if (liquidity != 0) revert AlreadyInitialized();
        liquidity = liquidity_;
        sqrtPriceX96 = sqrtPriceX96_;
        tick = tickAtSqrtPrice(sqrtPriceX96_);
        _pull(token0, (uint256(liquidity_) << 96) / sqrtPriceX96_ + 1);
        _pull(token1, uint256(liquidity_) * sqrtPriceX96_ / Q96 + 1);
        emit Initialize(sqrtPriceX96_, tick);
    }

    function slot0()
        external
        view
        returns (uint160, int24, uint16, uint16, uint16, uint8, bool)
    {
        return (sqrtPriceX96, tick, 0, 1, 1, 0, !paused);
    }

    /// @notice Sells exactly `amountIn` of token0 (`zeroForOne`) or token1 for the other,
    /// sent to `recipient`. Emits V3's `Swap` with signed pool-side amounts.
    function swapExactInput(address recipient, bool zeroForOne, uint256 amountIn, uint256 minAmountOut)
        external
        whenNotPaused
        returns (uint256 amountOut)
    {
        if (liquidity == 0) revert NotInitialized();
        uint256 l = liquidity;
        uint256 sqrtP = sqrtPriceX96;
        uint256 inLessFee = amountIn * (1e6 - fee) / 1e6;
        uint256 next;
        if (zeroForOne) {
            uint256 x = (l << 96) / sqrtP;
            next = (l << 96) / (x + inLessFee);
            amountOut = (l * (sqrtP - next)) / Q96;
        } else {
            uint256 y = l * sqrtP / Q96;
            next = (y + inLessFee) * Q96 / l;
            amountOut = (l << 96) / sqrtP - (l << 96) / next;
        }
        if (amountOut > 0) amountOut -= 1; // round in the pool's favour
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
        sqrtPriceX96 = uint160(next);
        tick = tickAtSqrtPrice(uint160(next));
        (IERC20 tokenIn, IERC20 tokenOut) = zeroForOne ? (token0, token1) : (token1, token0);
        _pull(tokenIn, amountIn);
        if (!tokenOut.transfer(recipient, amountOut)) revert TransferFailed();
        (int256 amount0, int256 amount1) = zeroForOne
            ? (int256(amountIn), -int256(amountOut))
            : (-int256(amountOut), int256(amountIn));
        emit Swap(msg.sender, recipient, amount0, amount1, uint160(next), liquidity, tick);
    }

    function priceOf(address token) external view returns (uint256) {
        // price of token0 in token1 = (sqrtP / 2^96)^2, kept at 1e18 scale.
        uint256 root = uint256(sqrtPriceX96) * 1e9 / Q96;
        uint256 price0 = root * root;
        if (token == address(token0)) return price0;
        if (token == address(token1)) return 1e36 / price0;
        revert UnknownToken(token);
    }

    /// @notice The greatest tick whose price 1.0001^tick is at most (sqrtPriceX96 / 2^96)^2.
    function tickAtSqrtPrice(uint160 sqrtPriceX96_) public pure returns (int24) {
        // log2 of the Q96 number in 64.64 fixed point, by repeated squaring.
        uint256 x = sqrtPriceX96_;
        uint256 msb = 0;
        for (uint256 step = 128; step > 0; step >>= 1) {
            if (x >> (msb + step) != 0) msb += step;
        }
        int256 log2X64 = (int256(msb) - 96) << 64;
        uint256 r = msb >= 127 ? x >> (msb - 127) : x << (127 - msb);
        for (int256 bit = int256(1 << 63); bit > 0; bit >>= 1) {
            r = (r * r) >> 127;
            if (r >= 1 << 128) {
                r >>= 1;
                log2X64 |= bit;
            }
        }
        // price = sqrtPrice^2, so log_1.0001(price) = 2 * log2(sqrtPrice) / log2(1.0001).
        int256 numerator = log2X64 * 2;
        int256 t = numerator / LOG2_TICK_BASE_X64;
        if (numerator < 0 && numerator % LOG2_TICK_BASE_X64 != 0) t -= 1;
        return int24(t);
    }

    function _pull(IERC20 token, uint256 amount) private {
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
    }
}
