// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";

/// @notice A spot-price source, as the lending pool reads it.
interface IPriceOracle {
    /// @return price units of the pool's other token per unit of `token`, scaled by 1e18.
    function priceOf(address token) external view returns (uint256 price);
}

/// @title A constant-product pool (Uniswap V2 style) with a 0.3% fee and V2's events.
/// @notice Its spot price is read by the lending pool, which makes it a manipulation target.
contract AmmPool is Guarded, IPriceOracle {
    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;
    uint256 public totalShares;
    mapping(address => uint256) public sharesOf;

    uint256 public constant FEE_BPS = 30;

    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );
    event Sync(uint112 reserve0, uint112 reserve1);

    error UnknownToken(address token);
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    error InsufficientLiquidity();
    error TransferFailed();
    error Overflow();

    constructor(IERC20 token0_, IERC20 token1_, address guardian_) Guarded(guardian_) {
        token0 = token0_;
        token1 = token1_;
    }

    function getReserves() public view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    function getAmountOut(address tokenIn, uint256 amountIn) public view returns (uint256) {
        (uint256 reserveIn, uint256 reserveOut) = _reservesFor(tokenIn);
        uint256 inWithFee = amountIn * (10_000 - FEE_BPS);
        return inWithFee * reserveOut / (reserveIn * 10_000 + inWithFee);
    }

    function priceOf(address token) external view returns (uint256) {
        (uint256 reserveIn, uint256 reserveOut) = _reservesFor(token);
        if (reserveIn == 0) revert InsufficientLiquidity();
        return reserveOut * 1e18 / reserveIn;
    }

    function addLiquidity(uint256 amount0, uint256 amount1)
        external
        whenNotPaused
        returns (uint256 shares)
    {
        _pull(token0, amount0);
        _pull(token1, amount1);
        if (totalShares == 0) {
            shares = _sqrt(amount0 * amount1);
        } else {
            uint256 by0 = amount0 * totalShares / reserve0;
            uint256 by1 = amount1 * totalShares / reserve1;
            shares = by0 < by1 ? by0 : by1;
        }
        if (shares == 0) revert InsufficientLiquidity();
        totalShares += shares;
        sharesOf[msg.sender] += shares;
        _update(reserve0 + amount0, reserve1 + amount1);
        emit Mint(msg.sender, amount0, amount1);
    }

    function removeLiquidity(uint256 shares, address to)
        external
        whenNotPaused
        returns (uint256 amount0, uint256 amount1)
    {
        sharesOf[msg.sender] -= shares;
        amount0 = shares * reserve0 / totalShares;
        amount1 = shares * reserve1 / totalShares;
        totalShares -= shares;
        _update(reserve0 - amount0, reserve1 - amount1);
        _push(token0, to, amount0);
        _push(token1, to, amount1);
        emit Burn(msg.sender, amount0, amount1, to);
    }

    /// @notice Sells exactly `amountIn` of `tokenIn` (pulled with transferFrom) for the other
    /// token, sent to `to`.
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external
        whenNotPaused
        returns (uint256 amountOut)
    {
        amountOut = getAmountOut(tokenIn, amountIn);
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
        bool zeroIn = tokenIn == address(token0);
        _pull(IERC20(tokenIn), amountIn);
        if (zeroIn) {
            _push(token1, to, amountOut);
            _update(reserve0 + amountIn, reserve1 - amountOut);
            emit Swap(msg.sender, amountIn, 0, 0, amountOut, to);
        } else {
            _push(token0, to, amountOut);
            _update(reserve0 - amountOut, reserve1 + amountIn);
            emit Swap(msg.sender, 0, amountIn, amountOut, 0, to);
        }
    }

    function _reservesFor(address tokenIn) private view returns (uint256, uint256) {
        if (tokenIn == address(token0)) return (reserve0, reserve1);
        if (tokenIn == address(token1)) return (reserve1, reserve0);
        revert UnknownToken(tokenIn);
    }

    function _update(uint256 balance0, uint256 balance1) private {
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow();
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = uint32(block.timestamp);
        emit Sync(reserve0, reserve1);
    }

    function _pull(IERC20 token, uint256 amount) private {
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
    }

    function _push(IERC20 token, address to, uint256 amount) private {
        if (!token.transfer(to, amount)) revert TransferFailed();
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
