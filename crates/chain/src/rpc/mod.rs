//! A WebSocket JSON-RPC connection read frame by frame, so that every message is accounted for:
//! responses are matched to requests, subscription notifications are forwarded, and anything
//! else (invalid JSON, odd shapes, oversized messages) is reported as a counted error.

mod conn;

pub(crate) use conn::{Incoming, RpcConn};
