//! Exploit signatures: families of well-known function selectors (withdrawals, deposits, flash
//! loans, swaps, borrows, price reads) and the name patterns of privileged functions. The
//! selector tables are built once from the canonical signatures.

use std::sync::OnceLock;

use alloy_primitives::keccak256;

/// Selector families, each sorted for binary search.
#[derive(Debug)]
pub(crate) struct Families {
    pub(crate) withdraw: Vec<u32>,
    pub(crate) deposit: Vec<u32>,
    pub(crate) flash: Vec<u32>,
    pub(crate) swap: Vec<u32>,
    pub(crate) borrow: Vec<u32>,
    pub(crate) price_read: Vec<u32>,
}

const WITHDRAW: &[&str] = &[
    "withdraw()",
    "withdraw(uint256)",
    "withdraw(address,uint256)",
    "withdraw(address,uint256,address)",
    "withdraw(uint256,address,address)",
    "redeem(uint256)",
    "redeem(uint256,address,address)",
    "redeemUnderlying(uint256)",
    "exit()",
    "emergencyWithdraw(uint256)",
    "claim(uint256)",
];

const DEPOSIT: &[&str] = &[
    "deposit()",
    "deposit(uint256)",
    "deposit(address,uint256)",
    "deposit(uint256,address)",
    "deposit(address,uint256,address,uint16)",
    "supply(address,uint256,address,uint16)",
    "mint(uint256)",
    "stake(uint256)",
];

const FLASH: &[&str] = &[
    "flashLoan(address,address,uint256,bytes)",
    "flashLoan(address,address[],uint256[],uint256[],address,bytes,uint16)",
    "flashLoan(address,address[],uint256[],bytes)",
    "flashLoanSimple(address,address,uint256,bytes,uint16)",
    "flash(address,uint256,uint256,bytes)",
    "onFlashLoan(address,address,uint256,uint256,bytes)",
    "executeOperation(address[],uint256[],uint256[],address,bytes)",
    "executeOperation(address,uint256,uint256,address,bytes)",
    "receiveFlashLoan(address[],uint256[],uint256[],bytes)",
    "uniswapV3FlashCallback(uint256,uint256,bytes)",
    "uniswapV2Call(address,uint256,uint256,bytes)",
];

const SWAP: &[&str] = &[
    "swap(uint256,uint256,address,bytes)",
    "swap(address,bool,int256,uint160,bytes)",
    "swap(address,uint256,uint256,address)",
    "swapExactInput(address,bool,uint256,uint256)",
    "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
    "swapTokensForExactTokens(uint256,uint256,address[],address,uint256)",
    "swapExactETHForTokens(uint256,address[],address,uint256)",
    "swapExactTokensForETH(uint256,uint256,address[],address,uint256)",
    "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))",
    "exactInput((bytes,address,uint256,uint256,uint256))",
    "exchange(int128,int128,uint256,uint256)",
];

const BORROW: &[&str] = &[
    "borrow(uint256)",
    "borrow(address,uint256)",
    "borrow(address,uint256,uint256,uint16,address)",
    "liquidationCall(address,address,address,uint256,bool)",
    "liquidateBorrow(address,uint256,address)",
    "liquidate(address,uint256)",
];

const PRICE_READ: &[&str] = &[
    "getReserves()",
    "slot0()",
    "latestRoundData()",
    "latestAnswer()",
    "getAmountOut(address,uint256)",
    "getAmountsOut(uint256,address[])",
    "priceOf(address)",
    "getPrice(address)",
];

/// Function names (lower case) of privileged, owner-only or one-shot functions.
const PRIVILEGED: &[&str] = &[
    "init",
    "transferownership",
    "setowner",
    "changeowner",
    "acceptownership",
    "renounceownership",
    "grantrole",
    "revokerole",
    "setadmin",
    "changeadmin",
    "upgradeto",
    "upgradetoandcall",
    "setimplementation",
    "sweep",
    "rescuetokens",
    "emergencywithdraw",
    "pause",
    "unpause",
    "setguardian",
    "kill",
    "destroy",
];

/// Function names (lower case) that forward calls or take callbacks.
const CALLBACK_STYLE: &[&str] = &[
    "flashloan",
    "flashloansimple",
    "flash",
    "multicall",
    "execute",
    "aggregate",
    "upgradetoandcall",
    "swap",
];

/// Function names (lower case) that forward a payload to be executed in the target's context.
const DELEGATING: &[&str] = &["upgradetoandcall", "delegate", "execute", "multicall"];

fn selectors(signatures: &[&str]) -> Vec<u32> {
    let mut out: Vec<u32> = signatures
        .iter()
        .map(|s| {
            let h = keccak256(s.as_bytes());
            u32::from_be_bytes([h[0], h[1], h[2], h[3]])
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The selector families, built on first use.
pub(crate) fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| Families {
        withdraw: selectors(WITHDRAW),
        deposit: selectors(DEPOSIT),
        flash: selectors(FLASH),
        swap: selectors(SWAP),
        borrow: selectors(BORROW),
        price_read: selectors(PRICE_READ),
    })
}

/// Whether `selector` is in the sorted `family`.
pub(crate) fn contains(family: &[u32], selector: u32) -> bool {
    family.binary_search(&selector).is_ok()
}

fn name_in(name: &str, table: &[&str]) -> bool {
    name.len() <= 32 && {
        let mut buf = [0u8; 32];
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        table.iter().any(|t| t.as_bytes() == lower)
    }
}

/// Initializers (`initialize…`, `init…`) and owner-only administration.
pub(crate) fn is_privileged(name: &str) -> bool {
    let lower_prefix = |p: &str| {
        name.as_bytes().get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes()))
    };
    lower_prefix("initiali") || lower_prefix("reinitiali") || name_in(name, PRIVILEGED)
}

/// Functions that call out to arbitrary code.
pub(crate) fn is_callback_style(name: &str) -> bool {
    name_in(name, CALLBACK_STYLE)
}

/// Functions that execute a caller-supplied payload.
pub(crate) fn is_delegating(name: &str) -> bool {
    name_in(name, DELEGATING)
}

/// View-style names: reading, not writing.
pub(crate) fn is_view_like(name: &str) -> bool {
    let starts = |p: &str| name.starts_with(p);
    starts("get")
        || starts("balanceOf")
        || starts("allowance")
        || starts("total")
        || starts("preview")
        || starts("quote")
        || name_in(name, &["name", "symbol", "decimals", "owner", "paused", "nonces"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_well_known_values() {
        let f = families();
        assert!(contains(&f.withdraw, 0x2e1a_7d4d)); // withdraw(uint256)
        assert!(contains(&f.deposit, 0xd0e3_0db0)); // deposit()
        assert!(contains(&f.swap, 0x022c_0d9f)); // UniswapV2 swap
        assert!(contains(&f.price_read, 0x0902_f1ac)); // getReserves()
        assert!(contains(&f.flash, 0x5cff_e9de)); // ERC-3156 flashLoan
    }

    #[test]
    fn privileged_names_match_case_insensitively() {
        assert!(is_privileged("initialize"));
        assert!(is_privileged("transferOwnership"));
        assert!(is_privileged("Sweep"));
        assert!(!is_privileged("transfer"));
        assert!(!is_privileged(""));
        assert!(is_view_like("getReserves") && !is_view_like("withdraw"));
    }
}
