//! Every use case of the service: authentication, authorization, validation, the transaction
//! and the events it writes. Doors call these and nothing else.

mod accounts;
pub mod analytics;
mod audit;
mod branches;
mod dashboards;
pub mod definitions;
pub mod events;
mod exceptions;
pub mod idempotency;
mod instances;
mod jobs;
mod library;
mod login_guard;
mod members;
mod merges;
mod mfa;
mod organizations;
mod proposals;
pub mod reports;
mod roles;
mod secrets;
mod tasks;
mod teams;
mod tokens;
pub mod webhooks;

pub use branches::{Comparison, RefPoint};
pub use instances::{InstanceCommand, StepCommand};
pub use login_guard::LoginGuard;

use std::sync::Arc;
use uuid::Uuid;

use crate::access::{AccessRole, Permission, TokenScope};
use crate::auth::jwt::JwtKeys;
use crate::crypto::MasterKey;
use crate::error::{Error, Result};
use crate::model::{ActorType, EventActor, EventEntity, Team, User, UserKind};
use crate::store::{NewEvent, RequestMeta, Store, Tx};

/// Lifetimes and limits of the use cases.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub invitation_ttl_days: i64,
    /// Refuse loopback and private addresses as webhook targets (SSRF on shared hosts).
    pub webhooks_deny_private: bool,
    /// Live event readers read the log again this often even without a signal.
    pub events_recheck: std::time::Duration,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            invitation_ttl_days: 14,
            webhooks_deny_private: false,
            events_recheck: std::time::Duration::from_secs(5),
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A JWT access token from a login.
    Session,
    /// A personal access token (agents' tokens are these too).
    PersonalToken {
        id: Uuid,
        scopes: Vec<TokenScope>,
        team_id: Option<Uuid>,
    },
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub credential: Credential,
}

impl Actor {
    /// The most a token lets its user act as, whatever their role.
    pub fn role_cap(&self) -> AccessRole {
        match &self.credential {
            Credential::PersonalToken { scopes, .. } if !scopes.is_empty() => scopes
                .iter()
                .map(|s| s.role_cap())
                .max()
                .unwrap_or(AccessRole::Viewer),
            _ => AccessRole::Owner,
        }
    }

    /// The one team a token is bound to, if any.
    pub fn bound_team(&self) -> Option<Uuid> {
        match &self.credential {
            Credential::PersonalToken { team_id, .. } => *team_id,
            Credential::Session => None,
        }
    }

    /// Whether this credential may manage the account itself (tokens, second factor).
    pub fn may_manage_account(&self) -> bool {
        self.bound_team().is_none()
            && self.role_cap() == AccessRole::Owner
            && self.user.kind == UserKind::Human
    }

    fn event_actor(&self) -> EventActor {
        let kind = match self.user.kind {
            UserKind::Human => ActorType::User,
            UserKind::Agent => ActorType::Agent,
        };
        EventActor {
            id: Some(self.user.id),
            kind,
        }
    }
}

/// An authenticated request: who asks and where from.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub meta: RequestMeta,
}

impl Ctx {
    /// An event on a team's chain.
    pub(crate) fn team_event(
        &self,
        team_id: Uuid,
        kind: &str,
        entity: (&str, Uuid),
        data: serde_json::Value,
    ) -> NewEvent {
        event(
            team_id,
            Some(team_id),
            kind,
            self.actor.event_actor(),
            entity,
            data,
            &self.meta,
        )
    }

    /// An event on the caller's own account chain.
    pub(crate) fn account_event(
        &self,
        kind: &str,
        entity: (&str, Uuid),
        data: serde_json::Value,
    ) -> NewEvent {
        event(
            self.actor.user.id,
            None,
            kind,
            self.actor.event_actor(),
            entity,
            data,
            &self.meta,
        )
    }
}

pub(crate) fn event(
    scope_id: Uuid,
    team_id: Option<Uuid>,
    kind: &str,
    actor: EventActor,
    entity: (&str, Uuid),
    data: serde_json::Value,
    meta: &RequestMeta,
) -> NewEvent {
    NewEvent {
        scope_id,
        team_id,
        kind: kind.to_string(),
        actor,
        entity: EventEntity {
            kind: entity.0.to_string(),
            id: entity.1,
        },
        data,
        meta: meta.clone(),
    }
}

/// The team and the caller's effective access role in it.
#[derive(Debug, Clone)]
pub struct TeamAccess {
    pub team: Team,
    pub role: AccessRole,
}

/// The use cases, over one store.
pub struct Services {
    store: Arc<dyn Store>,
    jwt: JwtKeys,
    master: MasterKey,
    config: ServiceConfig,
    login_guard: LoginGuard,
    clock: Arc<dyn crate::clock::Clock>,
    /// Pinned definitions by (team, playbook, commit): commits never change, so every command
    /// on an instance reuses the one read when it was first needed.
    pinned: definitions::PinnedCache,
    history: analytics::HistoryCache,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// Name under which the token-signing key is kept when none is configured.
const JWT_KEY_NAME: &str = "jwt_hs256";

impl Services {
    /// Builds the services. Without `jwt_secret`, the signing key is generated once and kept in
    /// the database, so every node sharing it accepts every node's tokens.
    pub async fn new(
        store: Arc<dyn Store>,
        master: MasterKey,
        jwt_secret: Option<Vec<u8>>,
        config: ServiceConfig,
    ) -> Result<Self> {
        let secret = match jwt_secret {
            Some(s) => s,
            None => {
                use rand::RngCore;
                let mut candidate = vec![0u8; 64];
                rand::rngs::OsRng.fill_bytes(&mut candidate);
                let mut tx = store.begin().await?;
                let key = tx.server_key(JWT_KEY_NAME, &candidate).await?;
                tx.commit().await?;
                key
            }
        };
        let jwt = JwtKeys::new(&secret, config.access_token_ttl_secs);
        Ok(Self {
            store,
            jwt,
            master,
            config,
            login_guard: LoginGuard::default(),
            clock: Arc::new(crate::clock::SystemClock),
            pinned: Default::default(),
            history: Default::default(),
        })
    }

    /// The same services reading time from `clock` (tests reach due dates with it).
    pub fn with_clock(mut self, clock: Arc<dyn crate::clock::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current time as the engine sees it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    /// The backend's name and connection pool figures `(size, idle)`.
    pub fn pool_stats(&self) -> (&'static str, u32, u32) {
        let (size, idle) = self.store.pool_stats();
        (self.store.backend(), size, idle)
    }

    /// Checks that the caller may act on the team with `permission`. A team the caller is not
    /// in (or that their token is not bound to) answers 404, as if it did not exist.
    pub(crate) async fn team_access(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        team_id: Uuid,
        permission: Permission,
    ) -> Result<TeamAccess> {
        if actor.bound_team().is_some_and(|t| t != team_id) {
            return Err(Error::not_found("team"));
        }
        let team = tx
            .team(team_id)
            .await?
            .ok_or_else(|| Error::not_found("team"))?;
        let member = tx
            .member(team_id, actor.user.id)
            .await?
            .ok_or_else(|| Error::not_found("team"))?;
        let role = member.access_role.min(actor.role_cap());
        if !permission.allowed_for(role) {
            return Err(Error::forbidden(format!(
                "this needs the {} access role or higher; you act as {}",
                permission.minimum_role().as_str(),
                role.as_str()
            )));
        }
        Ok(TeamAccess { team, role })
    }

    /// Checks access before a request body is read: authentication, then authorization.
    pub async fn authorize(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        permission: Permission,
    ) -> Result<AccessRole> {
        let mut tx = self.store.read().await?;
        Ok(self
            .team_access(tx.as_mut(), &ctx.actor, team_id, permission)
            .await?
            .role)
    }
}
