//! End-to-end tests of vigil against a real anvil node: live findings, reconnects through a
//! fault proxy, garbage on the wire, deterministic replay, the CLI, the range and the demo.

mod cli;
mod faults;
mod live;
mod range;
mod support;
