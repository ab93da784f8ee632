//! The team's events as Server-Sent Events: every event the caller may see, resumable.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use orgata_core::services::events::{EventFeed, EventFilter};
use orgata_core::Error;
use uuid::Uuid;

use crate::envelope::ApiError;
use crate::extract::{authenticate, bearer_token, path_id, QueryMap};
use crate::AppState;

/// A heartbeat comment at least this often.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Filters of the event stream.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Comma-separated event types (`task.completed`), or `task.*` for every type of an entity.
    #[param(max_length = 200)]
    pub types: Option<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
    /// The token, for clients that cannot send headers (browsers' `EventSource`).
    #[param(max_length = 4000)]
    pub access_token: Option<String>,
}

/// The team's events as `text/event-stream`: `id: <seq>`, `event: <type>`, `data: <envelope>`,
/// a comment when it opens, and a comment as heartbeat at least every 15 s. Without `Last-Event-ID` the stream starts
/// now; with it, right after that event, so a client that reconnects misses nothing and sees
/// nothing twice. Events of every node arrive (PostgreSQL `LISTEN/NOTIFY`).
#[utoipa::path(get, path = "/v1/teams/{team_id}/events", tag = "events",
    params(crate::openapi::TeamPath, EventParams,
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event's seq")),
    responses((status = 200, description = "The event stream", content_type = "text/event-stream", body = String)))]
pub async fn stream(
    State(s): State<AppState>,
    parts: Parts,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let team_id = path_id(&team_id, "team_id")?;
    let from_query = q.0.get("access_token").filter(|t| t.len() <= 4000).cloned();
    let token = bearer_token(&parts).or(from_query).ok_or_else(|| {
        Error::unauthenticated("send Authorization: Bearer <token>, or ?access_token=")
    })?;
    let ctx = authenticate(&s, &parts, &token).await?;
    let types = q.text("types")?.unwrap_or_default();
    let filter = EventFilter::parse("/types", types.split(','), q.uuid("entity_id")?)?;
    let resume = match parts.headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|seq| *seq >= 0)
                .ok_or_else(|| {
                    Error::invalid(
                        "/headers/Last-Event-ID",
                        "invalid",
                        "must be an event's seq",
                    )
                })?,
        ),
    };
    let feed = EventFeed::open(s.services.clone(), ctx, token, team_id, filter, resume).await?;
    let events = futures_util::stream::unfold(feed, |mut r| async move {
        let event = r.next().await?;
        let sse = SseEvent::default()
            .id(event.seq.to_string())
            .event(event.kind.clone())
            .json_data(&event)
            .unwrap_or_else(|_| SseEvent::default().comment("unserializable event"));
        Some((Ok(sse), r))
    });
    // a comment first, so the headers and a first frame go out at once (proxies that wait for a
    // body, like Vite's in development, pass the stream on at once)
    let opened = futures_util::stream::once(async { Ok(SseEvent::default().comment("open")) });
    Ok(Sse::new(opened.chain(events))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}
