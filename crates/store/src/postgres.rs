//! The server backend: PostgreSQL, shared by any number of nodes. A chain's events are
//! ordered by a row lock on its head, taken in the transaction that appends.

use std::str::FromStr;

use async_trait::async_trait;
use orgata_core::store::{Store, Tx};
use orgata_core::Result;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::error::{db_err, migrate_err};

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and migrates.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url).map_err(db_err)?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options (tests use this to pick a schema) and migrates.
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(migrate_err)?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(PgTx {
            tx: self.pool.begin().await.map_err(db_err)?,
            staging: false,
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(PgTx {
            tx: self.pool.begin().await.map_err(db_err)?,
            staging: false,
        }))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn pool_stats(&self) -> (u32, u32) {
        (self.pool.size(), self.pool.num_idle() as u32)
    }
}

/// A PostgreSQL transaction.
pub struct PgTx {
    pub(crate) tx: sqlx::Transaction<'static, Postgres>,
    /// Whether an import's cases are being staged in a temporary table (`postgres_bulk`).
    pub(crate) staging: bool,
}

crate::tx_impl!(
    PgTx,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    lock_chain = "SELECT last_seq, last_hash FROM event_chains WHERE scope_id = $1 FOR UPDATE"
);

crate::tx_engine_impl!(
    PgTx,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    for_update = " FOR UPDATE",
    skip_locked = " FOR UPDATE SKIP LOCKED"
);

crate::tx_analytics_impl!(PgTx, sqlx::Postgres, sqlx::postgres::PgRow);
crate::tx_reports_impl!(PgTx, sqlx::Postgres, sqlx::postgres::PgRow);
