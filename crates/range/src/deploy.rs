//! Deploying the range: every contract, the initial liquidity, and the starting balances of
//! protocol roles, attackers and users — all from anvil's unlocked dev accounts.

use alloy::primitives::{Address, U256};
use serde::{Deserialize, Serialize};
use serde_json::json;
use vigil_testkit::AnvilOptions;

use crate::{Chain, RangeError, Result};

/// Dev accounts reserved for protocol roles, before attackers and users.
pub(crate) const ROLE_ACCOUNTS: usize = 9;

/// `whole` tokens (or ether) in base units (18 decimals).
pub(crate) fn units(whole: u64) -> U256 {
    U256::from(whole) * U256::from(10u64).pow(U256::from(18u64))
}

pub(crate) const GWEI: u64 = 1_000_000_000;

/// How many of the node's dev accounts play attackers and users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeLayout {
    /// Attacker EOAs.
    pub attackers: usize,
    /// Benign user EOAs.
    pub users: usize,
}

impl Default for RangeLayout {
    fn default() -> Self {
        Self { attackers: 50, users: 140 }
    }
}

impl RangeLayout {
    /// A layout for quick tests.
    pub fn small() -> Self {
        Self { attackers: 12, users: 24 }
    }

    /// Unlocked accounts the node must offer.
    pub fn accounts(&self) -> usize {
        ROLE_ACCOUNTS + self.attackers + self.users
    }

    /// anvil options for a range node: `--no-mining`, `--order fees`, enough accounts.
    pub fn anvil_options(&self) -> AnvilOptions {
        AnvilOptions {
            no_mining: true,
            block_time: None,
            order_fees: true,
            accounts: u32::try_from(self.accounts()).unwrap_or(u32::MAX),
            extra_args: vec![],
        }
    }

    /// Starts anvil for this layout: `--no-mining` when `block_time` is `None` (the driver
    /// mines), else mining every `block_time` seconds. Killed when dropped.
    pub fn spawn_node(&self, block_time: Option<u64>) -> Result<vigil_testkit::Anvil> {
        let mut options = self.anvil_options();
        options.no_mining = block_time.is_none();
        options.block_time = block_time;
        Ok(vigil_testkit::Anvil::spawn(options)?)
    }
}

/// Addresses of the deployed contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeContracts {
    /// Stablecoin (`rUSD`).
    pub usd: Address,
    /// Governance token (`RGOV`), the lending pool's collateral.
    pub gov: Address,
    /// Wrapped ether.
    pub weth: Address,
    /// Constant-product RGOV/rUSD pool, the lending pool's price oracle.
    pub amm: Address,
    /// V3-style RGOV/rUSD pool.
    pub v3_pool: Address,
    /// Lending pool: RGOV collateral, rUSD debt.
    pub lending: Address,
    /// Flash-loan provider.
    pub flash_lender: Address,
    /// Ether vault with the reentrancy bug.
    pub vault: Address,
    /// Nomad-style bridge.
    pub bridge: Address,
    /// Treasury with the unprotected initializer.
    pub treasury: Address,
    /// NFT-like collection (benign traffic).
    pub collectible: Address,
    /// Ether mixer (funding flows).
    pub mixer: Address,
    /// The keeper's benign flash-loan arbitrage contract.
    pub flash_arbitrage: Address,
}

/// Protocol roles, each a dev account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeRoles {
    /// Deployer and owner of every victim (unpauses, refills).
    pub owner: Address,
    /// The defender's key: may `pause()` every victim.
    pub guardian: Address,
    /// Commits the bridge's message roots.
    pub updater: Address,
    /// Market maker: arbitrage between the pools and the outside price.
    pub keeper: Address,
    /// An exchange hot wallet that funds new accounts.
    pub exchange: Address,
    /// A mixer relayer that sends withdrawals for fresh addresses.
    pub relayer: Address,
    /// Accounts that deposit mixer notes.
    pub depositors: Vec<Address>,
}

/// A pausable contract the defender protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Victim {
    /// Short name used in labels, deltas and the vigil config.
    pub name: &'static str,
    /// Deployed address.
    pub address: Address,
    /// Artifact (contract) name, whose JSON holds the ABI.
    pub artifact: &'static str,
}

/// A deployed range: where everything is and who plays which part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeDeployment {
    /// Chain id of the node.
    pub chain_id: u64,
    /// Contract addresses.
    pub contracts: RangeContracts,
    /// Protocol roles.
    pub roles: RangeRoles,
    /// Attacker EOAs.
    pub attackers: Vec<Address>,
    /// Benign user EOAs; the first [`RangeDeployment::whales`] hold large balances.
    pub users: Vec<Address>,
}

impl RangeDeployment {
    /// Deploys and funds the whole range on the node behind `chain`.
    pub async fn deploy(chain: &mut Chain, layout: RangeLayout) -> Result<Self> {
        let accounts: Vec<Address> = chain.rpc().call("eth_accounts", json!([])).await?;
        if accounts.len() < layout.accounts() {
            return Err(RangeError::Accounts {
                needed: layout.accounts(),
                available: accounts.len(),
            });
        }
        let chain_id: alloy::primitives::U64 = chain.rpc().call("eth_chainId", json!([])).await?;
        let roles = RangeRoles {
            owner: accounts[0],
            guardian: accounts[1],
            updater: accounts[2],
            keeper: accounts[3],
            exchange: accounts[4],
            relayer: accounts[5],
            depositors: accounts[6..ROLE_ACCOUNTS].to_vec(),
        };
        let attackers = accounts[ROLE_ACCOUNTS..ROLE_ACCOUNTS + layout.attackers].to_vec();
        let users = accounts[ROLE_ACCOUNTS + layout.attackers..layout.accounts()].to_vec();
        for rich in [roles.owner, roles.exchange, roles.keeper]
            .into_iter()
            .chain(roles.depositors.iter().copied())
        {
            chain.set_balance(rich, units(10_000_000)).await?;
        }
        let contracts = crate::setup::deploy_contracts(chain, &roles).await?;
        let range = Self { chain_id: chain_id.to::<u64>(), contracts, roles, attackers, users };
        range.seed_liquidity(chain).await?;
        Ok(range)
    }

    /// How many of `users` are whales.
    pub fn whales(&self) -> usize {
        (self.users.len() / 20).max(1)
    }

    /// Every protected (pausable) contract.
    pub fn victims(&self) -> Vec<Victim> {
        let c = &self.contracts;
        let v = |name, address, artifact| Victim { name, address, artifact };
        vec![
            v("usd", c.usd, "Token"),
            v("gov", c.gov, "Token"),
            v("weth", c.weth, "WrappedEther"),
            v("amm", c.amm, "AmmPool"),
            v("v3_pool", c.v3_pool, "ConcentratedPool"),
            v("lending", c.lending, "LendingPool"),
            v("flash_lender", c.flash_lender, "FlashLender"),
            v("vault", c.vault, "Vault"),
            v("bridge", c.bridge, "Bridge"),
            v("treasury", c.treasury, "Treasury"),
        ]
    }

    /// The victim called `name`.
    pub fn victim(&self, name: &str) -> Option<Victim> {
        self.victims().into_iter().find(|v| v.name == name)
    }

    /// The three ERC-20s as (symbol, address).
    pub fn tokens(&self) -> [(&'static str, Address); 3] {
        [("rUSD", self.contracts.usd), ("RGOV", self.contracts.gov), ("WETH", self.contracts.weth)]
    }

    /// Writes the deployment as pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| RangeError::Io(format!("deployment: {e}")))
    }

    /// Reads a deployment written by [`RangeDeployment::to_json`].
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| RangeError::Invalid(format!("deployment: {e}")))
    }
}
