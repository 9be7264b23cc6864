//! The middle of vigil: the three seams ([`Source`] observes, [`Analyzer`] judges, [`Sink`]
//! acts) and the [`Engine`] that connects them. Events fan out to every analyzer, each on its
//! own thread; findings fan out to every sink the [`Mode`](vigil_types::Mode) allows, each with
//! its own bounded queue and task. Live delivery never blocks the reader and counts what it
//! drops; lossless delivery (replay) blocks instead and orders findings deterministically.

mod engine;
mod error;
mod reorder;
mod stats;
mod traits;

pub use engine::{Delivery, Engine, EngineBuilder};
pub use error::{SinkError, SourceError};
pub use stats::{RunReport, StatsHandle};
pub use traits::{Analyzer, EventStream, Sink, Source};
