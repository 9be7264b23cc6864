//! Which findings trigger which guardian call. Pure and synchronous: the executor hands in the
//! finding, what it knows of the attacker's transaction, the candidate targets and the time,
//! and gets a [`Decision`] back.

use std::collections::{HashMap, HashSet, VecDeque};

use alloy_primitives::keccak256;
use vigil_types::{Address, B256, Finding, FindingId, ThreatLevel};

use crate::attack::AttackTx;

/// A no-argument guardian function, e.g. `pause()`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuardianCall {
    signature: String,
    selector: [u8; 4],
}

impl GuardianCall {
    /// Parses `name()`; arguments are not supported (vigil cannot invent them).
    pub fn parse(signature: &str) -> Result<Self, String> {
        let signature: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
        let name = signature.strip_suffix("()").ok_or_else(|| {
            format!("`{signature}` must be a function without arguments, e.g. `pause()`")
        })?;
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        if !valid {
            return Err(format!("`{signature}` is not a valid function signature"));
        }
        let hash = keccak256(signature.as_bytes());
        Ok(Self { selector: [hash[0], hash[1], hash[2], hash[3]], signature })
    }

    /// `pause()`, the default guardian call.
    pub fn pause() -> Self {
        Self { signature: "pause()".to_owned(), selector: [0x84, 0x56, 0xcb, 0x59] }
    }

    /// The canonical signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The four calldata bytes.
    pub fn selector(&self) -> [u8; 4] {
        self.selector
    }
}

/// A contract the executor may call, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// Configured name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// Its guardian call.
    pub guardian: GuardianCall,
}

/// The thresholds and limits of the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRules {
    /// Chain the executor signs for; findings of other chains are ignored.
    pub chain_id: u64,
    /// Lowest threat level that triggers an action.
    pub min_level: ThreatLevel,
    /// Lowest confidence that triggers an action.
    pub min_confidence: f64,
    /// No second action on a target for this long after one (ms).
    pub cooldown_ms: u64,
    /// Guardian functions the executor may ever call (canonical signatures).
    pub allowed_functions: HashSet<String>,
}

/// Why a finding is none of the executor's business (not recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// The finding is about another chain.
    OtherChain,
    /// Threat level below the threshold.
    BelowLevel,
    /// Confidence below the threshold (or not a number).
    LowConfidence,
    /// No candidate target is protected.
    Unprotected,
    /// This finding or this attacker transaction was already handled.
    AlreadyHandled,
}

/// Why the executor will not act on an attack it would otherwise answer (recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The target was acted on recently.
    CoolDown {
        /// Milliseconds left.
        remaining_ms: u64,
    },
    /// The target's guardian function is not in the allowed list.
    FunctionNotAllowed(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CoolDown { remaining_ms } => {
                write!(f, "target in cool-down for another {:.1} s", *remaining_ms as f64 / 1e3)
            }
            Self::FunctionNotAllowed(function) => {
                write!(f, "guardian function {function} is not allowed")
            }
        }
    }
}

/// What to do with a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing, and nothing to record.
    Ignore(Ignored),
    /// The attack is already mined: record that the defense came too late.
    TooLate {
        /// The protected target.
        target: Address,
    },
    /// Would act, but must not: record the refusal.
    Refuse {
        /// The protected target.
        target: Address,
        /// Why not.
        reason: Refusal,
    },
    /// Send the target's guardian call.
    Act {
        /// The protected target.
        target: Address,
    },
}

/// What the policy remembers between findings: handled findings and attacks (bounded; the
/// journal is the durable record) and the last action per target.
#[derive(Debug, Default)]
pub struct PolicyState {
    findings: HashSet<FindingId>,
    attacks: HashSet<B256>,
    order: VecDeque<(FindingId, Option<B256>)>,
    last_action: HashMap<Address, u64>,
}

const REMEMBERED: usize = 100_000;

impl PolicyState {
    /// Remembers that `finding` (about `attack`) was handled.
    pub fn handled(&mut self, finding: &FindingId, attack: Option<B256>) {
        if self.findings.insert(finding.clone()) {
            if let Some(hash) = attack {
                self.attacks.insert(hash);
            }
            self.order.push_back((finding.clone(), attack));
        }
        while self.order.len() > REMEMBERED {
            let Some((id, hash)) = self.order.pop_front() else { break };
            self.findings.remove(&id);
            if let Some(hash) = hash {
                self.attacks.remove(&hash);
            }
        }
    }

    /// Remembers an action on `target` at `at_ms` (starts its cool-down).
    pub fn acted(&mut self, target: Address, at_ms: u64) {
        let slot = self.last_action.entry(target).or_insert(at_ms);
        *slot = (*slot).max(at_ms);
    }

    /// Forgets the action on `target` at `at_ms` (nothing was sent after all), so it starts
    /// no cool-down.
    pub fn undo_action(&mut self, target: Address, at_ms: u64) {
        if self.last_action.get(&target) == Some(&at_ms) {
            self.last_action.remove(&target);
        }
    }

    fn seen(&self, finding: &FindingId, attack: Option<B256>) -> bool {
        self.findings.contains(finding) || attack.is_some_and(|h| self.attacks.contains(&h))
    }
}

/// The defense policy over a set of protected contracts.
#[derive(Debug, Clone)]
pub struct Policy {
    rules: PolicyRules,
    protected: HashMap<Address, Protected>,
}

impl Policy {
    /// A policy for `protected` under `rules`.
    pub fn new(rules: PolicyRules, protected: impl IntoIterator<Item = Protected>) -> Self {
        Self { rules, protected: protected.into_iter().map(|p| (p.address, p)).collect() }
    }

    /// The rules.
    pub fn rules(&self) -> &PolicyRules {
        &self.rules
    }

    /// The protected contract at `address`, if any.
    pub fn protected(&self, address: &Address) -> Option<&Protected> {
        self.protected.get(address)
    }

    /// Every protected contract.
    pub fn all_protected(&self) -> impl Iterator<Item = &Protected> {
        self.protected.values()
    }

    /// Whether the finding clears chain, level and confidence, so finding its target (for
    /// instance by tracing the attacker's transaction) is worth the time.
    pub fn is_serious(&self, finding: &Finding) -> bool {
        self.screen(finding).is_none()
    }

    fn screen(&self, finding: &Finding) -> Option<Ignored> {
        if finding.chain_id != self.rules.chain_id {
            return Some(Ignored::OtherChain);
        }
        if finding.threat_level < self.rules.min_level {
            return Some(Ignored::BelowLevel);
        }
        // NaN compares as none of <, =, >: it never passes.
        if finding.confidence.partial_cmp(&self.rules.min_confidence).is_none_or(|o| o.is_lt()) {
            return Some(Ignored::LowConfidence);
        }
        None
    }

    /// Decides what to do with `finding` about `attack`, whose candidate targets are
    /// `candidates` (most specific first), at `now_ms`.
    pub fn decide(
        &self,
        state: &PolicyState,
        finding: &Finding,
        attack: &AttackTx,
        candidates: &[Address],
        now_ms: u64,
    ) -> Decision {
        if let Some(reason) = self.screen(finding) {
            return Decision::Ignore(reason);
        }
        let Some(target) = candidates.iter().find_map(|a| self.protected.get(a)) else {
            return Decision::Ignore(Ignored::Unprotected);
        };
        if state.seen(&finding.id, attack.hash) {
            return Decision::Ignore(Ignored::AlreadyHandled);
        }
        let address = target.address;
        if attack.mined {
            return Decision::TooLate { target: address };
        }
        if !self.rules.allowed_functions.contains(target.guardian.signature()) {
            let reason = Refusal::FunctionNotAllowed(target.guardian.signature().to_owned());
            return Decision::Refuse { target: address, reason };
        }
        if let Some(last) = state.last_action.get(&address) {
            let until = last.saturating_add(self.rules.cooldown_ms);
            if now_ms < until {
                let reason = Refusal::CoolDown { remaining_ms: until - now_ms };
                return Decision::Refuse { target: address, reason };
            }
        }
        Decision::Act { target: address }
    }
}

#[cfg(test)]
mod tests;
