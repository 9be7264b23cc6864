use proptest::prelude::*;
use serde_json::json;
use vigil_types::{Finding, FindingId, Subject, ThreatLevel};

use super::*;

const VAULT: Address = Address::repeat_byte(0xa1);
const BRIDGE: Address = Address::repeat_byte(0xb2);
const STRANGER: Address = Address::repeat_byte(0xee);

fn policy() -> Policy {
    let rules = PolicyRules {
        chain_id: 31337,
        min_level: ThreatLevel::High,
        min_confidence: 0.8,
        cooldown_ms: 60_000,
        allowed_functions: ["pause()".to_owned()].into(),
    };
    let protect = |name: &str, address, call: &str| Protected {
        name: name.into(),
        address,
        guardian: GuardianCall::parse(call).expect("valid call"),
    };
    Policy::new(rules, [protect("vault", VAULT, "pause()"), protect("bridge", BRIDGE, "halt()")])
}

fn finding(n: u8, level: ThreatLevel, confidence: f64, target: Option<Address>) -> Finding {
    let subject = Subject::Tx { hash: B256::repeat_byte(n) };
    Finding {
        id: FindingId::derive("test", &subject),
        analyzer: "test".into(),
        chain_id: 31337,
        subject,
        target,
        threat_level: level,
        confidence,
        summary: String::new(),
        factors: vec![],
        evidence: json!({}),
        observed_at: 0,
    }
}

fn decide(state: &PolicyState, f: &Finding, now: u64) -> Decision {
    let attack = AttackTx::from_finding(f);
    let candidates: Vec<Address> = f.target.into_iter().collect();
    policy().decide(state, f, &attack, &candidates, now)
}

#[test]
fn decides_by_level_confidence_target_and_function() {
    use Decision::*;
    use ThreatLevel::*;
    let state = PolicyState::default();
    let table = [
        (High, 0.9, Some(VAULT), Act { target: VAULT }),
        (Critical, 0.8, Some(VAULT), Act { target: VAULT }),
        (Medium, 1.0, Some(VAULT), Ignore(Ignored::BelowLevel)),
        (High, 0.79, Some(VAULT), Ignore(Ignored::LowConfidence)),
        (High, f64::NAN, Some(VAULT), Ignore(Ignored::LowConfidence)),
        (High, 1.0, Some(STRANGER), Ignore(Ignored::Unprotected)),
        (High, 1.0, None, Ignore(Ignored::Unprotected)),
        (
            Critical,
            1.0,
            Some(BRIDGE),
            Refuse { target: BRIDGE, reason: Refusal::FunctionNotAllowed("halt()".into()) },
        ),
    ];
    for (i, (level, confidence, target, want)) in table.into_iter().enumerate() {
        let f = finding(i as u8, level, confidence, target);
        assert_eq!(decide(&state, &f, 0), want, "case {i}: {level} {confidence} {target:?}");
    }
}

#[test]
fn ignores_other_chains_and_reports_mined_attacks_as_too_late() {
    let state = PolicyState::default();
    let mut other = finding(1, ThreatLevel::Critical, 1.0, Some(VAULT));
    other.chain_id = 1;
    assert_eq!(decide(&state, &other, 0), Decision::Ignore(Ignored::OtherChain));
    let mut mined = finding(2, ThreatLevel::Critical, 1.0, Some(VAULT));
    mined.evidence = json!({"mined_only": true});
    assert_eq!(decide(&state, &mined, 0), Decision::TooLate { target: VAULT });
}

#[test]
fn never_acts_twice_for_one_finding_or_one_attack_tx() {
    let mut state = PolicyState::default();
    let f = finding(1, ThreatLevel::High, 1.0, Some(VAULT));
    state.handled(&f.id, Some(B256::repeat_byte(1)));
    assert_eq!(decide(&state, &f, 0), Decision::Ignore(Ignored::AlreadyHandled));
    // Another analyzer's finding about the same transaction.
    let mut g = f.clone();
    g.id = FindingId::derive("classifier", &g.subject);
    assert_eq!(decide(&state, &g, 0), Decision::Ignore(Ignored::AlreadyHandled));
}

#[test]
fn cools_down_per_target() {
    let mut state = PolicyState::default();
    state.acted(VAULT, 1_000);
    let f = finding(3, ThreatLevel::High, 1.0, Some(VAULT));
    let table = [
        (
            1_000,
            Decision::Refuse { target: VAULT, reason: Refusal::CoolDown { remaining_ms: 60_000 } },
        ),
        (60_999, Decision::Refuse { target: VAULT, reason: Refusal::CoolDown { remaining_ms: 1 } }),
        (61_000, Decision::Act { target: VAULT }),
    ];
    for (now, want) in table {
        assert_eq!(decide(&state, &f, now), want, "at {now}");
    }
    // An attempt that sent nothing starts no cool-down.
    let mut undone = PolicyState::default();
    undone.acted(VAULT, 1_000);
    undone.undo_action(VAULT, 1_000);
    assert_eq!(decide(&undone, &f, 1_001), Decision::Act { target: VAULT });
    // Another target is not affected.
    let mut other = policy();
    other.protected.get_mut(&BRIDGE).expect("bridge").guardian =
        GuardianCall::parse("pause()").expect("valid");
    let g = finding(4, ThreatLevel::High, 1.0, Some(BRIDGE));
    let attack = AttackTx::from_finding(&g);
    assert_eq!(
        other.decide(&state, &g, &attack, &[BRIDGE], 2_000),
        Decision::Act { target: BRIDGE }
    );
}

#[test]
fn takes_the_first_protected_candidate() {
    let state = PolicyState::default();
    let f = finding(5, ThreatLevel::High, 1.0, Some(STRANGER));
    let attack = AttackTx::from_finding(&f);
    let got = policy().decide(&state, &f, &attack, &[STRANGER, VAULT, BRIDGE], 0);
    assert_eq!(got, Decision::Act { target: VAULT });
}

#[test]
fn parses_guardian_calls() {
    let pause = GuardianCall::parse(" pause ( ) ").expect("valid");
    assert_eq!(pause.signature(), "pause()");
    assert_eq!(pause.selector(), [0x84, 0x56, 0xcb, 0x59]);
    assert_eq!(GuardianCall::pause(), pause);
    for bad in ["pause", "pause(uint256)", "()", "9lives()", "pa-use()"] {
        assert!(GuardianCall::parse(bad).is_err(), "{bad}");
    }
}

fn level() -> impl Strategy<Value = ThreatLevel> {
    proptest::sample::select(ThreatLevel::ALL.to_vec())
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![Just(VAULT), Just(BRIDGE), any::<[u8; 20]>().prop_map(Address::from)]
}

proptest! {
    /// The policy never pauses an unprotected address, whatever the finding says.
    #[test]
    fn never_pauses_an_unprotected_address(
        level in level(),
        confidence in -1.0f64..2.0,
        target in proptest::option::of(any::<[u8; 20]>().prop_map(Address::from)),
        candidates in proptest::collection::vec(address(), 0..6),
        mined in any::<bool>(),
        now in any::<u64>(),
    ) {
        let mut f = finding(9, level, confidence, target);
        f.evidence = json!({"mined_only": mined});
        let attack = AttackTx::from_finding(&f);
        let decision = policy().decide(&PolicyState::default(), &f, &attack, &candidates, now);
        if let Decision::Act { target } = decision {
            prop_assert!(target == VAULT, "acted on {target}");
            prop_assert!(candidates.contains(&VAULT));
        }
    }
}
