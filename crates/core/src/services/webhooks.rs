//! Webhooks: team admins register endpoints for chosen event types; the job runner fans the
//! team's events out into one delivery per event and endpoint (exactly once, under the team's
//! fan-out cursor) and sends each as a signed POST, retried with backoff, recorded, replayable.
//!
//! Signature: `Orgata-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
//! the key being the secret string's UTF-8 bytes.

use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use super::events::EventFilter;
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};

/// The job kind that sends one delivery (`process_instance_id`: the webhook,
/// `step_execution_id`: the delivery).
pub const DELIVERY_JOB: &str = "webhook_delivery";
/// Attempts before a delivery fails for good.
pub const MAX_ATTEMPTS: i32 = 8;
/// The first retry waits this long; each next one twice as long, up to an hour.
const FIRST_BACKOFF_SECS: i64 = 10;
/// How long an endpoint has to answer.
const TIMEOUT_SECS: u64 = 10;
/// Events fanned out per team per round.
const FAN_OUT_BATCH: i64 = 500;

fn seal_context(team_id: Uuid, id: Uuid) -> String {
    format!("webhook:{team_id}:{id}")
}

/// `t=…,v1=…` for `body` sent at `t` (unix seconds), as receivers recompute it.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `ip` is loopback, private, link-local or otherwise not a public address.
fn is_private(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(v4.into()))
        }
    }
}

/// A resolver that answers only public addresses (with private targets denied): a name that
/// resolves to a private address fails at connect time, so a DNS answer that changes after
/// registration cannot reach an inner host.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::time::timeout(
                std::time::Duration::from_secs(TIMEOUT_SECS),
                tokio::net::lookup_host((name.as_str(), 0)),
            )
            .await
            .map_err(|_| format!("resolving {} took too long", name.as_str()))??;
            let addresses: Vec<std::net::SocketAddr> = found.collect();
            if addresses.is_empty() || addresses.iter().any(|a| is_private(a.ip())) {
                return Err(format!("{} resolves to a private address", name.as_str()).into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client of the job runner's outbound calls (webhook deliveries, step webhooks):
/// redirects are not followed (a 3xx is an answer like any other), and with `deny_private`
/// names resolve to public addresses only.
pub fn outbound_client(deny_private: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("orgata/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none());
    match deny_private {
        true => builder.dns_resolver(std::sync::Arc::new(PublicOnly)),
        false => builder,
    }
    .build()
}

fn check_event_types(v: &mut Violations, types: &[String]) {
    if types.is_empty() || types.len() > 50 {
        v.add("/event_types", "invalid", "1 to 50 event types");
    }
    for (i, t) in types.iter().enumerate() {
        if !EventFilter::is_pattern(t) {
            v.add(
                &format!("/event_types/{i}"),
                "invalid",
                "an event type (task.completed), task.* or *",
            );
        }
    }
}

impl Services {
    /// Checks a target URL: http(s), and not a private address when those are denied.
    fn check_url(&self, v: &mut Violations, field: &str, url: &str) {
        match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                if self.config.webhooks_deny_private {
                    let private = match u.host() {
                        Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
                        Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
                        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                        None => true,
                    };
                    if private {
                        v.add(field, "private_address", "private and loopback addresses are not allowed as webhook targets here");
                    }
                }
            }
            _ => v.add(field, "invalid", "an http or https URL"),
        }
        if url.len() > 2000 {
            v.add(field, "too_long", "at most 2000 characters");
        }
    }

    /// `POST /v1/teams/{team_id}/webhooks`: its secret is in the answer, and never again.
    /// Events from now on are delivered.
    pub async fn create_webhook(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: NewWebhook,
    ) -> Result<CreatedWebhook> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let mut v = Violations::new();
        self.check_url(&mut v, "/url", &input.url);
        check_event_types(&mut v, &input.event_types);
        let description = input.description.unwrap_or_default();
        crate::validate::text(&mut v, "/description", &description, 0, 2000);
        v.finish()?;
        let now = self.clock.now();
        let webhook = Webhook {
            id: new_id(),
            team_id,
            url: input.url,
            event_types: input.event_types,
            description,
            active: true,
            created_by: ctx.actor.user.id,
            created_at: now,
            updated_at: now,
        };
        let secret = crate::auth::opaque::generate("whsec_");
        let sealed = self
            .master
            .seal(secret.as_bytes(), &seal_context(team_id, webhook.id))?;
        tx.insert_webhook(&webhook, &sealed).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "webhook.created",
            ("webhook", webhook.id),
            json!({"event_types": webhook.event_types}),
        ))
        .await?;
        // The first webhook of a team starts the fan-out after this very event.
        if tx.lock_webhook_cursor(team_id).await?.is_none() {
            let head = tx.chain_head(team_id).await?.map_or(0, |(seq, _)| seq);
            tx.set_webhook_cursor(team_id, head).await?;
        }
        tx.commit().await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// `GET /v1/teams/{team_id}/webhooks`: newest first.
    pub async fn list_webhooks(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Webhook>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        tx.list_webhooks(team_id, page).await
    }

    /// `GET /v1/teams/{team_id}/webhooks/{webhook_id}`.
    pub async fn get_webhook(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<Webhook> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        tx.webhook(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("webhook"))
    }

    /// `PUT /v1/teams/{team_id}/webhooks/{webhook_id}`.
    pub async fn update_webhook(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: WebhookUpdate,
    ) -> Result<Webhook> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let mut w = tx
            .webhook(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("webhook"))?;
        let mut v = Violations::new();
        if let Some(url) = input.url {
            self.check_url(&mut v, "/url", &url);
            w.url = url;
        }
        if let Some(types) = input.event_types {
            check_event_types(&mut v, &types);
            w.event_types = types;
        }
        if let Some(d) = input.description {
            crate::validate::text(&mut v, "/description", &d, 0, 2000);
            w.description = d;
        }
        if let Some(active) = input.active {
            w.active = active;
        }
        v.finish()?;
        w.updated_at = self.clock.now();
        tx.update_webhook(&w).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "webhook.updated",
            ("webhook", id),
            json!({"event_types": w.event_types, "active": w.active}),
        ))
        .await?;
        tx.commit().await?;
        Ok(w)
    }

    /// `DELETE /v1/teams/{team_id}/webhooks/{webhook_id}`: with its deliveries.
    pub async fn delete_webhook(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        if !tx.delete_webhook(team_id, id).await? {
            return Err(Error::not_found("webhook"));
        }
        tx.append_event(ctx.team_event(team_id, "webhook.deleted", ("webhook", id), json!({})))
            .await?;
        tx.commit().await
    }

    /// `GET /v1/teams/{team_id}/webhooks/{webhook_id}/deliveries`: newest first.
    pub async fn list_deliveries(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        webhook_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<WebhookDelivery>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        if tx.webhook(team_id, webhook_id).await?.is_none() {
            return Err(Error::not_found("webhook"));
        }
        tx.list_deliveries(team_id, webhook_id, page).await
    }

    /// `POST …/deliveries/{delivery_id}/replay`: sends the delivery again, now.
    pub async fn replay_delivery(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        webhook_id: Uuid,
        id: Uuid,
    ) -> Result<WebhookDelivery> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let mut d = tx
            .delivery(team_id, id, true)
            .await?
            .filter(|d| d.webhook_id == webhook_id)
            .ok_or_else(|| Error::not_found("delivery"))?;
        if d.status == DeliveryStatus::Pending {
            return Err(Error::conflict(
                "the delivery is still queued; it is sent (or retried) on its own",
            ));
        }
        let now = self.clock.now();
        d.status = DeliveryStatus::Pending;
        d.next_attempt_at = Some(now);
        d.updated_at = now;
        tx.update_delivery(&d).await?;
        tx.insert_job(&delivery_job(&d, now, MAX_ATTEMPTS)).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "webhook.delivery_replayed",
            ("webhook", webhook_id),
            json!({"delivery_id": id, "event_seq": d.event_seq}),
        ))
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Turns the teams' new events into deliveries and queued jobs; one transaction per team,
    /// under the team's cursor lock, so each event reaches each endpoint once whatever the
    /// number of nodes. Returns how many deliveries were queued.
    pub async fn fan_out_webhooks(&self) -> Result<usize> {
        let teams = {
            let mut tx = self.store.read().await?;
            tx.teams_behind_webhooks().await?
        };
        let mut queued = 0;
        for team_id in teams {
            let mut tx = self.store.begin().await?;
            let Some(after) = tx.lock_webhook_cursor(team_id).await? else {
                continue;
            };
            let hooks: Vec<(Webhook, EventFilter)> = tx
                .team_webhooks(team_id)
                .await?
                .into_iter()
                .filter(|w| w.active)
                .map(|w| {
                    let filter = EventFilter {
                        types: w.event_types.clone(),
                        entity_id: None,
                    };
                    (w, filter)
                })
                .collect();
            if hooks.is_empty() {
                // Nobody listens: move past the log without reading it.
                let head = tx.chain_head(team_id).await?.map_or(after, |(seq, _)| seq);
                tx.set_webhook_cursor(team_id, head).await?;
                tx.commit().await?;
                continue;
            }
            let events = tx.audit_segment(team_id, after, FAN_OUT_BATCH).await?;
            let Some(last) = events.last().map(|e| e.event.seq) else {
                continue;
            };
            let now = self.clock.now();
            for entry in &events {
                for (hook, filter) in &hooks {
                    // An endpoint gets the events from its registration on.
                    if entry.event.occurred_at < hook.created_at || !filter.matches(&entry.event) {
                        continue;
                    }
                    let d = WebhookDelivery {
                        id: new_id(),
                        team_id,
                        webhook_id: hook.id,
                        event_id: entry.event.id,
                        event_seq: entry.event.seq,
                        event_type: entry.event.kind.clone(),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        response_status: None,
                        response_body: None,
                        error: None,
                        last_attempt_at: None,
                        next_attempt_at: Some(now),
                        created_at: now,
                        updated_at: now,
                    };
                    if tx.insert_delivery(&d).await? {
                        tx.insert_job(&delivery_job(&d, now, MAX_ATTEMPTS)).await?;
                        queued += 1;
                    }
                }
            }
            tx.set_webhook_cursor(team_id, last).await?;
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Sends one delivery (a `webhook_delivery` job) and records the attempt.
    pub(crate) async fn run_delivery_job(
        &self,
        node: &str,
        http: &reqwest::Client,
        job: &Job,
    ) -> Result<()> {
        let (team_id, webhook_id, delivery_id) =
            (job.team_id, job.process_instance_id, job.step_execution_id);
        let loaded = {
            let mut tx = self.store.read().await?;
            let webhook = tx.webhook(team_id, webhook_id).await?;
            let secret = tx.webhook_secret(team_id, webhook_id).await?;
            let delivery = tx.delivery(team_id, delivery_id, false).await?;
            let event = match &delivery {
                Some(d) => tx
                    .audit_segment(team_id, d.event_seq - 1, 1)
                    .await?
                    .into_iter()
                    .next()
                    .map(|e| e.event),
                None => None,
            };
            (webhook, secret, delivery, event)
        };
        let (Some(webhook), Some(sealed), Some(mut delivery), Some(event)) = loaded else {
            let mut tx = self.store.begin().await?;
            tx.finish_job(job.id, node, "cancelled").await?;
            return tx.commit().await;
        };
        let now = self.clock.now();
        let outcome = if webhook.active {
            let secret = self
                .master
                .open(&sealed, &seal_context(team_id, webhook_id))?;
            let secret = String::from_utf8(secret).map_err(Error::internal)?;
            self.send_delivery(http, &webhook, &delivery, &event, &secret)
                .await
        } else {
            Err((None, None, "the webhook is inactive".to_string()))
        };
        delivery.attempts += 1;
        delivery.last_attempt_at = Some(now);
        delivery.updated_at = now;
        let mut tx = self.store.begin().await?;
        match outcome {
            Ok((status, body)) => {
                delivery.status = DeliveryStatus::Delivered;
                delivery.response_status = Some(status);
                delivery.response_body = Some(body);
                delivery.error = None;
                delivery.next_attempt_at = None;
                if !tx.finish_job(job.id, node, "done").await? {
                    return Ok(()); // another node took over the lease; its run counts
                }
            }
            Err((status, body, error)) => {
                delivery.response_status = status;
                delivery.response_body = body;
                delivery.error = Some(error.clone());
                if job.attempts < job.max_attempts && webhook.active {
                    let wait = (FIRST_BACKOFF_SECS << (job.attempts - 1).clamp(0, 12)).min(3600);
                    let at = now + Duration::seconds(wait);
                    delivery.status = DeliveryStatus::Pending;
                    delivery.next_attempt_at = Some(at);
                    if !tx.retry_job(job.id, node, at, job.attempts, &error).await? {
                        return Ok(());
                    }
                } else {
                    delivery.status = DeliveryStatus::Failed;
                    delivery.next_attempt_at = None;
                    if !tx.finish_job(job.id, node, "failed").await? {
                        return Ok(());
                    }
                }
            }
        }
        tx.update_delivery(&delivery).await?;
        tx.commit().await
    }

    /// POSTs the event: `Ok((status, body))` on 2xx, else what is known of the failure.
    async fn send_delivery(
        &self,
        http: &reqwest::Client,
        webhook: &Webhook,
        delivery: &WebhookDelivery,
        event: &Event,
        secret: &str,
    ) -> std::result::Result<(i32, String), (Option<i32>, Option<String>, String)> {
        let fail = |e: String| (None, None, e);
        if self.config.webhooks_deny_private {
            // Names are checked by the client's resolver; an address in the URL is not resolved.
            let url = reqwest::Url::parse(&webhook.url).map_err(|e| fail(e.to_string()))?;
            let private = match url.host() {
                Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
                Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
                _ => false,
            };
            if private {
                return Err(fail("the target is a private address".into()));
            }
        }
        let body = serde_json::to_vec(event).map_err(|e| fail(e.to_string()))?;
        let t = chrono::Utc::now().timestamp();
        let answer = http
            .post(&webhook.url)
            .timeout(std::time::Duration::from_secs(TIMEOUT_SECS))
            .header("content-type", "application/json")
            .header("orgata-event", &event.kind)
            .header("orgata-delivery", delivery.id.to_string())
            .header("orgata-signature", signature(secret, t, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| fail(format!("the endpoint could not be reached: {e}")))?;
        let status = i32::from(answer.status().as_u16());
        let ok = answer.status().is_success();
        let text: String = answer
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(2000)
            .collect();
        if ok {
            Ok((status, text))
        } else {
            Err((
                Some(status),
                Some(text),
                format!("the endpoint answered {status}"),
            ))
        }
    }
}

/// The job that sends `d`, due at `at`.
fn delivery_job(d: &WebhookDelivery, at: chrono::DateTime<chrono::Utc>, max: i32) -> Job {
    Job {
        id: new_id(),
        team_id: d.team_id,
        process_instance_id: d.webhook_id,
        step_execution_id: d.id,
        kind: DELIVERY_JOB.into(),
        run_at: at,
        attempts: 0,
        max_attempts: max,
        last_error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_over_time_and_body() {
        // RFC 4231 test case 2 shape: a known key and message.
        let s = signature("Jefe", 0, b"what do ya want for nothing?");
        assert!(s.starts_with("t=0,v1="));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        assert_eq!(
            s,
            format!("t=0,v1={}", hex::encode(mac.finalize().into_bytes()))
        );
    }

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
