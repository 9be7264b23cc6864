//! The guardian key: loaded from an encrypted JSON keystore (password from the environment)
//! or from the environment itself, used only to sign, and never shown — not in `Debug`, not
//! in errors, not in logs.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Bytes, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
};
use serde::Deserialize;
use vigil_types::{Address, B256};

use crate::{DefenseError, Result, fees::Fees};

/// Where the key comes from. Only names of environment variables and paths appear here;
/// the secrets themselves are read at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySource {
    /// An encrypted JSON keystore (Web3 Secret Storage), password in an environment variable.
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// Name of the environment variable holding the password.
        password_env: String,
    },
    /// A hex private key in an environment variable.
    Env {
        /// Name of the environment variable.
        var: String,
    },
}

/// A signed transaction ready to broadcast.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// Its hash.
    pub hash: B256,
    /// EIP-2718 encoding for `eth_sendRawTransaction`.
    pub raw: Vec<u8>,
}

impl fmt::Debug for SignedTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedTx")
            .field("hash", &self.hash)
            .field("bytes", &self.raw.len())
            .finish()
    }
}

/// What to sign: an EIP-1559 call with no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTx {
    /// Chain id.
    pub chain_id: u64,
    /// Our nonce.
    pub nonce: u64,
    /// Contract called.
    pub to: Address,
    /// Calldata.
    pub data: Vec<u8>,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee fields.
    pub fees: Fees,
}

/// The guardian's signing key.
#[derive(Clone)]
pub struct GuardianKey {
    signer: PrivateKeySigner,
}

impl fmt::Debug for GuardianKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardianKey").field("address", &self.address()).finish_non_exhaustive()
    }
}

fn env(name: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) => Err(DefenseError::Key(format!("environment variable {name} is empty"))),
        Err(_) => Err(DefenseError::Key(format!("environment variable {name} is not set"))),
    }
}

impl GuardianKey {
    /// Loads the key `source` describes, reading the environment.
    pub fn load(source: &KeySource) -> Result<Self> {
        match source {
            KeySource::Env { var } => Self::from_hex(&env(var)?).map_err(|_| {
                DefenseError::Key(format!(
                    "environment variable {var} does not hold a 32-byte hex private key"
                ))
            }),
            KeySource::Keystore { path, password_env } => {
                Self::from_keystore(path, &env(password_env)?)
            }
        }
    }

    /// A key from 64 hex digits (with or without `0x`). The error never repeats the input.
    pub fn from_hex(secret: &str) -> Result<Self> {
        let digits = secret.trim().trim_start_matches("0x");
        let invalid = || DefenseError::Key("not a 32-byte hex private key".into());
        if digits.len() != 64 {
            return Err(invalid());
        }
        let bytes = B256::from_slice(&hex::decode(digits).map_err(|_| invalid())?);
        PrivateKeySigner::from_bytes(&bytes).map(|signer| Self { signer }).map_err(|_| invalid())
    }

    /// Decrypts a keystore file with `password`.
    pub fn from_keystore(path: &Path, password: &str) -> Result<Self> {
        PrivateKeySigner::decrypt_keystore(path, password).map(|signer| Self { signer }).map_err(
            |e| {
                // eth-keystore's errors name the failure (MAC mismatch, I/O), never the secret.
                DefenseError::Key(format!("failed to decrypt keystore {}: {e}", path.display()))
            },
        )
    }

    /// A fresh random key.
    pub fn random() -> Self {
        Self { signer: PrivateKeySigner::random() }
    }

    /// Writes this key to `dir/name` as an encrypted keystore; returns the file's path.
    pub fn write_keystore(&self, dir: &Path, name: &str, password: &str) -> Result<PathBuf> {
        let bytes = self.signer.to_bytes();
        PrivateKeySigner::encrypt_keystore(
            dir,
            &mut rand08::thread_rng(),
            bytes,
            password,
            Some(name),
        )
        .map_err(|e| {
            DefenseError::Key(format!("failed to write keystore in {}: {e}", dir.display()))
        })?;
        Ok(dir.join(name))
    }

    /// The guardian's address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// Signs `tx`.
    pub fn sign(&self, tx: &CallTx) -> Result<SignedTx> {
        let unsigned = TxEip1559 {
            chain_id: tx.chain_id,
            nonce: tx.nonce,
            gas_limit: tx.gas_limit,
            max_fee_per_gas: tx.fees.max_fee_per_gas,
            max_priority_fee_per_gas: tx.fees.max_priority_fee_per_gas,
            to: TxKind::Call(tx.to),
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::from(tx.data.clone()),
        };
        let signature = self
            .signer
            .sign_hash_sync(&unsigned.signature_hash())
            .map_err(|e| DefenseError::Signing(e.to_string()))?;
        let signed = unsigned.into_signed(signature);
        let hash = *signed.hash();
        Ok(SignedTx { hash, raw: TxEnvelope::from(signed).encoded_2718() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // anvil's first dev key, public knowledge; tests only.
    const DEV_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn never_shows_the_key() {
        let key = GuardianKey::from_hex(DEV_KEY).expect("valid key");
        let shown = format!("{key:?}");
        assert!(shown.to_ascii_lowercase().contains("0xf39fd6e5"), "{shown}");
        assert!(!shown.to_ascii_lowercase().contains(DEV_KEY), "{shown}");
        let mut bad = DEV_KEY.to_owned();
        bad.replace_range(0..1, "z");
        let error = GuardianKey::from_hex(&bad).expect_err("invalid").to_string();
        assert!(!error.contains(&bad[1..20]), "{error}");
    }

    #[test]
    fn keystores_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = GuardianKey::random();
        let path = key.write_keystore(dir.path(), "guardian.json", "correct horse").expect("write");
        let back = GuardianKey::from_keystore(&path, "correct horse").expect("decrypt");
        assert_eq!(back.address(), key.address());
        let wrong = GuardianKey::from_keystore(&path, "wrong").expect_err("bad password");
        assert!(!wrong.to_string().contains("correct horse"));
    }

    #[test]
    fn loading_from_a_missing_variable_names_the_variable() {
        let source = KeySource::Env { var: "VIGIL_TEST_SURELY_UNSET_KEY".into() };
        let error = GuardianKey::load(&source).expect_err("unset").to_string();
        assert!(error.contains("VIGIL_TEST_SURELY_UNSET_KEY is not set"), "{error}");
    }

    #[test]
    fn signs_recoverable_eip1559_calls() {
        let key = GuardianKey::from_hex(DEV_KEY).expect("valid key");
        let tx = CallTx {
            chain_id: 31337,
            nonce: 3,
            to: Address::repeat_byte(1),
            data: vec![0x84, 0x56, 0xcb, 0x59],
            gas_limit: 50_000,
            fees: Fees { max_fee_per_gas: 2_000_000_000, max_priority_fee_per_gas: 1_000_000_000 },
        };
        let signed = key.sign(&tx).expect("sign");
        assert_eq!(signed.raw[0], 2, "type-2 envelope");
        assert_eq!(alloy_primitives::keccak256(&signed.raw), signed.hash);
    }
}
