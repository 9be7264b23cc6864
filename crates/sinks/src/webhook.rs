use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, SinkRole, ThreatLevel};

use crate::Secret;

/// `type = "webhook"`: each finding POSTed as JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSinkConfig {
    /// Target URL (http:// or https://).
    pub url: String,
    /// Name of the environment variable holding the HMAC key; when set, every request carries
    /// `X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the body>`.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Findings below this level are not sent.
    #[serde(default = "low")]
    pub min_level: ThreatLevel,
    /// Attempts per finding (first try included).
    #[serde(default = "attempts")]
    pub max_attempts: u32,
    /// Delay before the first retry, doubled after each.
    #[serde(default = "retry_ms")]
    pub retry_initial_ms: u64,
    /// Per-request timeout.
    #[serde(default = "timeout_ms")]
    pub timeout_ms: u64,
}

fn low() -> ThreatLevel {
    ThreatLevel::Low
}
fn attempts() -> u32 {
    5
}
fn retry_ms() -> u64 {
    200
}
fn timeout_ms() -> u64 {
    5_000
}

impl WebhookSinkConfig {
    /// A config posting to `url` with defaults elsewhere.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret_env: None,
            min_level: low(),
            max_attempts: attempts(),
            retry_initial_ms: retry_ms(),
            timeout_ms: timeout_ms(),
        }
    }

    /// Every problem with the values, as `(field, message)`. A missing secret variable is one.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            out.push(("url".to_owned(), format!("`{}` is not an http(s) URL", self.url)));
        }
        if let Some(name) = &self.secret_env
            && let Err(e) = Secret::from_env(name)
        {
            out.push(("secret_env".to_owned(), e));
        }
        if !(1..=20).contains(&self.max_attempts) {
            out.push(("max_attempts".to_owned(), "must be within 1..=20".to_owned()));
        }
        if self.timeout_ms == 0 {
            out.push(("timeout_ms".to_owned(), "must be at least 1".to_owned()));
        }
        out
    }
}

/// `sha256=<hex>` HMAC of `body` under `key`, as sent in `X-Vigil-Signature`.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers findings to an HTTP endpoint, retrying connection errors, 429 and 5xx with
/// exponential backoff; other 4xx answers are final.
#[derive(Debug)]
pub struct WebhookSink {
    id: String,
    config: WebhookSinkConfig,
    secret: Option<Secret>,
    http: reqwest::Client,
}

impl WebhookSink {
    /// Builds the sink; fails when the secret variable is missing or the client cannot start.
    pub fn new(id: &str, config: WebhookSinkConfig) -> Result<Self, String> {
        let secret = config.secret_env.as_deref().map(Secret::from_env).transpose()?;
        Self::with_secret(id, config, secret)
    }

    /// Builds the sink with an explicit signing key (ignoring `secret_env`).
    pub fn with_secret(
        id: &str,
        config: WebhookSinkConfig,
        secret: Option<Secret>,
    ) -> Result<Self, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|e| format!("failed to build the HTTP client: {e}"))?;
        Ok(Self { id: id.to_owned(), config, secret, http })
    }

    async fn attempt(&self, body: &[u8]) -> Result<(), (bool, String)> {
        let mut request = self
            .http
            .post(&self.config.url)
            .header("content-type", "application/json")
            .header("user-agent", concat!("vigil/", env!("CARGO_PKG_VERSION")));
        if let Some(secret) = &self.secret {
            request =
                request.header("x-vigil-signature", signature(secret.expose().as_bytes(), body));
        }
        match request.body(body.to_vec()).send().await {
            Err(e) => Err((true, format!("request failed: {e}"))),
            Ok(reply) if reply.status().is_success() => Ok(()),
            Ok(reply) => {
                let status = reply.status();
                let retryable = status.is_server_error() || status.as_u16() == 429;
                Err((retryable, format!("endpoint answered {status}")))
            }
        }
    }
}

#[async_trait::async_trait]
impl Sink for WebhookSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Alert
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        if finding.threat_level < self.config.min_level {
            return Ok(());
        }
        let body = serde_json::to_vec(finding)
            .map_err(|e| SinkError::Write { sink: self.id.clone(), reason: e.to_string() })?;
        let mut delay = Duration::from_millis(self.config.retry_initial_ms);
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.attempt(&body).await {
                Ok(()) => return Ok(()),
                Err((retryable, reason)) => {
                    if !retryable || attempts >= self.config.max_attempts {
                        return Err(SinkError::Delivery {
                            sink: self.id.clone(),
                            attempts,
                            reason,
                        });
                    }
                    tracing::debug!(sink = %self.id, attempts, "webhook retry: {reason}");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc4231_case_2() {
        let sig = signature(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
