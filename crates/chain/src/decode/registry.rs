use alloy::json_abi::Function;

/// Common functions every EVM security tool should recognise, grouped by family.
const SIGNATURES: &[&str] = &[
    // ERC-20 / ERC-2612
    "transfer(address to, uint256 amount)",
    "transferFrom(address from, address to, uint256 amount)",
    "approve(address spender, uint256 amount)",
    "increaseAllowance(address spender, uint256 addedValue)",
    "decreaseAllowance(address spender, uint256 subtractedValue)",
    "permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
    "mint(address to, uint256 amount)",
    "burn(uint256 amount)",
    "burnFrom(address account, uint256 amount)",
    // WETH
    "deposit()",
    "withdraw(uint256 wad)",
    // ERC-721 / ERC-1155
    "safeTransferFrom(address from, address to, uint256 tokenId)",
    "safeTransferFrom(address from, address to, uint256 tokenId, bytes data)",
    "setApprovalForAll(address operator, bool approved)",
    "safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
    "safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] amounts, bytes data)",
    // Uniswap V2 router and pair
    "swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)",
    "swapTokensForExactTokens(uint256 amountOut, uint256 amountInMax, address[] path, address to, uint256 deadline)",
    "swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline)",
    "swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)",
    "addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline)",
    "removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline)",
    "swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)",
    "sync()",
    "skim(address to)",
    "mint(address to)",
    "burn(address to)",
    // Uniswap V3 router and pool (tuple fields unnamed: the parser takes types only there)
    "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160) params)",
    "exactInput((bytes,address,uint256,uint256,uint256) params)",
    "exactOutputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160) params)",
    "swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes data)",
    "flash(address recipient, uint256 amount0, uint256 amount1, bytes data)",
    "multicall(bytes[] data)",
    "multicall(uint256 deadline, bytes[] data)",
    // Aave-style lending
    "deposit(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)",
    "supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)",
    "withdraw(address asset, uint256 amount, address to)",
    "borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)",
    "repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)",
    "liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover, bool receiveAToken)",
    // Compound-style lending
    "mint(uint256 mintAmount)",
    "redeem(uint256 redeemTokens)",
    "redeemUnderlying(uint256 redeemAmount)",
    "borrow(uint256 borrowAmount)",
    "repayBorrow(uint256 repayAmount)",
    "liquidateBorrow(address borrower, uint256 repayAmount, address cTokenCollateral)",
    // Flash loans (Aave, ERC-3156, Balancer)
    "flashLoan(address receiverAddress, address[] assets, uint256[] amounts, uint256[] interestRateModes, address onBehalfOf, bytes params, uint16 referralCode)",
    "flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes params, uint16 referralCode)",
    "flashLoan(address receiver, address token, uint256 amount, bytes data)",
    "flashLoan(address recipient, address[] tokens, uint256[] amounts, bytes userData)",
    // Pausable / Ownable / AccessControl / proxies
    "pause()",
    "unpause()",
    "transferOwnership(address newOwner)",
    "renounceOwnership()",
    "acceptOwnership()",
    "initialize()",
    "initialize(address owner)",
    "grantRole(bytes32 role, address account)",
    "revokeRole(bytes32 role, address account)",
    "upgradeTo(address newImplementation)",
    "upgradeToAndCall(address newImplementation, bytes data)",
    "withdraw()",
    "execute(address target, uint256 value, bytes data)",
];

/// The registry's signatures, in human-readable form.
pub fn registry_signatures() -> &'static [&'static str] {
    SIGNATURES
}

pub(super) fn functions() -> impl Iterator<Item = Function> {
    // Every entry is checked by a test; one that fails to parse is skipped, not fatal.
    SIGNATURES.iter().filter_map(|sig| Function::parse(sig).ok())
}
