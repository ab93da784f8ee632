//! The embedded backend: one SQLite file in WAL mode. Writers take turns through a mutex,
//! matching SQLite's single writer, so no transaction ever fails with SQLITE_BUSY.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use orgata_core::store::{EventSignal, Store, Tx, EVENT_SIGNAL_BUFFER};
use orgata_core::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use tokio::sync::{broadcast, Mutex, OwnedMutexGuard};

use crate::error::{db_err, migrate_err};

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    /// Committed events, signalled after each commit (one node: nothing to relay).
    signals: broadcast::Sender<EventSignal>,
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
            signals: broadcast::channel(EVENT_SIGNAL_BUFFER).0,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        crate::count_transaction("sqlite");
        let guard = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            tx,
            _writer: Some(guard),
            signals: Vec::new(),
            sender: Some(self.signals.clone()),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        crate::count_transaction("sqlite");
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            tx,
            _writer: None,
            signals: Vec::new(),
            sender: None,
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
        "sqlite"
    }

    fn pool_stats(&self) -> (u32, u32) {
        (self.pool.size(), self.pool.num_idle() as u32)
    }

    fn event_signals(&self) -> broadcast::Receiver<EventSignal> {
        self.signals.subscribe()
    }
}

/// A SQLite transaction; a writing one holds the writer's turn until it ends.
pub struct SqliteTx {
    pub(crate) tx: sqlx::Transaction<'static, Sqlite>,
    _writer: Option<OwnedMutexGuard<()>>,
    /// The events this transaction appended, signalled once it commits.
    signals: Vec<EventSignal>,
    sender: Option<broadcast::Sender<EventSignal>>,
}

impl SqliteTx {
    /// Notes an appended event, to signal once the transaction commits.
    fn appended(&mut self, signal: EventSignal) {
        self.signals.push(signal);
    }

    /// Commits, then signals the appended events (nobody listening is fine).
    async fn finish(self) -> Result<()> {
        self.tx.commit().await.map_err(db_err)?;
        if let Some(sender) = &self.sender {
            for signal in self.signals {
                let _ = sender.send(signal);
            }
        }
        Ok(())
    }
}

crate::tx_impl!(
    SqliteTx,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    lock_chain = "SELECT last_seq, last_hash FROM event_chains WHERE scope_id = $1",
    move_chain = "UPDATE event_chains SET last_seq = $2, last_hash = $3 WHERE scope_id = $1"
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
crate::tx_webhooks_impl!(
    SqliteTx,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    for_update = ""
);
