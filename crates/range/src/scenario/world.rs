//! What the scenario driver remembers between blocks: the outside market price, pool state
//! for quoting, which users are active, bridge messages in flight, collectibles owned, and
//! incidents (paused victims) awaiting the owner.

use std::collections::{BTreeMap, HashMap, HashSet};

use alloy::primitives::{Address, B256, U256};
use rand::{SeedableRng, rngs::StdRng};

use crate::{
    Chain, PlannedTx, RangeDeployment, Result,
    abi::{AmmPool, ConcentratedPool},
    dataset::Label,
};

/// A transaction with its label and what the driver learns when it succeeds.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub(crate) tx: PlannedTx,
    pub(crate) label: Label,
    pub(crate) effect: Effect,
}

/// Driver bookkeeping applied when a transaction succeeds.
#[derive(Debug, Clone, Default)]
pub(crate) enum Effect {
    #[default]
    None,
    /// A newcomer received its first ether and may act.
    Activate(usize),
    /// The updater's root is on chain: these messages can be processed.
    RootCommitted(Vec<ProvenMessage>),
}

/// A remote-chain message releasing `amount` of `token` to `recipient`.
#[derive(Debug, Clone)]
pub(crate) struct BridgeMessage {
    pub(crate) nonce: u64,
    pub(crate) token: Address,
    pub(crate) recipient: Address,
    pub(crate) amount: U256,
}

/// A message with its Merkle branch under a committed root.
#[derive(Debug, Clone)]
pub(crate) struct ProvenMessage {
    pub(crate) message: BridgeMessage,
    pub(crate) proof: Vec<B256>,
    pub(crate) index: usize,
}

const Q96: f64 = 79_228_162_514_264_337_593_543_950_336.0;

/// Pool state read at the start of a block and advanced by each planned swap.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pools {
    /// V2 reserves (RGOV, rUSD).
    pub(crate) gov: U256,
    pub(crate) usd: U256,
    /// V3 sqrtPriceX96 and liquidity.
    pub(crate) sqrt_price: U256,
    pub(crate) liquidity: U256,
}

impl Pools {
    pub(crate) async fn read(chain: &Chain, range: &RangeDeployment) -> Result<Self> {
        let reserves = chain.call(range.contracts.amm, &AmmPool::getReservesCall {}).await?;
        let slot0 = chain.call(range.contracts.v3_pool, &ConcentratedPool::slot0Call {}).await?;
        let liquidity =
            chain.call(range.contracts.v3_pool, &ConcentratedPool::liquidityCall {}).await?;
        Ok(Self {
            gov: U256::from(reserves._0),
            usd: U256::from(reserves._1),
            sqrt_price: U256::from(slot0._0),
            liquidity: U256::from(liquidity),
        })
    }

    /// rUSD per RGOV on the V2 pool.
    pub(crate) fn v2_price(&self) -> f64 {
        f64::from(self.usd) / f64::from(self.gov).max(1.0)
    }

    /// rUSD per RGOV on the V3 pool.
    pub(crate) fn v3_price(&self) -> f64 {
        (f64::from(self.sqrt_price) / Q96).powi(2)
    }

    /// `AmmPool.getAmountOut`, and the reserves moved as if the swap happened.
    pub(crate) fn swap_v2(&mut self, gov_in: bool, amount_in: U256) -> U256 {
        let (r_in, r_out) = if gov_in { (self.gov, self.usd) } else { (self.usd, self.gov) };
        let with_fee = amount_in * U256::from(9_970u64);
        let out = with_fee * r_out / (r_in * U256::from(10_000u64) + with_fee);
        if gov_in {
            self.gov += amount_in;
            self.usd = self.usd.saturating_sub(out);
        } else {
            self.usd += amount_in;
            self.gov = self.gov.saturating_sub(out);
        }
        out
    }

    /// `ConcentratedPool.swapExactInput`'s output (token0 = RGOV), advancing the price.
    pub(crate) fn swap_v3(&mut self, zero_for_one: bool, amount_in: U256) -> U256 {
        let (l, p) = (self.liquidity, self.sqrt_price);
        if l.is_zero() || p.is_zero() {
            return U256::ZERO;
        }
        let q96 = U256::from(1u64) << 96usize;
        let in_less_fee = amount_in * U256::from(997_000u64) / U256::from(1_000_000u64);
        let (next, out) = if zero_for_one {
            let x = (l << 96usize) / p;
            let next = (l << 96usize) / (x + in_less_fee);
            (next, l * (p - next) / q96)
        } else {
            let y = l * p / q96;
            let next = (y + in_less_fee) * q96 / l;
            (next, (l << 96usize) / p - (l << 96usize) / next)
        };
        self.sqrt_price = next;
        out.saturating_sub(U256::from(1u64))
    }
}

/// The driver's memory.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) rng: StdRng,
    benign_seq: u64,
    /// The outside market's rUSD per RGOV (a random walk the keeper arbitrages towards).
    pub(crate) market_price: f64,
    pub(crate) pools: Pools,
    /// Per user: may it act (newcomers wait for their first ether).
    pub(crate) active: Vec<bool>,
    /// Newcomer activations: slot → (user index, via mixer).
    pub(crate) activations: BTreeMap<u64, Vec<(usize, bool)>>,
    /// Accounts that already sent in this block (one action per user per block).
    pub(crate) busy: HashSet<Address>,
    pub(crate) remote_nonce: u64,
    /// Messages sent on the remote chain, not yet in a root.
    pub(crate) outbound: Vec<BridgeMessage>,
    /// Messages under a committed root, waiting for their recipient to process them.
    pub(crate) provable: Vec<ProvenMessage>,
    /// Collectible ids per owner.
    pub(crate) collectibles: HashMap<Address, Vec<U256>>,
    /// Paused victims and the slot at which the owner unpauses them.
    pub(crate) unpause_at: BTreeMap<Address, u64>,
    /// When the owner next checks victims' funds out of turn (after an incident).
    pub(crate) refill_at: Option<u64>,
}

impl World {
    pub(crate) fn new(seed: u64, users: usize, market_price: f64) -> Self {
        Self {
            seed,
            rng: StdRng::seed_from_u64(seed ^ 0x7261_6e67_6521),
            benign_seq: 0,
            market_price,
            pools: Pools::default(),
            active: vec![true; users],
            activations: BTreeMap::new(),
            busy: HashSet::new(),
            remote_nonce: 1,
            outbound: Vec::new(),
            provable: Vec::new(),
            collectibles: HashMap::new(),
            unpause_at: BTreeMap::new(),
            refill_at: None,
        }
    }

    /// A fresh benign instance id.
    pub(crate) fn benign_instance(&mut self) -> String {
        self.benign_seq += 1;
        format!("s{}-b{:06}", self.seed, self.benign_seq)
    }

    /// A group of benign transactions sharing one instance id.
    pub(crate) fn benign(&mut self, txs: Vec<(PlannedTx, &str)>) -> Vec<Planned> {
        let instance = self.benign_instance();
        txs.into_iter()
            .map(|(tx, action)| Planned {
                tx,
                label: Label::benign(&instance, action),
                effect: Effect::None,
            })
            .collect()
    }
}
