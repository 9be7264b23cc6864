use tokio::sync::broadcast;
use vigil_defense::{
    ActionStatus, DefenseReport,
    lab::{DefenseLab, PreparedAttack, Vigil, next_report},
};
use vigil_range::RangeLayout;
use vigil_rules::WatchlistConfig;
use vigil_types::{B256, ThreatLevel};

pub(crate) const GWEI: u64 = 1_000_000_000;

/// The watchlist as the tests' detector: the attackers' entry points and the victims'
/// drain paths are HIGH.
pub(crate) fn watchlist() -> WatchlistConfig {
    let mut config = WatchlistConfig::default();
    for function in ["attack", "process", "initialize"] {
        config.listed_functions.insert(function.into(), ThreatLevel::High);
    }
    config
}

pub(crate) async fn lab() -> DefenseLab {
    DefenseLab::start(RangeLayout::small()).await.expect("range deployed")
}

/// Starts vigil with `executor`, monitoring the victims and the attack's helper contract.
pub(crate) async fn vigil(
    lab: &DefenseLab,
    executor: vigil_defense::PauseExecutor,
    attacks: &[&PreparedAttack],
) -> Vigil {
    let helpers: Vec<(String, vigil_types::Address, &str)> = attacks
        .iter()
        .filter_map(|a| {
            Some((format!("{}-helper", a.kind.as_str()), a.helper?, a.helper_artifact?))
        })
        .collect();
    lab.start_vigil(executor, watchlist(), lab.monitored(&helpers), vec![])
        .await
        .expect("vigil started")
}

/// The next report matching `want`, within 30 s.
pub(crate) async fn report(
    reports: &mut broadcast::Receiver<DefenseReport>,
    want: impl Fn(&DefenseReport) -> bool,
) -> DefenseReport {
    next_report(reports, want).await.expect("a matching defense report")
}

pub(crate) fn status(status: ActionStatus) -> impl Fn(&DefenseReport) -> bool {
    move |r| r.status() == status
}

/// The latest hash of our guardian transaction in `report`.
pub(crate) fn our_hash(report: &DefenseReport) -> B256 {
    report.record.versions.last().expect("a sent version").hash
}

/// A quantity field of a transaction as the node shows it.
pub(crate) fn quantity(tx: &serde_json::Value, key: &str) -> u128 {
    let hex = tx[key].as_str().unwrap_or_else(|| panic!("{key} missing in {tx}"));
    u128::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex quantity")
}

/// The guardian account's pending transaction count.
pub(crate) async fn guardian_nonce(lab: &DefenseLab) -> u64 {
    let hex: String = lab
        .rpc()
        .call("eth_getTransactionCount", serde_json::json!([lab.guardian.address(), "pending"]))
        .await
        .expect("nonce");
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex nonce")
}
