//! Analytics over a team's execution history: pure functions from [`history::Case`]s to the
//! measures of `crate::model` (process metrics, step metrics, bottlenecks, process mining).
//! The service layer loads the history and calls these; every definition is documented where
//! it is computed.

pub mod history;
pub mod import;
pub mod mining;
pub mod process;
pub mod spans;
pub mod stats;
pub mod xes;
