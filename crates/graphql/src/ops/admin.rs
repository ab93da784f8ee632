//! The audit trail, the event log and webhooks.

use orgata_core::model::AuditFilter;
use orgata_core::Error;

use super::Arg::*;
use super::Ret::*;
use super::{deleted, one, page, Root};
use crate::call::{event_arguments, gql_error};
use crate::r;

/// Events `events` answers at most.
const MAX_EVENTS: i64 = 500;

pub fn fields(root: &mut Root) {
    root.query(
        "audit",
        Page("AuditEntry"),
        &[
            Id("teamId"),
            OptText("entityType"),
            OptId("entityId"),
            OptId("actorId"),
        ],
        "The team's audit trail, newest first (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let filter = AuditFilter {
                entity_type: c.text("entityType")?,
                entity_id: c.opt_id("entityId")?,
                actor_id: c.opt_id("actorId")?,
            };
            page(s.list_audit(&ctx, c.id("teamId")?, filter, c.page()?).await)
        }),
    );
    root.query(
        "verifyAudit",
        One("AuditVerification"),
        &[Id("teamId")],
        "Recompute the team's hash chain and say whether (and where) it breaks (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.verify_audit(&ctx, c.id("teamId")?).await)
        }),
    );
    root.query_with("events", List("Event"), &[Id("teamId"), Int("afterSeq"), Int("first")], event_arguments(),
        "The team's events after a point of the log (`afterSeq`, default 0), oldest first: \
         poll with the last `seq` seen, or subscribe to `teamActivity`.", r!(c => {
        let (s, ctx) = c.caller()?;
        let after = c.int("afterSeq")?.unwrap_or(0).max(0);
        let first = c.int("first")?.unwrap_or(100);
        if !(1..=MAX_EVENTS).contains(&first) {
            return Err(gql_error(Error::invalid("/first", "out_of_range", format!("must be 1 to {MAX_EVENTS}"))));
        }
        let (team, filter) = (c.id("teamId")?, c.event_filter()?);
        // A read stops after a few thousand events the filter refuses: read on to the head.
        let head = s.event_head(&ctx, team).await.map_err(gql_error)?;
        let mut after = after;
        loop {
            let (events, cursor) = s
                .events_after(&ctx, team, after, &filter, first as usize)
                .await
                .map_err(gql_error)?;
            if !events.is_empty() || cursor >= head || cursor == after {
                return one(Ok(events));
            }
            after = cursor;
        }
    }));

    root.query(
        "webhooks",
        Page("Webhook"),
        &[Id("teamId")],
        "The team's webhook endpoints (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_webhooks(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.query(
        "webhook",
        One("Webhook"),
        &[Id("teamId"), Id("webhookId")],
        "One webhook endpoint (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_webhook(&ctx, c.id("teamId")?, c.id("webhookId")?).await)
        }),
    );
    root.mutation(
        "createWebhook",
        One("CreatedWebhook"),
        &[Id("teamId"), Input("input", "NewWebhook")],
        "Register a webhook endpoint (admins); its signing secret is shown only in this answer.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_webhook(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation("updateWebhook", One("Webhook"), &[Id("teamId"), Id("webhookId"), Input("input", "WebhookUpdate")],
        "Change a webhook's URL, event types, description or activity (admins).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.update_webhook(&ctx, c.id("teamId")?, c.id("webhookId")?, c.input("input")?).await)
    }));
    root.mutation(
        "deleteWebhook",
        One("Deleted"),
        &[Id("teamId"), Id("webhookId")],
        "Delete a webhook endpoint (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "webhookId", s.delete_webhook(&ctx, c.id("teamId")?, c.id("webhookId")?).await)
        }),
    );
    root.query(
        "webhookDeliveries",
        Page("WebhookDelivery"),
        &[Id("teamId"), Id("webhookId")],
        "A webhook's deliveries with every attempt's status, newest first (admins).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_deliveries(&ctx, c.id("teamId")?, c.id("webhookId")?, c.page()?).await)
        }),
    );
    root.mutation("replayWebhookDelivery", One("WebhookDelivery"), &[Id("teamId"), Id("webhookId"), Id("deliveryId")],
        "Deliver an event again (admins).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.replay_delivery(&ctx, c.id("teamId")?, c.id("webhookId")?, c.id("deliveryId")?).await)
    }));
}
