//! The SQL of every store operation, written once and expanded for each backend.

/// Implements `orgata_core::store::Tx` for `$tx` (which has a `tx: sqlx::Transaction<$db>`).
#[macro_export]
#[doc(hidden)]
macro_rules! tx_impl {
    ($tx:ident, $db:ty, $row:ty, lock_chain = $lock_chain:expr, move_chain = $move_chain:expr) => {
        mod rows {
            use chrono::{DateTime, Utc};
            use orgata_core::model::*;
            use orgata_core::Result;
            use sqlx::types::Json;
            use sqlx::Row;
            use uuid::Uuid;

            use $crate::error::{corrupt, db_err};

            type R = $row;

            fn get<'r, T: sqlx::Decode<'r, $db> + sqlx::Type<$db>>(r: &'r R, col: &str) -> Result<T> {
                r.try_get(col).map_err(db_err)
            }

            pub fn user(r: &R) -> Result<User> {
                let kind: String = get(r, "kind")?;
                Ok(User {
                    id: get(r, "id")?,
                    email: get(r, "email")?,
                    display_name: get(r, "display_name")?,
                    kind: UserKind::parse(&kind).ok_or_else(|| corrupt("user kind", &kind))?,
                    mfa_enabled: get(r, "mfa_enabled")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn organization(r: &R) -> Result<Organization> {
                let compliance: Json<Vec<String>> = get(r, "compliance_requirements")?;
                Ok(Organization {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    domain: get(r, "domain")?,
                    industry: get(r, "industry")?,
                    size: get(r, "size")?,
                    compliance_requirements: compliance.0,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn team(r: &R) -> Result<Team> {
                let settings: Json<TeamSettings> = get(r, "settings")?;
                Ok(Team {
                    id: get(r, "id")?,
                    organization_id: get(r, "organization_id")?,
                    name: get(r, "name")?,
                    description: get(r, "description")?,
                    settings: settings.0,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn access_role(value: String) -> Result<orgata_core::access::AccessRole> {
                value.parse().map_err(|_| corrupt("access role", &value))
            }

            pub fn member(r: &R) -> Result<TeamMember> {
                let roles: Json<Vec<Uuid>> = get(r, "roles")?;
                let kind: String = get(r, "kind")?;
                Ok(TeamMember {
                    team_id: get(r, "team_id")?,
                    user_id: Some(get(r, "user_id")?),
                    email: get(r, "email")?,
                    display_name: Some(get(r, "display_name")?),
                    kind: UserKind::parse(&kind),
                    access_role: access_role(get(r, "access_role")?)?,
                    roles: roles.0,
                    status: MemberStatus::Active,
                    invitation_id: None,
                    joined_at: Some(get(r, "joined_at")?),
                })
            }

            pub fn membership(r: &R) -> Result<Membership> {
                let roles: Json<Vec<Uuid>> = get(r, "roles")?;
                Ok(Membership {
                    team_id: get(r, "team_id")?,
                    team_name: get(r, "team_name")?,
                    organization_id: get(r, "organization_id")?,
                    access_role: access_role(get(r, "access_role")?)?,
                    roles: roles.0,
                    joined_at: get(r, "joined_at")?,
                })
            }

            pub fn invitation(r: &R) -> Result<Invitation> {
                let roles: Json<Vec<Uuid>> = get(r, "roles")?;
                Ok(Invitation {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    email: get(r, "email")?,
                    access_role: access_role(get(r, "access_role")?)?,
                    roles: roles.0,
                    invited_by: get(r, "invited_by")?,
                    created_at: get(r, "created_at")?,
                    expires_at: get(r, "expires_at")?,
                })
            }

            pub fn role(r: &R) -> Result<Role> {
                let functions: Json<Vec<RoleFunction>> = get(r, "functions")?;
                let capabilities: Json<Vec<RoleCapability>> = get(r, "capabilities")?;
                Ok(Role {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    name: get(r, "name")?,
                    description: get(r, "description")?,
                    functions: functions.0,
                    capabilities: capabilities.0,
                    hierarchy_level: get(r, "hierarchy_level")?,
                    reports_to: get(r, "reports_to")?,
                    hourly_cost: get(r, "hourly_cost")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn personal_token(r: &R) -> Result<PersonalTokenRecord> {
                let scopes: Json<Vec<orgata_core::access::TokenScope>> = get(r, "scopes")?;
                let revoked_at: Option<DateTime<Utc>> = get(r, "revoked_at")?;
                Ok(PersonalTokenRecord {
                    token: PersonalToken {
                        id: get(r, "id")?,
                        user_id: get(r, "user_id")?,
                        name: get(r, "name")?,
                        scopes: scopes.0,
                        team_id: get(r, "team_id")?,
                        expires_at: get(r, "expires_at")?,
                        last_used_at: get(r, "last_used_at")?,
                        created_at: get(r, "created_at")?,
                    },
                    revoked: revoked_at.is_some(),
                })
            }

            pub fn audit_entry(r: &R) -> Result<AuditEntry> {
                let data: Json<serde_json::Value> = get(r, "data")?;
                let actor_type: String = get(r, "actor_type")?;
                Ok(AuditEntry {
                    event: Event {
                        id: get(r, "id")?,
                        seq: get(r, "seq")?,
                        kind: get(r, "type")?,
                        version: get(r, "version")?,
                        team_id: get(r, "team_id")?,
                        occurred_at: get(r, "occurred_at")?,
                        actor: EventActor {
                            id: get(r, "actor_id")?,
                            kind: ActorType::parse(&actor_type).ok_or_else(|| corrupt("actor type", &actor_type))?,
                        },
                        entity: EventEntity { kind: get(r, "entity_type")?, id: get(r, "entity_id")? },
                        data: data.0,
                    },
                    scope_id: get(r, "scope_id")?,
                    request_id: get(r, "request_id")?,
                    ip_address: get(r, "ip_address")?,
                    user_agent: get(r, "user_agent")?,
                    via: get(r, "via")?,
                    prev_hash: get(r, "prev_hash")?,
                    hash: get(r, "hash")?,
                })
            }

            pub fn refresh_token(r: &R) -> Result<RefreshTokenRecord> {
                let used_at: Option<DateTime<Utc>> = get(r, "used_at")?;
                let revoked_at: Option<DateTime<Utc>> = get(r, "revoked_at")?;
                Ok(RefreshTokenRecord {
                    id: get(r, "id")?,
                    user_id: get(r, "user_id")?,
                    family_id: get(r, "family_id")?,
                    expires_at: get(r, "expires_at")?,
                    used: used_at.is_some(),
                    revoked: revoked_at.is_some(),
                })
            }

            pub fn count(r: &R) -> Result<i64> {
                r.try_get::<i64, _>(0).map_err(db_err)
            }
        }

        const MEMBER_SELECT: &str = "SELECT m.team_id, m.user_id, u.email, u.display_name, u.kind, m.access_role, m.roles, m.joined_at \
             FROM team_members m JOIN users u ON u.id = m.user_id";
        const AUDIT_SELECT: &str = "SELECT id, scope_id, seq, team_id, type, version, occurred_at, actor_id, actor_type, entity_type, \
             entity_id, data, request_id, ip_address, user_agent, via, prev_hash, hash FROM events";

        #[async_trait::async_trait]
        impl orgata_core::store::Tx for $tx {
            async fn commit(self: Box<Self>) -> orgata_core::Result<()> {
                (*self).finish().await
            }

            async fn server_key(&mut self, name: &str, candidate: &[u8]) -> orgata_core::Result<Vec<u8>> {
                use $crate::error::db_err;
                sqlx::query("INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(candidate)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db_err)?;
                let row = sqlx::query("SELECT value FROM server_keys WHERE name = $1").bind(name).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                sqlx::Row::try_get(&row, 0).map_err(db_err)
            }

            // ---------------- users ----------------
            async fn insert_user(&mut self, u: &orgata_core::model::User) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO users (id, email, display_name, kind, mfa_enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(u.id).bind(&u.email).bind(&u.display_name).bind(u.kind.as_str()).bind(u.mfa_enabled).bind(u.created_at).bind(u.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn user(&mut self, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::User>> {
                let row = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::user).transpose()
            }

            async fn user_by_email(&mut self, email: &str) -> orgata_core::Result<Option<orgata_core::model::User>> {
                let row = sqlx::query("SELECT * FROM users WHERE email = $1").bind(email).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::user).transpose()
            }

            async fn set_user_mfa(&mut self, id: uuid::Uuid, enabled: bool) -> orgata_core::Result<()> {
                sqlx::query("UPDATE users SET mfa_enabled = $2, updated_at = $3 WHERE id = $1")
                    .bind(id).bind(enabled).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn insert_identity(&mut self, i: &orgata_core::model::Identity) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO identities (id, user_id, provider, subject, secret_hash) VALUES ($1, $2, $3, $4, $5)")
                    .bind(i.id).bind(i.user_id).bind(&i.provider).bind(&i.subject).bind(&i.secret_hash)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn identity(&mut self, provider: &str, subject: &str) -> orgata_core::Result<Option<orgata_core::model::Identity>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("SELECT id, user_id, provider, subject, secret_hash FROM identities WHERE provider = $1 AND subject = $2")
                    .bind(provider).bind(subject).fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| -> orgata_core::Result<_> {
                    Ok(orgata_core::model::Identity {
                        id: r.try_get("id").map_err(db_err)?,
                        user_id: r.try_get("user_id").map_err(db_err)?,
                        provider: r.try_get("provider").map_err(db_err)?,
                        subject: r.try_get("subject").map_err(db_err)?,
                        secret_hash: r.try_get("secret_hash").map_err(db_err)?,
                    })
                }).transpose()
            }

            // ---------------- TOTP ----------------
            async fn put_totp(&mut self, t: &orgata_core::model::TotpRecord) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO totp_factors (user_id, secret_enc, enabled, last_step) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, enabled = excluded.enabled, last_step = excluded.last_step")
                    .bind(t.user_id).bind(&t.secret_enc).bind(t.enabled).bind(t.last_step)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn totp(&mut self, user_id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::TotpRecord>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("SELECT user_id, secret_enc, enabled, last_step FROM totp_factors WHERE user_id = $1")
                    .bind(user_id).fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| -> orgata_core::Result<_> {
                    Ok(orgata_core::model::TotpRecord {
                        user_id: r.try_get("user_id").map_err(db_err)?,
                        secret_enc: r.try_get("secret_enc").map_err(db_err)?,
                        enabled: r.try_get("enabled").map_err(db_err)?,
                        last_step: r.try_get("last_step").map_err(db_err)?,
                    })
                }).transpose()
            }

            async fn delete_totp(&mut self, user_id: uuid::Uuid) -> orgata_core::Result<()> {
                sqlx::query("DELETE FROM totp_factors WHERE user_id = $1").bind(user_id)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn use_totp_step(&mut self, user_id: uuid::Uuid, step: i64) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE totp_factors SET last_step = $2 WHERE user_id = $1 AND last_step < $2")
                    .bind(user_id).bind(step).execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn replace_recovery_codes(&mut self, user_id: uuid::Uuid, hashes: &[String]) -> orgata_core::Result<()> {
                use $crate::error::db_err;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *self.tx).await.map_err(db_err)?;
                for h in hashes {
                    sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                        .bind(user_id).bind(h).execute(&mut *self.tx).await.map_err(db_err)?;
                }
                Ok(())
            }

            async fn use_recovery_code(&mut self, user_id: uuid::Uuid, hash: &str) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
                    .bind(user_id).bind(hash).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            // ---------------- refresh tokens ----------------
            async fn insert_refresh_token(&mut self, r: &orgata_core::model::RefreshTokenRecord, hash: &str) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(r.id).bind(r.user_id).bind(r.family_id).bind(hash).bind(r.expires_at).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn refresh_token(&mut self, hash: &str) -> orgata_core::Result<Option<orgata_core::model::RefreshTokenRecord>> {
                let row = sqlx::query("SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1")
                    .bind(hash).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::refresh_token).transpose()
            }

            async fn use_refresh_token(&mut self, id: uuid::Uuid) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL")
                    .bind(id).bind(orgata_core::model::now()).execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_refresh_family(&mut self, family_id: uuid::Uuid) -> orgata_core::Result<()> {
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
                    .bind(family_id).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            // ---------------- personal access tokens ----------------
            async fn insert_personal_token(&mut self, t: &orgata_core::model::PersonalToken, hash: &str) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO personal_tokens (id, user_id, name, token_hash, scopes, team_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(t.id).bind(t.user_id).bind(&t.name).bind(hash).bind(sqlx::types::Json(&t.scopes)).bind(t.team_id).bind(t.expires_at).bind(t.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn personal_token_by_hash(&mut self, hash: &str) -> orgata_core::Result<Option<orgata_core::model::PersonalTokenRecord>> {
                let row = sqlx::query("SELECT * FROM personal_tokens WHERE token_hash = $1")
                    .bind(hash).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::personal_token).transpose()
            }

            async fn list_personal_tokens(&mut self, user_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::PersonalToken>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM personal_tokens WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(user_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT * FROM personal_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3")
                    .bind(user_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(|r| rows::personal_token(r).map(|t| t.token)).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn revoke_personal_token(&mut self, user_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE personal_tokens SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL")
                    .bind(user_id).bind(id).bind(orgata_core::model::now()).execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_personal_token(&mut self, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<()> {
                sqlx::query("UPDATE personal_tokens SET last_used_at = $2 WHERE id = $1").bind(id).bind(at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            // ---------------- organizations ----------------
            async fn insert_organization(&mut self, o: &orgata_core::model::Organization) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO organizations (id, name, domain, industry, size, compliance_requirements, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(o.id).bind(&o.name).bind(&o.domain).bind(&o.industry).bind(&o.size).bind(sqlx::types::Json(&o.compliance_requirements)).bind(o.created_at).bind(o.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn organization(&mut self, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Organization>> {
                let row = sqlx::query("SELECT * FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::organization).transpose()
            }

            async fn list_organizations(&mut self, user_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Organization>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM organization_members WHERE user_id = $1")
                    .bind(user_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT o.* FROM organizations o JOIN organization_members m ON m.organization_id = o.id WHERE m.user_id = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3")
                    .bind(user_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(rows::organization).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn put_organization_member(&mut self, org_id: uuid::Uuid, user_id: uuid::Uuid, role: &str) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (organization_id, user_id) DO NOTHING")
                    .bind(org_id).bind(user_id).bind(role)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn organization_role(&mut self, org_id: uuid::Uuid, user_id: uuid::Uuid) -> orgata_core::Result<Option<String>> {
                use sqlx::Row;
                let row = sqlx::query("SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2")
                    .bind(org_id).bind(user_id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<String, _>(0).map_err($crate::error::db_err)).transpose()
            }

            // ---------------- teams ----------------
            async fn insert_team(&mut self, t: &orgata_core::model::Team) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO teams (id, organization_id, name, description, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(t.id).bind(t.organization_id).bind(&t.name).bind(&t.description).bind(sqlx::types::Json(&t.settings)).bind(t.created_at).bind(t.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)?;
                sqlx::query("INSERT INTO event_chains (scope_id, last_seq, last_hash) VALUES ($1, 0, $2) ON CONFLICT (scope_id) DO NOTHING")
                    .bind(t.id).bind(orgata_core::chain::GENESIS_HASH)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn team(&mut self, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Team>> {
                let row = sqlx::query("SELECT * FROM teams WHERE id = $1 AND deleted_at IS NULL").bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::team).transpose()
            }

            async fn update_team(&mut self, t: &orgata_core::model::Team) -> orgata_core::Result<()> {
                sqlx::query("UPDATE teams SET name = $2, description = $3, settings = $4, updated_at = $5 WHERE id = $1 AND deleted_at IS NULL")
                    .bind(t.id).bind(&t.name).bind(&t.description).bind(sqlx::types::Json(&t.settings)).bind(t.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_team(&mut self, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<()> {
                use $crate::error::db_err;
                sqlx::query("UPDATE teams SET deleted_at = $2 WHERE id = $1").bind(id).bind(at).execute(&mut *self.tx).await.map_err(db_err)?;
                sqlx::query("UPDATE personal_tokens SET revoked_at = $2 WHERE team_id = $1 AND revoked_at IS NULL")
                    .bind(id).bind(at).execute(&mut *self.tx).await.map_err(db_err)?;
                sqlx::query("DELETE FROM invitations WHERE team_id = $1").bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                Ok(())
            }

            async fn list_teams(&mut self, user_id: uuid::Uuid, only: Option<uuid::Uuid>, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Team>> {
                use $crate::error::db_err;
                let filter = if only.is_some() { " AND t.id = $4" } else { "" };
                let from = format!("FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = $1 AND t.deleted_at IS NULL{filter}");
                let count_sql = format!("SELECT COUNT(*) {} AND $2 >= 0 AND $3 >= 0", from);
                let list_sql = format!("SELECT t.* {from} ORDER BY t.id DESC LIMIT $2 OFFSET $3");
                let mut count_q = sqlx::query(&count_sql).bind(user_id).bind(page.limit()).bind(page.offset());
                let mut list_q = sqlx::query(&list_sql).bind(user_id).bind(page.limit()).bind(page.offset());
                if let Some(team) = only {
                    count_q = count_q.bind(team);
                    list_q = list_q.bind(team);
                }
                let total = count_q.fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = list_q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(rows::team).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            // ---------------- members ----------------
            async fn insert_member(&mut self, team_id: uuid::Uuid, user_id: uuid::Uuid, role: orgata_core::access::AccessRole, roles: &[uuid::Uuid], at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO team_members (team_id, user_id, access_role, roles, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                    .bind(team_id).bind(user_id).bind(role.as_str()).bind(sqlx::types::Json(roles)).bind(at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn member(&mut self, team_id: uuid::Uuid, user_id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::TeamMember>> {
                let sql = format!("{MEMBER_SELECT} WHERE m.team_id = $1 AND m.user_id = $2");
                let row = sqlx::query(&sql).bind(team_id).bind(user_id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::member).transpose()
            }

            async fn list_members(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::TeamMember>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM team_members WHERE team_id = $1").bind(team_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let sql = format!("{MEMBER_SELECT} WHERE m.team_id = $1 ORDER BY m.joined_at DESC, m.user_id DESC LIMIT $2 OFFSET $3");
                let found = sqlx::query(&sql).bind(team_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(rows::member).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn update_member(&mut self, team_id: uuid::Uuid, user_id: uuid::Uuid, role: orgata_core::access::AccessRole, roles: &[uuid::Uuid]) -> orgata_core::Result<()> {
                sqlx::query("UPDATE team_members SET access_role = $3, roles = $4, updated_at = $5 WHERE team_id = $1 AND user_id = $2")
                    .bind(team_id).bind(user_id).bind(role.as_str()).bind(sqlx::types::Json(roles)).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_member(&mut self, team_id: uuid::Uuid, user_id: uuid::Uuid) -> orgata_core::Result<()> {
                use $crate::error::db_err;
                sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2").bind(team_id).bind(user_id).execute(&mut *self.tx).await.map_err(db_err)?;
                sqlx::query("UPDATE personal_tokens SET revoked_at = $3 WHERE team_id = $1 AND user_id = $2 AND revoked_at IS NULL")
                    .bind(team_id).bind(user_id).bind(orgata_core::model::now()).execute(&mut *self.tx).await.map_err(db_err)?;
                Ok(())
            }

            async fn count_owners(&mut self, team_id: uuid::Uuid) -> orgata_core::Result<i64> {
                let row = sqlx::query("SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND access_role = 'owner'")
                    .bind(team_id).fetch_one(&mut *self.tx).await.map_err($crate::error::db_err)?;
                rows::count(&row)
            }

            async fn memberships(&mut self, user_id: uuid::Uuid) -> orgata_core::Result<Vec<orgata_core::model::Membership>> {
                let found = sqlx::query("SELECT m.team_id, t.name AS team_name, t.organization_id, m.access_role, m.roles, m.joined_at \
                                         FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 AND t.deleted_at IS NULL ORDER BY m.joined_at DESC")
                    .bind(user_id).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(rows::membership).collect()
            }

            // ---------------- invitations ----------------
            async fn insert_invitation(&mut self, i: &orgata_core::model::Invitation) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO invitations (id, team_id, email, access_role, roles, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(i.id).bind(i.team_id).bind(&i.email).bind(i.access_role.as_str()).bind(sqlx::types::Json(&i.roles)).bind(i.invited_by).bind(i.created_at).bind(i.expires_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn list_invitations(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Invitation>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM invitations WHERE team_id = $1").bind(team_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT * FROM invitations WHERE team_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
                    .bind(team_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(rows::invitation).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn pending_invitation(&mut self, team_id: uuid::Uuid, email: &str) -> orgata_core::Result<Option<orgata_core::model::Invitation>> {
                let row = sqlx::query("SELECT * FROM invitations WHERE team_id = $1 AND email = $2")
                    .bind(team_id).bind(email).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::invitation).transpose()
            }

            async fn invitations_for_email(&mut self, email: &str, now: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<Vec<orgata_core::model::Invitation>> {
                let found = sqlx::query("SELECT * FROM invitations WHERE email = $1 AND expires_at > $2 ORDER BY id")
                    .bind(email).bind(now).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(rows::invitation).collect()
            }

            async fn delete_invitation(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<bool> {
                let done = sqlx::query("DELETE FROM invitations WHERE team_id = $1 AND id = $2").bind(team_id).bind(id)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            // ---------------- business roles ----------------
            async fn insert_role(&mut self, r: &orgata_core::model::Role) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO roles (id, team_id, name, description, functions, capabilities, hierarchy_level, reports_to, created_at, updated_at, hourly_cost) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(r.id).bind(r.team_id).bind(&r.name).bind(&r.description).bind(sqlx::types::Json(&r.functions)).bind(sqlx::types::Json(&r.capabilities))
                    .bind(r.hierarchy_level).bind(r.reports_to).bind(r.created_at).bind(r.updated_at).bind(r.hourly_cost)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn role(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Role>> {
                let row = sqlx::query("SELECT * FROM roles WHERE team_id = $1 AND id = $2").bind(team_id).bind(id)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(rows::role).transpose()
            }

            async fn list_roles(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Role>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM roles WHERE team_id = $1").bind(team_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT * FROM roles WHERE team_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
                    .bind(team_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(rows::role).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn update_role(&mut self, r: &orgata_core::model::Role) -> orgata_core::Result<()> {
                sqlx::query("UPDATE roles SET name = $3, description = $4, functions = $5, capabilities = $6, hierarchy_level = $7, reports_to = $8, updated_at = $9, hourly_cost = $10 \
                             WHERE team_id = $1 AND id = $2")
                    .bind(r.team_id).bind(r.id).bind(&r.name).bind(&r.description).bind(sqlx::types::Json(&r.functions)).bind(sqlx::types::Json(&r.capabilities))
                    .bind(r.hierarchy_level).bind(r.reports_to).bind(r.updated_at).bind(r.hourly_cost)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_role(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<()> {
                use sqlx::Row;
                use $crate::error::db_err;
                sqlx::query("UPDATE roles SET reports_to = NULL WHERE team_id = $1 AND reports_to = $2")
                    .bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                for (table, key) in [("team_members", "user_id"), ("invitations", "id")] {
                    let holders = sqlx::query(&format!("SELECT {key}, roles FROM {table} WHERE team_id = $1"))
                        .bind(team_id).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                    for h in holders {
                        let holder: uuid::Uuid = h.try_get(0).map_err(db_err)?;
                        let sqlx::types::Json(mut roles): sqlx::types::Json<Vec<uuid::Uuid>> = h.try_get(1).map_err(db_err)?;
                        if roles.contains(&id) {
                            roles.retain(|r| *r != id);
                            sqlx::query(&format!("UPDATE {table} SET roles = $3 WHERE team_id = $1 AND {key} = $2"))
                                .bind(team_id).bind(holder).bind(sqlx::types::Json(&roles)).execute(&mut *self.tx).await.map_err(db_err)?;
                        }
                    }
                }
                sqlx::query("DELETE FROM roles WHERE team_id = $1 AND id = $2").bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                Ok(())
            }

            async fn count_roles(&mut self, team_id: uuid::Uuid, ids: &[uuid::Uuid]) -> orgata_core::Result<i64> {
                if ids.is_empty() {
                    return Ok(0);
                }
                let params: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!("SELECT COUNT(*) FROM roles WHERE team_id = $1 AND id IN ({})", params.join(", "));
                let mut q = sqlx::query(&sql).bind(team_id);
                for id in ids {
                    q = q.bind(*id);
                }
                let row = q.fetch_one(&mut *self.tx).await.map_err($crate::error::db_err)?;
                rows::count(&row)
            }

            // ---------------- secrets ----------------
            async fn insert_secret(&mut self, team_id: uuid::Uuid, name: &str, ciphertext: &[u8], at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO team_secrets (team_id, name, ciphertext, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                    .bind(team_id).bind(name).bind(ciphertext).bind(at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn update_secret(&mut self, team_id: uuid::Uuid, name: &str, ciphertext: &[u8], at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<Option<chrono::DateTime<chrono::Utc>>> {
                use sqlx::Row;
                let row = sqlx::query("UPDATE team_secrets SET ciphertext = $3, updated_at = $4 WHERE team_id = $1 AND name = $2 RETURNING created_at")
                    .bind(team_id).bind(name).bind(ciphertext).bind(at).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get("created_at").map_err($crate::error::db_err)).transpose()
            }

            async fn delete_secret(&mut self, team_id: uuid::Uuid, name: &str) -> orgata_core::Result<bool> {
                let done = sqlx::query("DELETE FROM team_secrets WHERE team_id = $1 AND name = $2").bind(team_id).bind(name)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn list_secrets(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::SecretInfo>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM team_secrets WHERE team_id = $1").bind(team_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT name, created_at, updated_at FROM team_secrets WHERE team_id = $1 ORDER BY created_at DESC, name LIMIT $2 OFFSET $3")
                    .bind(team_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(|r| -> orgata_core::Result<_> {
                    Ok(orgata_core::model::SecretInfo {
                        name: r.try_get("name").map_err(db_err)?,
                        created_at: r.try_get("created_at").map_err(db_err)?,
                        updated_at: r.try_get("updated_at").map_err(db_err)?,
                    })
                }).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn secret_ciphertext(&mut self, team_id: uuid::Uuid, name: &str) -> orgata_core::Result<Option<Vec<u8>>> {
                use sqlx::Row;
                let row = sqlx::query("SELECT ciphertext FROM team_secrets WHERE team_id = $1 AND name = $2").bind(team_id).bind(name)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<Vec<u8>, _>(0).map_err($crate::error::db_err)).transpose()
            }

            // ---------------- events ----------------
            async fn append_event(&mut self, e: orgata_core::store::NewEvent) -> orgata_core::Result<orgata_core::model::Event> {
                use sqlx::Row;
                use $crate::error::db_err;
                sqlx::query("INSERT INTO event_chains (scope_id, last_seq, last_hash) VALUES ($1, 0, $2) ON CONFLICT (scope_id) DO NOTHING")
                    .bind(e.scope_id).bind(orgata_core::chain::GENESIS_HASH).execute(&mut *self.tx).await.map_err(db_err)?;
                let head = sqlx::query($lock_chain).bind(e.scope_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let last_seq: i64 = head.try_get(0).map_err(db_err)?;
                let prev_hash: String = head.try_get(1).map_err(db_err)?;
                let event = orgata_core::model::Event {
                    id: orgata_core::model::new_id(),
                    seq: last_seq + 1,
                    kind: e.kind,
                    version: 1,
                    team_id: e.team_id,
                    occurred_at: orgata_core::model::now(),
                    actor: e.actor,
                    entity: e.entity,
                    data: e.data,
                };
                let hash = orgata_core::chain::entry_hash(&prev_hash, e.scope_id, &event);
                sqlx::query("INSERT INTO events (id, scope_id, seq, team_id, type, version, occurred_at, actor_id, actor_type, entity_type, entity_id, data, \
                             request_id, ip_address, user_agent, via, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")
                    .bind(event.id).bind(e.scope_id).bind(event.seq).bind(event.team_id).bind(&event.kind).bind(event.version).bind(event.occurred_at)
                    .bind(event.actor.id).bind(event.actor.kind.as_str()).bind(&event.entity.kind).bind(event.entity.id).bind(sqlx::types::Json(&event.data))
                    .bind(&e.meta.request_id).bind(&e.meta.ip_address).bind(&e.meta.user_agent).bind(&e.meta.via).bind(&prev_hash).bind(&hash)
                    .execute(&mut *self.tx).await.map_err(db_err)?;
                sqlx::query($move_chain)
                    .bind(e.scope_id).bind(event.seq).bind(&hash).execute(&mut *self.tx).await.map_err(db_err)?;
                self.appended(orgata_core::store::EventSignal { scope_id: e.scope_id, seq: event.seq });
                Ok(event)
            }

            async fn list_audit(&mut self, team_id: uuid::Uuid, filter: &orgata_core::model::AuditFilter, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::AuditEntry>> {
                use $crate::error::db_err;
                let mut clauses = vec!["scope_id = $1".to_string()];
                let mut n = 3;
                if filter.entity_type.is_some() { n += 1; clauses.push(format!("entity_type = ${n}")); }
                if filter.entity_id.is_some() { n += 1; clauses.push(format!("entity_id = ${n}")); }
                if filter.actor_id.is_some() { n += 1; clauses.push(format!("actor_id = ${n}")); }
                let wher = clauses.join(" AND ");
                let count_sql = format!("SELECT COUNT(*) FROM events WHERE {wher} AND $2 >= 0 AND $3 >= 0");
                let list_sql = format!("{AUDIT_SELECT} WHERE {wher} ORDER BY seq DESC LIMIT $2 OFFSET $3");
                let mut results = Vec::new();
                for sql in [&count_sql, &list_sql] {
                    let mut q = sqlx::query(sql).bind(team_id).bind(page.limit()).bind(page.offset());
                    if let Some(v) = &filter.entity_type { q = q.bind(v.clone()); }
                    if let Some(v) = filter.entity_id { q = q.bind(v); }
                    if let Some(v) = filter.actor_id { q = q.bind(v); }
                    results.push(q.fetch_all(&mut *self.tx).await.map_err(db_err)?);
                }
                let total = rows::count(&results[0][0])?;
                let items = results[1].iter().map(rows::audit_entry).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: total, request: page })
            }

            async fn audit_segment(&mut self, scope_id: uuid::Uuid, after_seq: i64, limit: i64) -> orgata_core::Result<Vec<orgata_core::model::AuditEntry>> {
                let sql = format!("{AUDIT_SELECT} WHERE scope_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
                let found = sqlx::query(&sql).bind(scope_id).bind(after_seq).bind(limit)
                    .fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(rows::audit_entry).collect()
            }

            async fn chain_head(&mut self, scope_id: uuid::Uuid) -> orgata_core::Result<Option<(i64, String)>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("SELECT last_seq, last_hash FROM event_chains WHERE scope_id = $1").bind(scope_id)
                    .fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| Ok((r.try_get(0).map_err(db_err)?, r.try_get(1).map_err(db_err)?))).transpose()
            }

            // ---------------- idempotency ----------------
            async fn idempotency_record(&mut self, principal: &str, key: &str) -> orgata_core::Result<Option<orgata_core::store::IdempotencyRecord>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE principal = $1 AND key = $2")
                    .bind(principal).bind(key).fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| -> orgata_core::Result<_> {
                    let status: Option<i32> = r.try_get("status").map_err(db_err)?;
                    Ok(orgata_core::store::IdempotencyRecord {
                        request_hash: r.try_get("request_hash").map_err(db_err)?,
                        status: status.map(|s| s as u16),
                        response: r.try_get("response").map_err(db_err)?,
                        created_at: r.try_get("created_at").map_err(db_err)?,
                    })
                }).transpose()
            }

            async fn claim_idempotency_key(&mut self, principal: &str, key: &str, request_hash: &str, at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<bool> {
                let done = sqlx::query("INSERT INTO idempotency_keys (principal, key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (principal, key) DO NOTHING")
                    .bind(principal).bind(key).bind(request_hash).bind(at).execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn complete_idempotency_key(&mut self, principal: &str, key: &str, status: u16, response: &[u8]) -> orgata_core::Result<()> {
                sqlx::query("UPDATE idempotency_keys SET status = $3, response = $4 WHERE principal = $1 AND key = $2")
                    .bind(principal).bind(key).bind(status as i32).bind(response)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn release_idempotency_key(&mut self, principal: &str, key: &str) -> orgata_core::Result<()> {
                sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2").bind(principal).bind(key)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn purge_idempotency_keys(&mut self, before: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<u64> {
                let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected())
            }
        }
    };
}
