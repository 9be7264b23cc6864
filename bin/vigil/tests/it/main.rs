//! End-to-end tests of vigil against a real anvil node: live findings, reconnects through a
//! fault proxy, garbage on the wire, deterministic replay and the CLI.

mod cli;
mod faults;
mod live;
mod support;
