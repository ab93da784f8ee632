//! SQLite and PostgreSQL implementations of [`orgata_core::store::Store`].
//!
//! The SQL is written once (`tx_impl!`) and expanded for each backend with `$n` placeholders,
//! which both dialects accept; the few statements that differ are passed in per backend.

mod copy_binary;
mod error;
mod history_sql;
mod postgres;
mod postgres_bulk;
mod sqlite;
mod sqlite_bulk;
mod tx_analytics;
mod tx_engine;
mod tx_impl;
mod tx_reports;
mod tx_webhooks;

use std::sync::Arc;

use orgata_core::store::Store;
use orgata_core::{Error, Result};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Opens the database at `url` (`sqlite:…` or `postgres:…`) and applies its migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Err(Error::bad_request(format!(
            "unsupported database URL {:?}: use sqlite:… or postgres:…",
            url.split(':').next().unwrap_or("")
        )))
    }
}

/// Counts a transaction begun (`db_transactions_total{backend}` at `/metrics`): how many
/// round trips to the database the work of a request takes.
fn count_transaction(backend: &'static str) {
    metrics::counter!("db_transactions_total", "backend" => backend).increment(1);
}
