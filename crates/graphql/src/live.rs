//! Subscriptions: `processUpdates`, `taskUpdates` and `teamActivity`, each a feed of the
//! team's event log (`EventFeed`), so they see the events of every node and resume from a
//! `seq` without loss.

use std::sync::Arc;

use async_graphql::dynamic::{
    FieldValue, InputValue, Subscription, SubscriptionField, SubscriptionFieldFuture, TypeRef,
};
use futures_util::StreamExt;
use orgata_core::model::Event;
use orgata_core::services::events::{EventFeed, EventFilter};
use orgata_core::services::{Ctx, Services};
use serde_json::json;
use uuid::Uuid;

use crate::call::{event_arguments, gql_error, Call};
use crate::ops::Root;
use crate::types::Json;

/// The token a subscription's caller authenticated with (re-checked every minute).
#[derive(Clone)]
pub struct Token(pub String);

/// What every subscription starts from.
struct Start {
    services: Arc<Services>,
    ctx: Ctx,
    token: String,
    team: Uuid,
    after: Option<i64>,
}

fn start(c: &Call<'_>) -> async_graphql::Result<Start> {
    let (services, ctx) = c.caller()?;
    Ok(Start {
        services,
        ctx,
        token: c.rc.ctx.data::<Token>()?.0.clone(),
        team: c.id("teamId")?,
        after: c.int("afterSeq")?.map(|seq| seq.max(0)),
    })
}

/// The events of a feed, one at a time, until it ends.
async fn feed(start: &Start, filter: EventFilter) -> async_graphql::Result<EventFeed> {
    EventFeed::open(
        start.services.clone(),
        start.ctx.clone(),
        start.token.clone(),
        start.team,
        filter,
        start.after,
    )
    .await
    .map_err(gql_error)
}

/// The feed's events, each with the caller as the feed last checked them (reads made for an
/// event act as that caller).
fn events(feed: EventFeed) -> impl futures_util::Stream<Item = (Event, Ctx)> + Send {
    futures_util::stream::unfold(feed, |mut f| async move {
        let event = f.next().await?;
        let ctx = f.ctx().clone();
        Some(((event, ctx), f))
    })
}

fn to_json<T: serde::Serialize>(value: T) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// The instance an event is about: its entity, or the instance its data names.
fn instance_of(event: &Event) -> Option<Uuid> {
    if event.entity.kind == "process_instance" {
        return Some(event.entity.id);
    }
    event
        .data
        .get("process_instance_id")
        .and_then(Json::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn after_seq() -> InputValue {
    InputValue::new("afterSeq", TypeRef::named(TypeRef::INT))
        .description("Resume right after this event's `seq` (default: from now).")
}

fn team_id() -> InputValue {
    InputValue::new("teamId", TypeRef::named_nn(TypeRef::ID))
}

/// The subscription type.
pub fn subscription(root: &mut Root) -> Subscription {
    root.types.define(
        "ProcessUpdate",
        json!({
            "type": "object",
            "description": "An event about a process instance (its start, steps, exceptions, end) with the instance as it is after it.",
            "properties": {
                "event": {"$ref": "#/components/schemas/Event"},
                "instance_id": {"type": "string", "format": "uuid"},
                "instance": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ProcessInstance"}],
                    "description": "The instance now (null if the caller can no longer see it)."},
            },
            "required": ["event", "instance_id"],
        }),
    );
    root.types.define(
        "TaskUpdate",
        json!({
            "type": "object",
            "description": "An event about a task with the task as it is after it.",
            "properties": {
                "event": {"$ref": "#/components/schemas/Event"},
                "task": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Task"}]},
            },
            "required": ["event"],
        }),
    );
    root.types.define(
        "TeamActivity",
        json!({
            "allOf": [{"$ref": "#/components/schemas/Event"}],
            "description": "One event of the team's log: who did what to which entity, when.",
        }),
    );
    let (process_update, _) = root.types.object("ProcessUpdate");
    let (task_update, _) = root.types.object("TaskUpdate");
    let (activity, _) = root.types.object("TeamActivity");

    let process_updates = SubscriptionField::new("processUpdates", TypeRef::named_nn(process_update), |rc| {
        SubscriptionFieldFuture::new(async move {
            let c = Call {
                rc,
                inputs: Default::default(),
            };
            let start = start(&c)?;
            let only_instance = c.opt_id("instanceId")?;
            let only_process = c.opt_id("processId")?;
            // The instance is read for an event only when selected or filtered on.
            let read = only_process.is_some() || c.rc.ctx.look_ahead().field("instance").exists();
            let filter = EventFilter {
                types: vec!["process_instance.*".into(), "step.*".into(), "exception.*".into()],
                entity_id: None,
            };
            let feed = feed(&start, filter).await?;
            let Start { services, team, .. } = start;
            Ok(events(feed).filter_map(move |(event, ctx)| {
                let services = services.clone();
                async move {
                    let id = instance_of(&event)?;
                    if only_instance.is_some_and(|i| i != id) {
                        return None;
                    }
                    let instance = match read {
                        true => services.get_instance(&ctx, team, id).await.ok(),
                        false => None,
                    };
                    if let Some(p) = only_process {
                        if instance.as_ref().is_none_or(|i| i.playbook_id != p) {
                            return None;
                        }
                    }
                    let update = json!({"event": to_json(&event), "instance_id": id, "instance": to_json(instance)});
                    Some(Ok(FieldValue::owned_any(update)))
                }
            }))
        })
    })
    .argument(team_id())
    .argument(InputValue::new("instanceId", TypeRef::named(TypeRef::ID)).description("Only this instance."))
    .argument(InputValue::new("processId", TypeRef::named(TypeRef::ID)).description("Only instances of this playbook."))
    .argument(after_seq())
    .description("Events about the team's process instances, each with the instance after it.");

    let task_updates =
        SubscriptionField::new("taskUpdates", TypeRef::named_nn(task_update), |rc| {
            SubscriptionFieldFuture::new(async move {
                let c = Call {
                    rc,
                    inputs: Default::default(),
                };
                let start = start(&c)?;
                let user = c.opt_id("userId")?;
                // The task is read for an event only when selected or filtered on.
                let read = user.is_some() || c.rc.ctx.look_ahead().field("task").exists();
                let filter = EventFilter {
                    types: vec!["task.*".into()],
                    entity_id: None,
                };
                let feed = feed(&start, filter).await?;
                let Start { services, team, .. } = start;
                Ok(events(feed).filter_map(move |(event, ctx)| {
                    let services = services.clone();
                    async move {
                        let task = match read {
                            true => services.get_task(&ctx, team, event.entity.id).await.ok(),
                            false => None,
                        };
                        if let Some(user) = user {
                            let named = |v: Option<&Json>| {
                                v.and_then(Json::as_str) == Some(user.to_string().as_str())
                            };
                            let assigned =
                                task.as_ref().is_some_and(|t| t.assigned_to == Some(user));
                            if !assigned && !named(event.data.get("assigned_to")) {
                                return None;
                            }
                        }
                        let update = json!({"event": to_json(&event), "task": to_json(task)});
                        Some(Ok(FieldValue::owned_any(update)))
                    }
                }))
            })
        })
        .argument(team_id())
        .argument(
            InputValue::new("userId", TypeRef::named(TypeRef::ID))
                .description("Only tasks assigned to this user (or being assigned to them)."),
        )
        .argument(after_seq())
        .description("Events about the team's tasks, each with the task after it.");

    let team_activity = SubscriptionField::new("teamActivity", TypeRef::named_nn(activity), |rc| {
        SubscriptionFieldFuture::new(async move {
            let c = Call {
                rc,
                inputs: Default::default(),
            };
            let start = start(&c)?;
            let filter = c.event_filter()?;
            let feed = feed(&start, filter).await?;
            Ok(events(feed).map(|(event, _)| Ok(FieldValue::owned_any(to_json(event)))))
        })
    })
    .argument(team_id())
    .argument(after_seq())
    .description("Every event of the team the caller may see.");
    let team_activity = event_arguments()
        .into_iter()
        .fold(team_activity, |field, argument| field.argument(argument));

    Subscription::new("Subscription")
        .field(process_updates)
        .field(task_updates)
        .field(team_activity)
}
