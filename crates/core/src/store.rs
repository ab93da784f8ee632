//! The storage port. `orgata-store` implements it for SQLite and PostgreSQL.
//!
//! Every use case opens one transaction (`Store::begin` to write, `Store::read` to read), calls
//! the operations it needs, appends its events, and commits: state and events land together.
//! Every operation on team data takes the team id, so no query can cross teams by accident.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::AccessRole;
use crate::error::Result;
use crate::model::*;
use crate::page::{Page, PageRequest};

/// Where a request came from, recorded with the events it causes.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The door and client the request came through when not plain REST, e.g.
    /// `MCP (claude-code 1.2)`.
    pub via: Option<String>,
}

/// An event to append to a chain (a team's, or a user's own for account events).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub scope_id: Uuid,
    pub team_id: Option<Uuid>,
    pub kind: String,
    pub actor: EventActor,
    pub entity: EventEntity,
    pub data: serde_json::Value,
    pub meta: RequestMeta,
}

/// A stored answer to a request with an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    /// `None` while the first request is still being answered.
    pub status: Option<u16>,
    pub response: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
}

/// A database backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A transaction for writing (on SQLite, writers take turns).
    async fn begin(&self) -> Result<Box<dyn Tx>>;
    /// A transaction for reading only.
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Which backend this is: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Connection pool figures `(size, idle)` for metrics.
    fn pool_stats(&self) -> (u32, u32);
    /// Signals of committed events, from every node of the deployment (PostgreSQL relays
    /// them with `LISTEN/NOTIFY`). A signal may be late, repeated or lost: readers read the log
    /// from where they stopped, and read it again now and then.
    fn event_signals(&self) -> tokio::sync::broadcast::Receiver<EventSignal>;
}

/// That a chain has events up to `seq`, committed. A nil `scope_id` means "some signals may
/// have been missed": every reader should look at the log again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSignal {
    pub scope_id: Uuid,
    pub seq: i64,
}

/// How many signals a slow reader may fall behind before it is told it lagged (and reads the
/// log again).
pub const EVENT_SIGNAL_BUFFER: usize = 1024;

/// One open transaction. Dropped without `commit`, it rolls back.
#[async_trait]
pub trait Tx: DefinitionTx + ExecutionTx + AnalyticsTx + ReportTx + WebhookTx + Send {
    async fn commit(self: Box<Self>) -> Result<()>;

    // --- server keys ---
    /// The key stored under `name`, storing `candidate` first when there is none.
    async fn server_key(&mut self, name: &str, candidate: &[u8]) -> Result<Vec<u8>>;

    // --- users and sign-in identities ---
    async fn insert_user(&mut self, user: &User) -> Result<()>;
    async fn user(&mut self, id: Uuid) -> Result<Option<User>>;
    async fn user_by_email(&mut self, email: &str) -> Result<Option<User>>;
    async fn set_user_mfa(&mut self, id: Uuid, enabled: bool) -> Result<()>;
    async fn insert_identity(&mut self, identity: &Identity) -> Result<()>;
    async fn identity(&mut self, provider: &str, subject: &str) -> Result<Option<Identity>>;

    // --- TOTP and recovery codes ---
    async fn put_totp(&mut self, record: &TotpRecord) -> Result<()>;
    async fn totp(&mut self, user_id: Uuid) -> Result<Option<TotpRecord>>;
    async fn delete_totp(&mut self, user_id: Uuid) -> Result<()>;
    /// Records `step` as used; false when it (or a later one) was used already.
    async fn use_totp_step(&mut self, user_id: Uuid, step: i64) -> Result<bool>;
    async fn replace_recovery_codes(&mut self, user_id: Uuid, hashes: &[String]) -> Result<()>;
    /// Marks a recovery code used; false when there is no such unused code.
    async fn use_recovery_code(&mut self, user_id: Uuid, hash: &str) -> Result<bool>;

    // --- refresh tokens ---
    async fn insert_refresh_token(&mut self, record: &RefreshTokenRecord, hash: &str)
        -> Result<()>;
    async fn refresh_token(&mut self, hash: &str) -> Result<Option<RefreshTokenRecord>>;
    /// Marks it used; false when it was used or revoked already.
    async fn use_refresh_token(&mut self, id: Uuid) -> Result<bool>;
    async fn revoke_refresh_family(&mut self, family_id: Uuid) -> Result<()>;

    // --- personal access tokens ---
    async fn insert_personal_token(&mut self, token: &PersonalToken, hash: &str) -> Result<()>;
    async fn personal_token_by_hash(&mut self, hash: &str) -> Result<Option<PersonalTokenRecord>>;
    async fn list_personal_tokens(
        &mut self,
        user_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<PersonalToken>>;
    /// False when the user has no such live token.
    async fn revoke_personal_token(&mut self, user_id: Uuid, id: Uuid) -> Result<bool>;
    async fn touch_personal_token(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<()>;

    // --- organizations ---
    async fn insert_organization(&mut self, org: &Organization) -> Result<()>;
    async fn organization(&mut self, id: Uuid) -> Result<Option<Organization>>;
    async fn list_organizations(
        &mut self,
        user_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Organization>>;
    async fn put_organization_member(
        &mut self,
        org_id: Uuid,
        user_id: Uuid,
        role: &str,
    ) -> Result<()>;
    async fn organization_role(&mut self, org_id: Uuid, user_id: Uuid) -> Result<Option<String>>;

    // --- teams ---
    async fn insert_team(&mut self, team: &Team) -> Result<()>;
    async fn team(&mut self, id: Uuid) -> Result<Option<Team>>;
    async fn update_team(&mut self, team: &Team) -> Result<()>;
    async fn delete_team(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<()>;
    /// The user's teams (only `only` when the token is bound to one team).
    async fn list_teams(
        &mut self,
        user_id: Uuid,
        only: Option<Uuid>,
        page: PageRequest,
    ) -> Result<Page<Team>>;

    // --- members ---
    async fn insert_member(
        &mut self,
        team_id: Uuid,
        user_id: Uuid,
        role: AccessRole,
        roles: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn member(&mut self, team_id: Uuid, user_id: Uuid) -> Result<Option<TeamMember>>;
    async fn list_members(&mut self, team_id: Uuid, page: PageRequest) -> Result<Page<TeamMember>>;
    async fn update_member(
        &mut self,
        team_id: Uuid,
        user_id: Uuid,
        role: AccessRole,
        roles: &[Uuid],
    ) -> Result<()>;
    async fn delete_member(&mut self, team_id: Uuid, user_id: Uuid) -> Result<()>;
    async fn count_owners(&mut self, team_id: Uuid) -> Result<i64>;
    async fn memberships(&mut self, user_id: Uuid) -> Result<Vec<Membership>>;

    // --- invitations ---
    async fn insert_invitation(&mut self, invitation: &Invitation) -> Result<()>;
    async fn list_invitations(
        &mut self,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Invitation>>;
    async fn pending_invitation(
        &mut self,
        team_id: Uuid,
        email: &str,
    ) -> Result<Option<Invitation>>;
    async fn invitations_for_email(
        &mut self,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>>;
    async fn delete_invitation(&mut self, team_id: Uuid, id: Uuid) -> Result<bool>;

    // --- business roles ---
    async fn insert_role(&mut self, role: &Role) -> Result<()>;
    async fn role(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Role>>;
    async fn list_roles(&mut self, team_id: Uuid, page: PageRequest) -> Result<Page<Role>>;
    async fn update_role(&mut self, role: &Role) -> Result<()>;
    async fn delete_role(&mut self, team_id: Uuid, id: Uuid) -> Result<()>;
    /// How many of `ids` are roles of the team.
    async fn count_roles(&mut self, team_id: Uuid, ids: &[Uuid]) -> Result<i64>;

    // --- secrets ---
    async fn insert_secret(
        &mut self,
        team_id: Uuid,
        name: &str,
        ciphertext: &[u8],
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Replaces a secret's value; answers when it was created, or `None` when there is none.
    async fn update_secret(
        &mut self,
        team_id: Uuid,
        name: &str,
        ciphertext: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>>;
    async fn delete_secret(&mut self, team_id: Uuid, name: &str) -> Result<bool>;
    async fn list_secrets(&mut self, team_id: Uuid, page: PageRequest) -> Result<Page<SecretInfo>>;
    async fn secret_ciphertext(&mut self, team_id: Uuid, name: &str) -> Result<Option<Vec<u8>>>;

    // --- the event log and audit chain ---
    /// Appends to the event's chain under the chain's lock: gap-free `seq`, linked hash.
    async fn append_event(&mut self, event: NewEvent) -> Result<Event>;
    async fn list_audit(
        &mut self,
        team_id: Uuid,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>>;
    /// Up to `limit` entries of a chain after `after_seq`, in `seq` order.
    async fn audit_segment(
        &mut self,
        scope_id: Uuid,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
    /// `(last_seq, last_hash)` of a chain.
    async fn chain_head(&mut self, scope_id: Uuid) -> Result<Option<(i64, String)>>;

    // --- idempotency keys ---
    async fn idempotency_record(
        &mut self,
        principal: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>>;
    /// Claims the key for a first request; false when it is taken.
    async fn claim_idempotency_key(
        &mut self,
        principal: &str,
        key: &str,
        request_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    async fn complete_idempotency_key(
        &mut self,
        principal: &str,
        key: &str,
        status: u16,
        response: &[u8],
    ) -> Result<()>;
    async fn release_idempotency_key(&mut self, principal: &str, key: &str) -> Result<()>;
    async fn purge_idempotency_keys(&mut self, before: DateTime<Utc>) -> Result<u64>;
}

/// Versioned definitions: snapshots, commits and branches.
#[async_trait]
pub trait DefinitionTx: Send {
    /// Creates the branch unless it exists.
    async fn ensure_branch(
        &mut self,
        team_id: Uuid,
        name: &str,
        kind: &str,
        created_by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The branch's head (`Some(None)`: a branch without commits), locking the branch row
    /// until the transaction ends when `lock` (PostgreSQL).
    async fn branch_head(
        &mut self,
        team_id: Uuid,
        name: &str,
        lock: bool,
    ) -> Result<Option<Option<String>>>;
    /// Moves the branch from `old` to `new`; false when it is no longer at `old`.
    async fn move_branch(
        &mut self,
        team_id: Uuid,
        name: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<bool>;
    async fn put_snapshot(
        &mut self,
        team_id: Uuid,
        hash: &str,
        kind: &str,
        body: &serde_json::Value,
    ) -> Result<()>;
    async fn snapshot(&mut self, team_id: Uuid, hash: &str) -> Result<Option<serde_json::Value>>;
    async fn insert_commit(
        &mut self,
        commit: &Commit,
        tree: &crate::versioning::Tree,
    ) -> Result<()>;
    async fn commit(
        &mut self,
        team_id: Uuid,
        id: &str,
    ) -> Result<Option<(Commit, crate::versioning::Tree)>>;
    /// The ids of the commits that changed an entity, on any branch.
    async fn entity_commit_ids(&mut self, team_id: Uuid, entity_id: Uuid) -> Result<Vec<String>>;
    /// A commit without its tree.
    async fn commit_meta(&mut self, team_id: Uuid, id: &str) -> Result<Option<Commit>>;
    /// Every commit of the team as `(id, parents, created_at)`.
    async fn commit_graph(
        &mut self,
        team_id: Uuid,
    ) -> Result<Vec<(String, Vec<String>, DateTime<Utc>)>>;
    /// Every branch of the team, by name (`protected` is left false).
    async fn branches(&mut self, team_id: Uuid) -> Result<Vec<Branch>>;
    /// One branch, its row locked until the transaction ends when `lock` (PostgreSQL).
    async fn branch(&mut self, team_id: Uuid, name: &str, lock: bool) -> Result<Option<Branch>>;
    /// Creates a branch, or replaces an abandoned one of that name; false when an active one
    /// exists.
    async fn insert_branch(&mut self, branch: &Branch) -> Result<bool>;
    async fn set_branch_status(
        &mut self,
        team_id: Uuid,
        name: &str,
        status: BranchStatus,
    ) -> Result<()>;
    async fn put_merge_draft(&mut self, draft: &MergeDraftRecord) -> Result<()>;
    async fn merge_draft(
        &mut self,
        team_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<MergeDraftRecord>>;
    async fn put_proposal(&mut self, proposal: &ProposalRecord) -> Result<()>;
    async fn proposal(
        &mut self,
        team_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<ProposalRecord>>;
    /// Proposals, newest first, with the stored status among `statuses` (all when empty).
    async fn proposals(
        &mut self,
        team_id: Uuid,
        statuses: &[ProposalStatus],
        page: PageRequest,
    ) -> Result<Page<ProposalRecord>>;
    /// Sets (or with `None` removes) a branch's protection.
    async fn put_protection(
        &mut self,
        team_id: Uuid,
        branch: &str,
        protection: Option<&BranchProtection>,
    ) -> Result<()>;
    async fn protection(&mut self, team_id: Uuid, branch: &str)
        -> Result<Option<BranchProtection>>;
    /// How many instances of a playbook are running or paused (each on its pinned version).
    async fn live_instances(&mut self, team_id: Uuid, playbook_id: Uuid) -> Result<i64>;
}

/// Process instances, step executions, tasks, exceptions and jobs.
#[async_trait]
pub trait ExecutionTx: Send {
    async fn insert_instance(
        &mut self,
        instance: &ProcessInstance,
        playbook_hash: &str,
    ) -> Result<()>;
    /// Writes the instance's own fields (not its executions).
    async fn update_instance(&mut self, instance: &ProcessInstance) -> Result<()>;
    /// The instance with its executions and its playbook snapshot hash; with `lock`, its row
    /// stays locked until the transaction ends, so commands on one instance take turns.
    async fn instance(
        &mut self,
        team_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<(ProcessInstance, String)>>;
    async fn list_instances(
        &mut self,
        team_id: Uuid,
        filter: &InstanceFilter,
        page: PageRequest,
    ) -> Result<Page<ProcessInstance>>;
    /// Whether a live instance of the playbook has this business key.
    async fn business_key_live(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        key: &str,
    ) -> Result<bool>;
    /// Inserts or updates a step execution.
    async fn put_execution(&mut self, team_id: Uuid, execution: &StepExecution) -> Result<()>;
    /// Sets the hash of an execution's callback token.
    async fn set_callback(&mut self, execution_id: Uuid, token_hash: &str) -> Result<()>;
    /// `(team_id, instance_id, execution_id)` of the execution with this callback token hash,
    /// and clears it (a token is used once).
    async fn take_callback(&mut self, token_hash: &str) -> Result<Option<(Uuid, Uuid, Uuid)>>;

    async fn insert_task(&mut self, task: &Task) -> Result<()>;
    async fn update_task(&mut self, task: &Task) -> Result<()>;
    async fn task(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Task>>;
    async fn list_tasks(
        &mut self,
        team_id: Uuid,
        filter: &TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>>;
    async fn execution_tasks(&mut self, team_id: Uuid, execution_id: Uuid) -> Result<Vec<Task>>;
    async fn insert_comment(&mut self, team_id: Uuid, comment: &TaskComment) -> Result<()>;
    async fn list_comments(
        &mut self,
        team_id: Uuid,
        task_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<TaskComment>>;

    async fn insert_exception(&mut self, exception: &ProcessException) -> Result<()>;
    async fn update_exception(&mut self, exception: &ProcessException) -> Result<()>;
    async fn exception(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<ProcessException>>;
    async fn list_exceptions(
        &mut self,
        team_id: Uuid,
        instance_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<ProcessException>>;

    async fn insert_job(&mut self, job: &Job) -> Result<()>;
    /// Cancels the queued jobs of an execution.
    async fn cancel_jobs(&mut self, execution_id: Uuid) -> Result<()>;
    /// Leases up to `limit` due jobs to `node` until `lease_until`. On PostgreSQL, rows
    /// another node is claiming are skipped (`FOR UPDATE SKIP LOCKED`).
    async fn claim_jobs(
        &mut self,
        node: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Job>>;
    /// Ends a job `node` holds (`done`, `failed` or `cancelled`); false when it no longer
    /// holds it.
    async fn finish_job(&mut self, id: Uuid, node: &str, status: &str) -> Result<bool>;
    /// Puts a job `node` holds back in the queue for another attempt.
    async fn retry_job(
        &mut self,
        id: Uuid,
        node: &str,
        run_at: DateTime<Utc>,
        attempts: i32,
        error: &str,
    ) -> Result<bool>;
}

/// Execution history for analytics, and imported history.
#[async_trait]
pub trait AnalyticsTx: Send {
    /// The instances `filter` selects, each with its step executions (ordered by id).
    async fn history(
        &mut self,
        team_id: Uuid,
        filter: &crate::analytics::import::HistoryFilter,
    ) -> Result<Vec<crate::analytics::history::Case>>;
    /// Writes imported cases of `playbook_id`, started by `user_id`, each with its events (from
    /// which its runs are read). They are pinned to their version by
    /// [`AnalyticsTx::finish_import`] once it is known.
    async fn insert_history(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        user_id: Uuid,
        batch: &crate::analytics::import::ImportBatch,
    ) -> Result<()>;
    /// Ends an import into `playbook_id`: its cases are instances pinned to `version` (whose
    /// snapshot of the playbook is `hash`). A backend may have held them apart until now.
    async fn finish_import(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        version: &str,
        hash: &str,
    ) -> Result<()>;
    /// Records when work on an execution started, the first time only.
    async fn mark_work_started(&mut self, execution_id: Uuid, at: DateTime<Utc>) -> Result<()>;
    /// The team's tasks that are open now or were completed in `[from, to)`, with when work on
    /// their step execution started.
    async fn task_history(
        &mut self,
        team_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::analytics::people::TaskRecord>>;
}

/// Reports, their executions with their outputs, and dashboards.
#[async_trait]
pub trait ReportTx: Send {
    async fn insert_report(&mut self, report: &Report) -> Result<()>;
    async fn report(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Report>>;
    /// Newest first.
    async fn list_reports(&mut self, team_id: Uuid, page: PageRequest) -> Result<Page<Report>>;
    async fn update_report(&mut self, report: &Report) -> Result<()>;
    /// Deletes a report with its executions; false when there was none.
    async fn delete_report(&mut self, team_id: Uuid, id: Uuid) -> Result<bool>;

    async fn insert_report_execution(&mut self, execution: &ReportExecution) -> Result<()>;
    async fn report_execution(
        &mut self,
        team_id: Uuid,
        id: Uuid,
    ) -> Result<Option<ReportExecution>>;
    /// A report's executions, newest first.
    async fn list_report_executions(
        &mut self,
        team_id: Uuid,
        report_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<ReportExecution>>;
    /// A report's executions still pending.
    async fn pending_report_executions(
        &mut self,
        team_id: Uuid,
        report_id: Uuid,
    ) -> Result<Vec<ReportExecution>>;
    /// Records how an execution ended, with its output when it completed.
    async fn finish_report_execution(
        &mut self,
        execution: &ReportExecution,
        output: Option<&[u8]>,
    ) -> Result<()>;
    /// A completed execution's output.
    async fn report_output(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Vec<u8>>>;

    async fn insert_dashboard(&mut self, dashboard: &Dashboard) -> Result<()>;
    async fn dashboard(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Dashboard>>;
    /// Newest first.
    async fn list_dashboards(
        &mut self,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Dashboard>>;
    async fn update_dashboard(&mut self, dashboard: &Dashboard) -> Result<()>;
    /// False when there was none.
    async fn delete_dashboard(&mut self, team_id: Uuid, id: Uuid) -> Result<bool>;
}

/// Webhooks, their deliveries, and how far each team's events have been fanned out to them.
#[async_trait]
pub trait WebhookTx: Send {
    async fn insert_webhook(&mut self, webhook: &Webhook, sealed_secret: &[u8]) -> Result<()>;
    async fn webhook(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Webhook>>;
    /// The sealed signing secret.
    async fn webhook_secret(&mut self, team_id: Uuid, id: Uuid) -> Result<Option<Vec<u8>>>;
    /// Newest first.
    async fn list_webhooks(&mut self, team_id: Uuid, page: PageRequest) -> Result<Page<Webhook>>;
    /// Every webhook of a team (fan-out reads them all).
    async fn team_webhooks(&mut self, team_id: Uuid) -> Result<Vec<Webhook>>;
    async fn update_webhook(&mut self, webhook: &Webhook) -> Result<()>;
    /// Deletes a webhook with its deliveries; false when there was none.
    async fn delete_webhook(&mut self, team_id: Uuid, id: Uuid) -> Result<bool>;

    /// Inserts a delivery unless the webhook already has one for that event (false then).
    async fn insert_delivery(&mut self, delivery: &WebhookDelivery) -> Result<bool>;
    /// A delivery; with `lock`, locked until the transaction ends (two replays take turns).
    async fn delivery(
        &mut self,
        team_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<WebhookDelivery>>;
    /// A webhook's deliveries, newest first.
    async fn list_deliveries(
        &mut self,
        team_id: Uuid,
        webhook_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<WebhookDelivery>>;
    async fn update_delivery(&mut self, delivery: &WebhookDelivery) -> Result<()>;

    /// The last event fanned out to the team's webhooks, locked until the transaction ends
    /// (one node fans out a team's events at a time); `None` before the first webhook.
    async fn lock_webhook_cursor(&mut self, team_id: Uuid) -> Result<Option<i64>>;
    async fn set_webhook_cursor(&mut self, team_id: Uuid, seq: i64) -> Result<()>;
    /// Teams whose chain has moved past their webhook cursor.
    async fn teams_behind_webhooks(&mut self) -> Result<Vec<Uuid>>;
}
