//! The server backend: PostgreSQL, shared by any number of nodes. A chain's events are
//! ordered by a row lock on its head, taken in the transaction that appends.

use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use orgata_core::store::{EventSignal, Store, Tx, EVENT_SIGNAL_BUFFER};
use orgata_core::Result;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use tokio::sync::broadcast;

use crate::error::{db_err, migrate_err};

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Committed events of every node, as `LISTEN` hears them.
    signals: Arc<broadcast::Sender<EventSignal>>,
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
        // Schemas are separate deployments (tests use one each); NOTIFY is database-wide.
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await
            .map_err(db_err)?;
        // The channel `move_chain` notifies (below).
        let channel = format!("orgata_events_{schema}");
        let signals = Arc::new(broadcast::channel(EVENT_SIGNAL_BUFFER).0);
        let mut listener = PgListener::connect_with(&pool).await.map_err(db_err)?;
        listener.listen(&channel).await.map_err(db_err)?;
        tokio::spawn(relay(listener, Arc::downgrade(&signals)));
        Ok(Self { pool, signals })
    }
}

/// Relays the notifications of committed events to this node's readers until the store is
/// dropped. After a lost connection (the listener reconnects by itself) it sends a nil
/// signal, so readers look at the log for what they may have missed.
async fn relay(mut listener: PgListener, signals: Weak<broadcast::Sender<EventSignal>>) {
    let catch_up = EventSignal {
        scope_id: uuid::Uuid::nil(),
        seq: 0,
    };
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), listener.try_recv()).await;
        let Some(sender) = signals.upgrade() else {
            return;
        };
        let signal = match next {
            // Quiet for a while: only check that the store is still there.
            Err(_) => continue,
            Ok(Ok(Some(n))) => parse_signal(n.payload()).unwrap_or(catch_up),
            // The connection was lost and is made again on the next call.
            Ok(Ok(None)) => catch_up,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "listening for events failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                catch_up
            }
        };
        let _ = sender.send(signal);
    }
}

/// `scope_id:seq`.
fn parse_signal(payload: &str) -> Option<EventSignal> {
    let (scope, seq) = payload.split_once(':')?;
    Some(EventSignal {
        scope_id: uuid::Uuid::parse_str(scope).ok()?,
        seq: seq.parse().ok()?,
    })
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        crate::count_transaction("postgres");
        Ok(Box::new(PgTx {
            tx: self.pool.begin().await.map_err(db_err)?,
            staging: false,
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        self.begin().await
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

    fn event_signals(&self) -> broadcast::Receiver<EventSignal> {
        self.signals.subscribe()
    }
}

/// A PostgreSQL transaction.
pub struct PgTx {
    pub(crate) tx: sqlx::Transaction<'static, Postgres>,
    /// Whether an import's cases are being staged in a temporary table (`postgres_bulk`).
    pub(crate) staging: bool,
}

impl PgTx {
    /// Nothing to do: the statement that moved the chain head notified the event.
    fn appended(&mut self, _signal: EventSignal) {}

    async fn finish(self) -> Result<()> {
        self.tx.commit().await.map_err(db_err)
    }
}

crate::tx_impl!(
    PgTx,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    lock_chain = "SELECT last_seq, last_hash FROM event_chains WHERE scope_id = $1 FOR UPDATE",
    // The chain head moves and the event is notified in one statement. PostgreSQL delivers a
    // NOTIFY to every listening node exactly when (and only if) the transaction commits.
    move_chain = "UPDATE event_chains SET last_seq = $2, last_hash = $3 WHERE scope_id = $1 \
                  RETURNING pg_notify('orgata_events_' || current_schema(), scope_id::text || ':' || last_seq::text)"
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
crate::tx_webhooks_impl!(
    PgTx,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    for_update = " FOR UPDATE"
);
