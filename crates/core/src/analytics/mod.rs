//! Analytics over a team's execution history: pure functions from [`history::Case`]s to the
//! measures of `crate::model` (process metrics, step metrics, bottlenecks, process mining, trends, anomalies,
//! predictions, recommendations, people).
//! The service layer loads the history and calls these; every definition is documented where
//! it is computed.

pub mod anomalies;
pub mod export;
pub mod history;
pub mod import;
pub mod mining;
pub mod people;
pub mod predict;
pub mod process;
pub mod recommend;
pub mod spans;
pub mod stats;
pub mod trends;
pub mod xes;
