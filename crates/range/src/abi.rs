//! Typed calldata for the range's contracts. Mirrors `range/contracts/*.sol`; a mismatch
//! shows up as reverts in the integration tests, which exercise every function used here.

#![allow(missing_docs, unreachable_pub)]

use alloy::sol;

sol! {
    interface IGuarded {
        function owner() external view returns (address);
        function paused() external view returns (bool);
        function pause() external;
        function unpause() external;
        event Paused(address account);
        event Unpaused(address account);
    }

    contract Token {
        constructor(string name_, string symbol_, address guardian_);
        function mint(address to, uint256 amount) external;
        function balanceOf(address account) external view returns (uint256);
        function allowance(address holder, address spender) external view returns (uint256);
        function transfer(address to, uint256 amount) external returns (bool);
        function approve(address spender, uint256 amount) external returns (bool);
        event Transfer(address indexed from, address indexed to, uint256 value);
    }

    contract WrappedEther {
        constructor(address guardian_);
        function deposit() external payable;
        function withdraw(uint256 wad) external;
        event Deposit(address indexed dst, uint256 wad);
        event Withdrawal(address indexed src, uint256 wad);
    }

    contract AmmPool {
        constructor(address token0_, address token1_, address guardian_);
        function getReserves() external view returns (uint112, uint112, uint32);
        function addLiquidity(uint256 amount0, uint256 amount1) external returns (uint256);
        function removeLiquidity(uint256 shares, address to) external returns (uint256, uint256);
        function sharesOf(address account) external view returns (uint256);
        function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
            external returns (uint256);
        function priceOf(address token) external view returns (uint256);
    }

    contract ConcentratedPool {
        constructor(address token0_, address token1_, address guardian_);
        function initialize(uint160 sqrtPriceX96_, uint128 liquidity_) external;
        function slot0() external view
            returns (uint160, int24, uint16, uint16, uint16, uint8, bool);
        function liquidity() external view returns (uint128);
        function swapExactInput(address recipient, bool zeroForOne, uint256 amountIn,
            uint256 minAmountOut) external returns (uint256);
        function tickAtSqrtPrice(uint160 sqrtPriceX96_) external pure returns (int24);
        event Swap(address indexed sender, address indexed recipient, int256 amount0,
            int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);
    }

    contract LendingPool {
        constructor(address collateral_, address debt_, address oracle_, address guardian_);
        function supply(uint256 amount) external;
        function withdrawSupply(uint256 amount) external;
        function depositCollateral(uint256 amount) external;
        function withdrawCollateral(uint256 amount) external;
        function borrow(uint256 amount) external;
        function repay(uint256 amount) external;
        function availableToBorrow(address account) external view returns (uint256);
        function suppliedOf(address account) external view returns (uint256);
        function collateralOf(address account) external view returns (uint256);
        function debtOf(address account) external view returns (uint256);
    }

    contract FlashLender {
        constructor(address guardian_);
        function deposit(address token, uint256 amount) external;
        function withdraw(address token, uint256 amount) external;
        function depositOf(address account, address token) external view returns (uint256);
    }

    contract Vault {
        constructor(address guardian_);
        function deposit() external payable;
        function withdraw(uint256 amount) external;
        function balanceOf(address account) external view returns (uint256);
        event Deposited(address indexed account, uint256 amount);
        event Withdrawn(address indexed account, uint256 amount);
    }

    contract Bridge {
        constructor(address updater_, bytes32 committedRoot_, address guardian_);
        function deposit(address token, uint256 amount, uint32 destination, bytes32 recipient)
            external;
        function update(bytes32 newRoot) external;
        function process(bytes message) external returns (bool);
        function proveAndProcess(bytes message, bytes32[] proof, uint256 index) external;
    }

    contract Treasury {
        constructor(address guardian_);
        function initialize(address newOwner, address rewardToken_) external;
        function grant(address[] accounts, uint256 amount) external;
        function claim(uint256 amount) external;
        function sweep(address token, address to, uint256 amount) external;
        function claimable(address account) external view returns (uint256);
    }

    contract Collectible {
        constructor();
        function mint(uint256 quantity) external payable;
        function transferFrom(address from, address to, uint256 tokenId) external;
        function withdrawProceeds() external;
        event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    }

    contract Mixer {
        constructor();
        function deposit(bytes32 commitment) external payable;
        function withdraw(bytes32 secret, address to, address relayer, uint256 fee) external;
    }

    contract FlashArbitrage {
        constructor(address lender_, address v2_, address v3_, address quote_, address base_);
        function run(uint256 amount, bool buyOnV2) external;
    }

    contract ReentrancyAttacker {
        constructor(address vault_, address beneficiary_);
        function attack(uint256 maxReentries) external payable;
    }

    contract FlashLoanAttacker {
        constructor(address lender_, address pool_, address lending_, address debtToken_,
            address collateralToken_, address beneficiary_);
        function attack(uint256 loanAmount, uint256 pumpAmount) external;
    }

    contract BridgeAttacker {
        constructor(address bridge_, address beneficiary_);
        function attack(address[] tokens, uint256[] amounts, uint64 firstNonce) external;
    }

    contract TakeoverAttacker {
        constructor(address treasury_, address beneficiary_);
        function attack(address[] tokens) external;
    }

    contract ReentrancyStrike {
        constructor(address vault, uint256 maxReentries) payable;
    }

    contract FlashLoanStrike {
        constructor(address lender, address pool, address lending, address debtToken,
            address collateralToken, uint256 loanAmount, uint256 pumpAmount);
    }

    contract BridgeStrike {
        constructor(address target, address[] tokens, uint256[] amounts, uint64 firstNonce);
    }

    contract TakeoverStrike {
        constructor(address target, address[] tokens);
    }
}
