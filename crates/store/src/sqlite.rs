//! The embedded backend: one SQLite file in WAL mode. Writers take turns through a mutex,
//! matching SQLite's single writer, so no transaction ever fails with SQLITE_BUSY.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use orgata_core::store::{Store, Tx};
use orgata_core::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{db_err, migrate_err};

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(orgata_core::Error::internal)?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(migrate_err)?;
        Ok(Self {
            pool,
            writer: Arc::new(Mutex::new(())),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let guard = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            tx,
            _writer: Some(guard),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(Box::new(SqliteTx { tx, _writer: None }))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn pool_stats(&self) -> (u32, u32) {
        (self.pool.size(), self.pool.num_idle() as u32)
    }
}

/// A SQLite transaction; a writing one holds the writer's turn until it ends.
pub struct SqliteTx {
    pub(crate) tx: sqlx::Transaction<'static, Sqlite>,
    _writer: Option<OwnedMutexGuard<()>>,
}

crate::tx_impl!(
    SqliteTx,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    lock_chain = "SELECT last_seq, last_hash FROM event_chains WHERE scope_id = $1"
);

crate::tx_engine_impl!(
    SqliteTx,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    for_update = "",
    skip_locked = ""
);

crate::tx_analytics_impl!(SqliteTx, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
crate::tx_reports_impl!(SqliteTx, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
