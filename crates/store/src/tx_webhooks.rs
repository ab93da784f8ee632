//! The SQL of webhooks, their deliveries and the fan-out cursors: records kept whole as JSON
//! bodies next to the columns they are found by. Written once, expanded for each backend (in
//! the module where `tx_reports_impl!` put the body helpers).

/// Implements `WebhookTx` for `$tx`; `$for_update` locks a cursor row (empty on SQLite, where
/// the writer's turn already serialises writers).
#[macro_export]
#[doc(hidden)]
macro_rules! tx_webhooks_impl {
    ($tx:ident, $db:ty, $row:ty, for_update = $for_update:literal) => {
        #[async_trait::async_trait]
        impl orgata_core::store::WebhookTx for $tx {
            async fn insert_webhook(&mut self, w: &orgata_core::model::Webhook, sealed: &[u8]) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO webhooks (id, team_id, body, secret, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(w.id).bind(w.team_id).bind(sqlx::types::Json(w)).bind(sealed).bind(w.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn webhook(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Webhook>> {
                one_body(&mut self.tx, "webhooks", team_id, id).await
            }

            async fn webhook_secret(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<Vec<u8>>> {
                let found = sqlx::query("SELECT secret FROM webhooks WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.map(|r| sqlx::Row::try_get::<Vec<u8>, _>(&r, 0).map_err($crate::error::db_err)).transpose()
            }

            async fn list_webhooks(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Webhook>> {
                body_page(&mut self.tx, "webhooks", team_id, None, page).await
            }

            async fn team_webhooks(&mut self, team_id: uuid::Uuid) -> orgata_core::Result<Vec<orgata_core::model::Webhook>> {
                let found = sqlx::query("SELECT body FROM webhooks WHERE team_id = $1 ORDER BY id")
                    .bind(team_id).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                bodies(&found)
            }

            async fn update_webhook(&mut self, w: &orgata_core::model::Webhook) -> orgata_core::Result<()> {
                sqlx::query("UPDATE webhooks SET body = $3 WHERE team_id = $1 AND id = $2")
                    .bind(w.team_id).bind(w.id).bind(sqlx::types::Json(w))
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_webhook(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<bool> {
                use $crate::error::db_err;
                sqlx::query("DELETE FROM webhook_deliveries WHERE team_id = $1 AND webhook_id = $2")
                    .bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                let done = sqlx::query("DELETE FROM webhooks WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_delivery(&mut self, d: &orgata_core::model::WebhookDelivery) -> orgata_core::Result<bool> {
                let done = sqlx::query("INSERT INTO webhook_deliveries (id, team_id, webhook_id, event_seq, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                                        ON CONFLICT (webhook_id, event_seq) DO NOTHING")
                    .bind(d.id).bind(d.team_id).bind(d.webhook_id).bind(d.event_seq).bind(sqlx::types::Json(d)).bind(d.created_at)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn delivery(&mut self, team_id: uuid::Uuid, id: uuid::Uuid, lock: bool) -> orgata_core::Result<Option<orgata_core::model::WebhookDelivery>> {
                if !lock {
                    return one_body(&mut self.tx, "webhook_deliveries", team_id, id).await;
                }
                let sql = concat!("SELECT body FROM webhook_deliveries WHERE team_id = $1 AND id = $2", $for_update);
                let found = sqlx::query(sql).bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.map(|r| {
                    let body: sqlx::types::Json<orgata_core::model::WebhookDelivery> = sqlx::Row::try_get(&r, 0).map_err($crate::error::db_err)?;
                    Ok(body.0)
                }).transpose()
            }

            async fn list_deliveries(&mut self, team_id: uuid::Uuid, webhook_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::WebhookDelivery>> {
                body_page(&mut self.tx, "webhook_deliveries", team_id, Some(("webhook_id", webhook_id)), page).await
            }

            async fn update_delivery(&mut self, d: &orgata_core::model::WebhookDelivery) -> orgata_core::Result<()> {
                sqlx::query("UPDATE webhook_deliveries SET body = $3 WHERE team_id = $1 AND id = $2")
                    .bind(d.team_id).bind(d.id).bind(sqlx::types::Json(d))
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn lock_webhook_cursor(&mut self, team_id: uuid::Uuid) -> orgata_core::Result<Option<i64>> {
                let sql = concat!("SELECT last_seq FROM webhook_cursors WHERE team_id = $1", $for_update);
                let found = sqlx::query(sql).bind(team_id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.map(|r| sqlx::Row::try_get::<i64, _>(&r, 0).map_err($crate::error::db_err)).transpose()
            }

            async fn set_webhook_cursor(&mut self, team_id: uuid::Uuid, seq: i64) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO webhook_cursors (team_id, last_seq) VALUES ($1, $2) \
                             ON CONFLICT (team_id) DO UPDATE SET last_seq = excluded.last_seq")
                    .bind(team_id).bind(seq).execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn teams_behind_webhooks(&mut self) -> orgata_core::Result<Vec<uuid::Uuid>> {
                let found = sqlx::query("SELECT c.team_id FROM webhook_cursors c JOIN event_chains e ON e.scope_id = c.team_id \
                                         WHERE e.last_seq > c.last_seq")
                    .fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(|r| sqlx::Row::try_get::<uuid::Uuid, _>(r, 0).map_err($crate::error::db_err)).collect()
            }
        }
    };
}
