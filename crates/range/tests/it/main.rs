//! Integration tests of the attack range against a real anvil node.

mod artifacts;
mod attacks;
mod pools;
mod scenario;
mod support;
