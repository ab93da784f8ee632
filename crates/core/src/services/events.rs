//! The team's event stream: the events a reader may see after a point of the log, and the
//! signals that say when to look again. SSE, GraphQL subscriptions and webhooks read the log
//! itself, so a missed signal delays an event but never loses it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::Result;
use crate::model::Event;
use crate::store::EventSignal;

/// Events read from the log per round.
const SCAN_BATCH: i64 = 500;
/// Rounds one read may take before answering what it has (a rare filter on a long log).
const SCAN_ROUNDS: usize = 8;

/// Which events a reader wants.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Event types (`task.completed`), or every type of an entity (`task.*`); empty: all.
    pub types: Vec<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
}

impl EventFilter {
    /// Whether `pattern` is an event type a filter may name: `task.completed`, `task.*`, `*`.
    pub fn is_pattern(pattern: &str) -> bool {
        !pattern.is_empty()
            && pattern.len() <= 100
            && pattern
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._*".contains(c))
    }

    /// A filter of the given types (each checked with [`Self::is_pattern`]; blanks skipped) and
    /// entity; a bad type is an error at `field`.
    pub fn parse<'a>(
        field: &str,
        types: impl IntoIterator<Item = &'a str>,
        entity_id: Option<Uuid>,
    ) -> Result<Self> {
        let mut kept = Vec::new();
        for t in types.into_iter().map(str::trim).filter(|t| !t.is_empty()) {
            if !Self::is_pattern(t) {
                return Err(crate::Error::invalid(
                    field,
                    "invalid",
                    format!("{t:?} is not an event type (`task.completed`, `task.*` or `*`)"),
                ));
            }
            kept.push(t.to_string());
        }
        Ok(Self {
            types: kept,
            entity_id,
        })
    }

    /// Whether `event` passes (`*` passes every type).
    pub fn matches(&self, event: &Event) -> bool {
        let typed = self.types.is_empty()
            || self.types.iter().any(|t| match t.strip_suffix('*') {
                Some(prefix) => event.kind.starts_with(prefix),
                None => *t == event.kind,
            });
        typed && self.entity_id.is_none_or(|id| event.entity.id == id)
    }
}

impl Services {
    /// Signals of committed events (of every node), to know when to read again.
    pub fn event_signals(&self) -> broadcast::Receiver<EventSignal> {
        self.store.event_signals()
    }

    /// The `seq` of the team's newest event (0 before the first): where a stream starts that
    /// resumes from nothing.
    pub async fn event_head(&self, ctx: &Ctx, team_id: Uuid) -> Result<i64> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        Ok(tx.chain_head(team_id).await?.map_or(0, |(seq, _)| seq))
    }

    /// Up to `limit` of the team's events after `after` that pass `filter`, in `seq` order,
    /// with the `seq` read up to (where the next read starts).
    pub async fn events_after(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        after: i64,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<(Vec<Event>, i64)> {
        self.event_head(ctx, team_id).await?;
        self.read_events(team_id, after, filter, limit).await
    }

    /// [`Self::events_after`] without the access check (a feed checks it when it opens and
    /// every minute, not on every read).
    async fn read_events(
        &self,
        team_id: Uuid,
        after: i64,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<(Vec<Event>, i64)> {
        let mut tx = self.store.read().await?;
        let mut cursor = after;
        let mut found = Vec::new();
        for _ in 0..SCAN_ROUNDS {
            let batch = tx.audit_segment(team_id, cursor, SCAN_BATCH).await?;
            let full = batch.len() as i64 == SCAN_BATCH;
            for entry in batch {
                cursor = entry.event.seq;
                if filter.matches(&entry.event) {
                    found.push(entry.event);
                    if found.len() >= limit {
                        return Ok((found, cursor));
                    }
                }
            }
            if !full || !found.is_empty() {
                break;
            }
        }
        Ok((found, cursor))
    }
}

/// A feed's token is checked again this often, so a revoked one ends the feed.
const REAUTHENTICATE: Duration = Duration::from_secs(60);
/// Events a feed reads per round.
const FEED_BATCH: usize = 200;

/// One live reader's place in the team's log (an SSE client, a GraphQL subscription): yields
/// every event after its start that passes its filter, in `seq` order, waiting for new ones.
pub struct EventFeed {
    services: Arc<Services>,
    ctx: Ctx,
    token: String,
    team_id: Uuid,
    filter: EventFilter,
    after: i64,
    pending: VecDeque<Event>,
    signals: broadcast::Receiver<EventSignal>,
    checked: tokio::time::Instant,
}

impl EventFeed {
    /// Opens a feed for the caller authenticated by `token`: right after `resume` (an event's
    /// `seq`), or from now.
    pub async fn open(
        services: Arc<Services>,
        ctx: Ctx,
        token: String,
        team_id: Uuid,
        filter: EventFilter,
        resume: Option<i64>,
    ) -> Result<Self> {
        // Subscribed before the head is read, so nothing committed in between goes unsignalled.
        let signals = services.event_signals();
        let head = services.event_head(&ctx, team_id).await?;
        // A resume point past the head (another team's seq, a restored database) starts now.
        let after = resume.map_or(head, |seq| seq.min(head));
        Ok(Self {
            services,
            ctx,
            token,
            team_id,
            filter,
            after,
            pending: VecDeque::new(),
            signals,
            checked: tokio::time::Instant::now(),
        })
    }

    /// The caller the feed reads for (token and access re-checked every minute).
    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    /// The next event, waiting for it; `None` ends the feed (token or access gone).
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.checked.elapsed() >= REAUTHENTICATE {
                self.ctx.actor = self.services.authenticate(&self.token).await.ok()?;
                self.services
                    .event_head(&self.ctx, self.team_id)
                    .await
                    .ok()?;
                self.checked = tokio::time::Instant::now();
            }
            let (events, cursor) = match self
                .services
                .read_events(self.team_id, self.after, &self.filter, FEED_BATCH)
                .await
            {
                Ok(read) => read,
                Err(e) => {
                    tracing::info!(team_id = %self.team_id, error = %e, "an event feed ends");
                    return None;
                }
            };
            // Nothing new read: wait. (A read that skipped events the filter refuses goes on.)
            let moved = cursor != self.after;
            self.after = cursor;
            if events.is_empty() && !moved {
                self.wait().await?;
            }
            self.pending.extend(events);
        }
    }

    /// Waits for a signal of this team's chain (or a catch-up signal), at most the configured
    /// recheck interval (a signal may be lost).
    async fn wait(&mut self) -> Option<()> {
        let deadline = tokio::time::Instant::now() + self.services.config.events_recheck;
        loop {
            match tokio::time::timeout_at(deadline, self.signals.recv()).await {
                Err(_) => return Some(()),
                Ok(Ok(s)) if s.scope_id == self.team_id || s.scope_id.is_nil() => {
                    if s.seq > self.after || s.scope_id.is_nil() {
                        return Some(());
                    }
                }
                Ok(Ok(_)) => {}
                Ok(Err(RecvError::Lagged(_))) => return Some(()),
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActorType, EventActor, EventEntity};

    fn event(kind: &str) -> Event {
        Event {
            id: Uuid::nil(),
            seq: 1,
            kind: kind.into(),
            version: 1,
            team_id: None,
            occurred_at: chrono::Utc::now(),
            actor: EventActor {
                id: None,
                kind: ActorType::System,
            },
            entity: EventEntity {
                kind: "task".into(),
                id: Uuid::nil(),
            },
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn patterns_match_types() {
        let f = |types: &[&str]| EventFilter {
            types: types.iter().map(|t| t.to_string()).collect(),
            entity_id: None,
        };
        assert!(f(&[]).matches(&event("task.created")));
        assert!(f(&["*"]).matches(&event("task.created")));
        assert!(f(&["task.*"]).matches(&event("task.created")));
        assert!(!f(&["task.*"]).matches(&event("step.ready")));
        assert!(f(&["step.ready", "task.created"]).matches(&event("task.created")));
        assert!(!f(&["task.completed"]).matches(&event("task.created")));
        assert!(EventFilter::is_pattern("process_instance.completed"));
        assert!(!EventFilter::is_pattern("task completed"));
        assert!(!EventFilter::is_pattern(""));
    }
}
