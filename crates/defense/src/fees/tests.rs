use proptest::prelude::*;

use super::*;

const GWEI: u128 = 1_000_000_000;

fn strategy() -> FeeStrategy {
    FeeStrategy { multiplier_milli: 1500, tip_floor: GWEI }
}

fn attacker(tip_gwei: u128, max_gwei: u128) -> AttackerBid {
    AttackerBid { tip: tip_gwei * GWEI, max_fee: max_gwei * GWEI }
}

#[test]
fn quotes_follow_the_formula_and_beat_both_orderings() {
    // (base fee, attacker tip, attacker max fee) in gwei → (our tip, our max fee) in wei.
    type Case = ((u128, u128, u128), (u128, u128));
    let table: [Case; 4] = [
        // tip 2 × 1.5 + 1 = 4 gwei; max = 10 × 1.2 + 4 × 1.5 = 18 < 30 → attacker's + 1 wei.
        ((10, 2, 30), (4 * GWEI, 30 * GWEI + 1)),
        // The formula's 18 gwei is above the attacker's 15.
        ((10, 2, 15), (4 * GWEI, 18 * GWEI)),
        // Low tip, huge max fee (max-fee-ordered pools): max fee just above it.
        ((1, 1, 500), (2_500_000_000, 500 * GWEI + 1)),
        // Zero tip: the floor alone; max = 60 + 1.5 = 61.5 gwei.
        ((50, 0, 60), (GWEI, 61_500_000_000)),
    ];
    for ((base, tip, max), (want_tip, want_max)) in table {
        let bid = attacker(tip, max);
        let quote = strategy().quote(base * GWEI, &bid, 60_000, u128::MAX).expect("no budget");
        let want = Fees { max_fee_per_gas: want_max, max_priority_fee_per_gas: want_tip };
        assert_eq!(quote.fees, want, "base {base} tip {tip} max {max}");
        assert!(!quote.squeezed);
        assert!(quote.fees.outbid(&bid, base * GWEI));
    }
}

#[test]
fn reads_legacy_and_dynamic_fee_fields() {
    let table = [
        ((Some(100), Some(3), None), 40, Some(AttackerBid { tip: 3, max_fee: 100 })),
        ((Some(100), None, None), 40, Some(AttackerBid { tip: 60, max_fee: 100 })),
        ((None, None, Some(70)), 40, Some(AttackerBid { tip: 30, max_fee: 70 })),
        ((None, None, Some(30)), 40, Some(AttackerBid { tip: 0, max_fee: 30 })),
        ((None, Some(5), None), 40, None),
    ];
    for ((max, tip, price), base, want) in table {
        assert_eq!(AttackerBid::from_fields(max, tip, price, base), want);
    }
}

#[test]
fn squeezes_into_the_budget_or_refuses() {
    let bid = attacker(2, 30);
    let gas = 50_000u64;
    // Preferred: tip 4, max 30 gwei + 1 wei → just over 1.5e15 wei. 1.6e15 fits it.
    let roomy = strategy().quote(10 * GWEI, &bid, gas, 1_600_000 * GWEI).expect("fits");
    assert!(!roomy.squeezed);
    // Tip 40 gwei wants max 12 + 60 = 72 gwei; a budget of 50 gwei/gas squeezes it.
    let greedy = attacker(26, 30);
    let tight = strategy().quote(10 * GWEI, &greedy, gas, 2_500_000 * GWEI).expect("squeezed");
    assert!(tight.squeezed);
    assert_eq!(tight.fees.max_fee_per_gas, 50 * GWEI);
    assert_eq!(tight.fees.max_priority_fee_per_gas, 40 * GWEI);
    assert!(tight.fees.worst_case(gas) <= 2_500_000 * GWEI);
    assert!(tight.fees.outbid(&greedy, 10 * GWEI));
    // Not even the minimum (attacker's max fee + 1 wei) fits.
    let err = strategy().quote(10 * GWEI, &bid, gas, 1_000_000 * GWEI).expect_err("over budget");
    assert_eq!(err.needed_max_fee, 30 * GWEI + 1);
    assert!(err.to_string().contains("outbidding needs a max fee of"), "{err}");
}

#[test]
fn replacements_rise_at_least_ten_percent_and_beat_the_new_bid() {
    let previous = Fees { max_fee_per_gas: 31 * GWEI, max_priority_fee_per_gas: 4 * GWEI };
    // The attacker did not move: +10 % on both fields.
    let same = strategy()
        .replacement(10 * GWEI, &attacker(2, 30), &previous, 50_000, u128::MAX)
        .expect("fits");
    assert_eq!(same.fees.max_priority_fee_per_gas, 4_400_000_000);
    assert_eq!(same.fees.max_fee_per_gas, 34_100_000_000);
    // The attacker tripled: our tip follows its tip × 1.5 + floor, max fee its max + 1.
    let bumped = attacker(6, 90);
    let high =
        strategy().replacement(10 * GWEI, &bumped, &previous, 50_000, u128::MAX).expect("fits");
    assert_eq!(high.fees.max_priority_fee_per_gas, 10 * GWEI);
    assert_eq!(high.fees.max_fee_per_gas, 90 * GWEI + 1);
    assert!(high.fees.outbid(&bumped, 10 * GWEI));
}

#[test]
fn bump_is_at_least_ten_percent() {
    for (x, want) in [(0, 1), (1, 2), (10, 11), (11, 13), (1_000, 1_100)] {
        assert_eq!(bump(x), want, "{x}");
    }
}

proptest! {
    /// Every quote outbids the attacker under both ordering rules and stays within budget;
    /// a refusal happens only when even the minimal winning bid does not fit.
    #[test]
    fn quotes_always_win_within_budget(
        base in 0u128..1_000_000_000_000,
        tip in 0u128..1_000_000_000_000,
        extra in 0u128..1_000_000_000_000,
        multiplier in 1100u32..=3000,
        floor in 0u128..10_000_000_000,
        gas in 21_000u64..2_000_000,
        budget in 0u128..10_000_000_000_000_000_000,
    ) {
        let bid = AttackerBid { tip, max_fee: base + tip + extra };
        let strategy = FeeStrategy { multiplier_milli: multiplier, tip_floor: floor };
        match strategy.quote(base, &bid, gas, budget) {
            Ok(quote) => {
                prop_assert!(quote.fees.outbid(&bid, base));
                prop_assert!(quote.fees.worst_case(gas) <= budget);
                prop_assert!(quote.fees.max_fee_per_gas >= quote.fees.max_priority_fee_per_gas);
                let previous = quote.fees;
                if let Ok(next) = strategy.replacement(base, &bid, &previous, gas, budget) {
                    prop_assert!(next.fees.max_fee_per_gas >= bump(previous.max_fee_per_gas));
                    prop_assert!(
                        next.fees.max_priority_fee_per_gas
                            >= bump(previous.max_priority_fee_per_gas)
                    );
                    prop_assert!(next.fees.outbid(&bid, base));
                    prop_assert!(next.fees.worst_case(gas) <= budget);
                }
            }
            Err(over) => {
                let minimal = (bid.max_fee + 1).max(base + tip + 1);
                prop_assert_eq!(over.needed_max_fee, minimal);
                prop_assert!(minimal * u128::from(gas) > budget);
            }
        }
    }
}
