use rand::{SeedableRng, rngs::StdRng};
use vigil_range::{
    Chain, MiningMode, NoteBook,
    attacks::{AttackContext, AttackRun, AttackVariant, FeeStyle, Funding, Size, run_attack},
};

use crate::support::{revert, small_range, snapshot};

/// Every kind × route, cycling funding and fee style, in every size.
fn variants() -> Vec<AttackVariant> {
    const FUNDING: [Funding; 3] = [Funding::Prefunded, Funding::Exchange, Funding::Mixer];
    let mut out = Vec::new();
    for (i, base) in AttackVariant::every_route().into_iter().enumerate() {
        for (j, size) in [Size::Small, Size::Medium, Size::Large].into_iter().enumerate() {
            out.push(AttackVariant {
                funding: FUNDING[(i + j) % 3],
                fee: FeeStyle::ALL[(i + 2 * j) % 3],
                size,
                ..base
            });
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_attack_drains_its_victim_without_defense() {
    let (_anvil, mut chain, range) = small_range().await;
    let mut notes = NoteBook::deposit(&mut chain, &range, 7, [10, 10, 10]).await.expect("notes");
    let mut rng = StdRng::seed_from_u64(1);
    for (i, variant) in variants().into_iter().enumerate() {
        let id = snapshot(chain.rpc()).await;
        let mut chain = Chain::new(chain.rpc().clone(), MiningMode::Manual).await.expect("chain");
        let attacker = range.attackers[i % range.attackers.len()];
        let mut run = AttackRun::new(format!("a{i}"), variant, attacker, &mut rng);
        run.prepare(&chain).await.expect("prepare");
        let mut ctx = AttackContext { chain: &mut chain, range: &range, notes: &mut notes };
        let outcome = run_attack(&mut ctx, &mut run).await.expect("attack runs");
        let statuses: Vec<_> = outcome
            .stages
            .iter()
            .map(|(s, r)| {
                (
                    *s,
                    r.iter()
                        .map(|r| r.as_ref().map(|r| (r.succeeded(), r.gas_used())))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert!(
            outcome.exploit_succeeded(),
            "{} {:?}: {statuses:?}",
            variant.kind.as_str(),
            variant.name()
        );
        assert!(
            outcome.victim_lost_funds(),
            "{} {}: {:?} -> {:?}",
            variant.kind.as_str(),
            variant.name(),
            outcome.before,
            outcome.after
        );
        println!("{} {}: {statuses:?}", variant.kind.as_str(), variant.name());
        revert(chain.rpc(), &id).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pausing_the_target_stops_every_attack_and_keeps_its_funds() {
    let (_anvil, mut chain, range) = small_range().await;
    let mut notes = NoteBook::deposit(&mut chain, &range, 8, [10, 10, 10]).await.expect("notes");
    let mut rng = StdRng::seed_from_u64(2);
    for (i, variant) in variants().into_iter().enumerate() {
        let id = snapshot(chain.rpc()).await;
        let mut chain = Chain::new(chain.rpc().clone(), MiningMode::Manual).await.expect("chain");
        let attacker = range.attackers[i % range.attackers.len()];
        let mut run = AttackRun::new(format!("p{i}"), variant, attacker, &mut rng);
        run.prepare(&chain).await.expect("prepare");
        chain
            .execute(&[range.pause_tx(run.target(&range))])
            .await
            .expect("guardian pauses the target");
        let mut ctx = AttackContext { chain: &mut chain, range: &range, notes: &mut notes };
        let outcome = run_attack(&mut ctx, &mut run).await.expect("attack runs");
        assert!(
            outcome.exploit_reverted(),
            "{} {} went through a paused victim",
            variant.kind.as_str(),
            variant.name()
        );
        assert_eq!(outcome.before, outcome.after, "{} {}", variant.kind.as_str(), variant.name());
        revert(chain.rpc(), &id).await;
    }
}
