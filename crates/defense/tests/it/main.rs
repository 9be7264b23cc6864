//! End-to-end tests of active defense on a real anvil (`--no-mining --order fees`) with the
//! attack range deployed and vigil's real engine: mempool source → watchlist → executor.

mod classifier;
mod defend;
mod flood;
mod lab;
mod restart;
mod support;
