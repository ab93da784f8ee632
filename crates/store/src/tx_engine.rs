//! The SQL of definitions (snapshots, commits, branches) and of the engine (instances,
//! executions, tasks, exceptions, jobs), written once and expanded for each backend.

/// Implements `DefinitionTx` and `ExecutionTx` for `$tx`. `for_update` locks a selected row
/// (empty on SQLite, whose writers take turns anyway); `skip_locked` makes job claims skip
/// rows another node is claiming.
#[macro_export]
#[doc(hidden)]
macro_rules! tx_engine_impl {
    ($tx:ident, $db:ty, $row:ty, for_update = $for_update:expr, skip_locked = $skip_locked:expr) => {
        mod engine_rows {
            use orgata_core::model::*;
            use orgata_core::Result;
            use serde_json::Value;
            use sqlx::types::Json;
            use sqlx::Row;

            use $crate::error::{corrupt, db_err};

            type R = $row;

            fn get<'r, T: sqlx::Decode<'r, $db> + sqlx::Type<$db>>(r: &'r R, col: &str) -> Result<T> {
                r.try_get(col).map_err(db_err)
            }

            fn json<T: serde::de::DeserializeOwned>(r: &R, col: &str) -> Result<T> {
                let Json(v): Json<T> = get(r, col)?;
                Ok(v)
            }

            fn opt_json(r: &R, col: &str) -> Result<Option<Value>> {
                let v: Option<Json<Value>> = get(r, col)?;
                Ok(v.map(|j| j.0))
            }

            fn parse<T>(r: &R, col: &str, f: fn(&str) -> Option<T>) -> Result<T> {
                let text: String = get(r, col)?;
                f(&text).ok_or_else(|| corrupt(col, &text))
            }

            pub fn commit(r: &R) -> Result<Commit> {
                Ok(Commit {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    parents: json(r, "parents")?,
                    author_id: get(r, "author_id")?,
                    message: get(r, "message")?,
                    changes: json(r, "changes")?,
                    created_at: get(r, "created_at")?,
                })
            }

            pub fn branch(r: &R) -> Result<Branch> {
                let team_id = get(r, "team_id")?;
                let name: String = get(r, "name")?;
                Ok(Branch {
                    id: orgata_core::versioning::branch_id(team_id, &name),
                    team_id,
                    name,
                    kind: parse(r, "type", BranchType::parse)?,
                    base_branch: get(r, "base_branch")?,
                    description: get(r, "description")?,
                    status: parse(r, "status", BranchStatus::parse)?,
                    head: get(r, "head")?,
                    protected: false,
                    created_by: get(r, "created_by")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn instance(r: &R) -> Result<ProcessInstance> {
                Ok(ProcessInstance {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    playbook_id: get(r, "playbook_id")?,
                    playbook_version: get(r, "playbook_version")?,
                    name: get(r, "name")?,
                    status: parse(r, "status", InstanceStatus::parse)?,
                    business_key: get(r, "business_key")?,
                    current_step_id: get(r, "current_step_id")?,
                    initiated_by: get(r, "initiated_by")?,
                    variables: json(r, "variables")?,
                    reason: get(r, "reason")?,
                    start_time: get(r, "start_time")?,
                    end_time: get(r, "end_time")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                    trial: get::<String>(r, "started_from")? != "main",
                    started_from: get(r, "started_from")?,
                    step_executions: Vec::new(),
                })
            }

            pub fn execution(r: &R) -> Result<StepExecution> {
                Ok(StepExecution {
                    id: get(r, "id")?,
                    process_instance_id: get(r, "process_instance_id")?,
                    step_id: get(r, "step_id")?,
                    iteration: get(r, "iteration")?,
                    status: parse(r, "status", StepStatus::parse)?,
                    assigned_to: get(r, "assigned_to")?,
                    input_data: json(r, "input_data")?,
                    output_data: opt_json(r, "output_data")?,
                    reason: get(r, "reason")?,
                    completed_by: get(r, "completed_by")?,
                    start_time: get(r, "start_time")?,
                    end_time: get(r, "end_time")?,
                    due_at: get(r, "due_at")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn task(r: &R) -> Result<Task> {
                let priority: String = get(r, "priority")?;
                Ok(Task {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    process_instance_id: get(r, "process_instance_id")?,
                    step_execution_id: get(r, "step_execution_id")?,
                    step_id: get(r, "step_id")?,
                    title: get(r, "title")?,
                    description: get(r, "description")?,
                    kind: parse(r, "type", TaskType::parse)?,
                    priority: serde_json::from_value(Value::String(priority.clone())).map_err(|_| corrupt("priority", &priority))?,
                    status: parse(r, "status", TaskStatus::parse)?,
                    assigned_to: get(r, "assigned_to")?,
                    assigned_role: get(r, "assigned_role")?,
                    assigned_by: get(r, "assigned_by")?,
                    due_date: get(r, "due_date")?,
                    tags: json(r, "tags")?,
                    context: json(r, "context")?,
                    output: opt_json(r, "output")?,
                    completed_by: get(r, "completed_by")?,
                    completed_at: get(r, "completed_at")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            pub fn comment(r: &R) -> Result<TaskComment> {
                Ok(TaskComment {
                    id: get(r, "id")?,
                    task_id: get(r, "task_id")?,
                    author_id: get(r, "author_id")?,
                    body: get(r, "body")?,
                    created_at: get(r, "created_at")?,
                })
            }

            pub fn exception(r: &R) -> Result<ProcessException> {
                let strategy: Option<String> = get(r, "resolution_strategy")?;
                Ok(ProcessException {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    process_instance_id: get(r, "process_instance_id")?,
                    step_execution_id: get(r, "step_execution_id")?,
                    step_id: get(r, "step_id")?,
                    kind: parse(r, "type", ExceptionType::parse)?,
                    severity: parse(r, "severity", Severity::parse)?,
                    message: get(r, "message")?,
                    context: json(r, "context")?,
                    handled: get(r, "handled")?,
                    resolution_strategy: strategy.map(|s| Strategy::parse(&s).ok_or_else(|| corrupt("strategy", &s))).transpose()?,
                    resolution: opt_json(r, "resolution")?,
                    resolved_by: get(r, "resolved_by")?,
                    resolved_at: get(r, "resolved_at")?,
                    created_at: get(r, "created_at")?,
                })
            }

            pub fn job(r: &R) -> Result<Job> {
                Ok(Job {
                    id: get(r, "id")?,
                    team_id: get(r, "team_id")?,
                    process_instance_id: get(r, "process_instance_id")?,
                    step_execution_id: get(r, "step_execution_id")?,
                    kind: get(r, "kind")?,
                    run_at: get(r, "run_at")?,
                    attempts: get(r, "attempts")?,
                    max_attempts: get(r, "max_attempts")?,
                    last_error: get(r, "last_error")?,
                })
            }
        }

        const INSTANCE_COLUMNS: &str = "id, team_id, playbook_id, playbook_version, name, status, business_key, current_step_id, initiated_by, \
             variables, reason, start_time, end_time, created_at, updated_at, started_from";
        const JOB_COLUMNS: &str = "id, team_id, process_instance_id, step_execution_id, kind, run_at, attempts, max_attempts, last_error";

        #[async_trait::async_trait]
        impl orgata_core::store::DefinitionTx for $tx {
            async fn ensure_branch(&mut self, team_id: uuid::Uuid, name: &str, kind: &str, created_by: Option<uuid::Uuid>, at: chrono::DateTime<chrono::Utc>) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO branches (team_id, name, type, head, created_by, created_at, updated_at) VALUES ($1, $2, $3, NULL, $4, $5, $5) \
                             ON CONFLICT (team_id, name) DO NOTHING")
                    .bind(team_id).bind(name).bind(kind).bind(created_by).bind(at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn branch_head(&mut self, team_id: uuid::Uuid, name: &str, lock: bool) -> orgata_core::Result<Option<Option<String>>> {
                use sqlx::Row;
                let sql = format!("SELECT head FROM branches WHERE team_id = $1 AND name = $2{}", if lock { $for_update } else { "" });
                let row = sqlx::query(&sql).bind(team_id).bind(name).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<Option<String>, _>(0).map_err($crate::error::db_err)).transpose()
            }

            async fn move_branch(&mut self, team_id: uuid::Uuid, name: &str, old: Option<&str>, new: &str) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE branches SET head = $3, updated_at = $5 WHERE team_id = $1 AND name = $2 AND \
                                        ((head IS NULL AND $4 IS NULL) OR head = $4)")
                    .bind(team_id).bind(name).bind(new).bind(old).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn put_snapshot(&mut self, team_id: uuid::Uuid, hash: &str, kind: &str, body: &serde_json::Value) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO snapshots (team_id, hash, kind, body) VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, hash) DO NOTHING")
                    .bind(team_id).bind(hash).bind(kind).bind(sqlx::types::Json(body))
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn snapshot(&mut self, team_id: uuid::Uuid, hash: &str) -> orgata_core::Result<Option<serde_json::Value>> {
                use sqlx::Row;
                let row = sqlx::query("SELECT body FROM snapshots WHERE team_id = $1 AND hash = $2").bind(team_id).bind(hash)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<sqlx::types::Json<serde_json::Value>, _>(0).map(|j| j.0).map_err($crate::error::db_err)).transpose()
            }

            async fn insert_commit(&mut self, c: &orgata_core::model::Commit, tree: &orgata_core::versioning::Tree) -> orgata_core::Result<()> {
                use $crate::error::db_err;
                sqlx::query("INSERT INTO commits (team_id, id, parents, author_id, message, changes, tree, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(c.team_id).bind(&c.id).bind(sqlx::types::Json(&c.parents)).bind(c.author_id).bind(&c.message)
                    .bind(sqlx::types::Json(&c.changes)).bind(sqlx::types::Json(tree)).bind(c.created_at)
                    .execute(&mut *self.tx).await.map_err(db_err)?;
                for change in &c.changes {
                    sqlx::query("INSERT INTO definition_changes (team_id, entity_id, commit_id, kind, op, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(c.team_id).bind(change.id).bind(&c.id).bind(&change.kind).bind(&change.op).bind(c.created_at)
                        .execute(&mut *self.tx).await.map_err(db_err)?;
                }
                Ok(())
            }

            async fn commit(&mut self, team_id: uuid::Uuid, id: &str) -> orgata_core::Result<Option<(orgata_core::model::Commit, orgata_core::versioning::Tree)>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("SELECT * FROM commits WHERE team_id = $1 AND id = $2").bind(team_id).bind(id)
                    .fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| -> orgata_core::Result<_> {
                    let tree: sqlx::types::Json<orgata_core::versioning::Tree> = r.try_get("tree").map_err(db_err)?;
                    Ok((engine_rows::commit(&r)?, tree.0))
                }).transpose()
            }

            async fn entity_commit_ids(&mut self, team_id: uuid::Uuid, entity_id: uuid::Uuid) -> orgata_core::Result<Vec<String>> {
                use sqlx::Row;
                let rows = sqlx::query("SELECT commit_id FROM definition_changes WHERE team_id = $1 AND entity_id = $2")
                    .bind(team_id).bind(entity_id).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                rows.iter().map(|r| r.try_get::<String, _>(0).map_err($crate::error::db_err)).collect()
            }

            async fn commit_meta(&mut self, team_id: uuid::Uuid, id: &str) -> orgata_core::Result<Option<orgata_core::model::Commit>> {
                let row = sqlx::query("SELECT id, team_id, parents, author_id, message, changes, created_at FROM commits WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(engine_rows::commit).transpose()
            }

            async fn commit_graph(&mut self, team_id: uuid::Uuid) -> orgata_core::Result<Vec<(String, Vec<String>, chrono::DateTime<chrono::Utc>)>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let rows = sqlx::query("SELECT id, parents, created_at FROM commits WHERE team_id = $1")
                    .bind(team_id).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                rows.iter().map(|r| {
                    let parents: sqlx::types::Json<Vec<String>> = r.try_get(1).map_err(db_err)?;
                    Ok((r.try_get(0).map_err(db_err)?, parents.0, r.try_get(2).map_err(db_err)?))
                }).collect()
            }

            async fn branches(&mut self, team_id: uuid::Uuid) -> orgata_core::Result<Vec<orgata_core::model::Branch>> {
                let rows = sqlx::query("SELECT * FROM branches WHERE team_id = $1 ORDER BY name")
                    .bind(team_id).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                rows.iter().map(engine_rows::branch).collect()
            }

            async fn branch(&mut self, team_id: uuid::Uuid, name: &str, lock: bool) -> orgata_core::Result<Option<orgata_core::model::Branch>> {
                let sql = format!("SELECT * FROM branches WHERE team_id = $1 AND name = $2{}", if lock { $for_update } else { "" });
                let row = sqlx::query(&sql).bind(team_id).bind(name).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(engine_rows::branch).transpose()
            }

            async fn insert_branch(&mut self, b: &orgata_core::model::Branch) -> orgata_core::Result<bool> {
                let done = sqlx::query("INSERT INTO branches (team_id, name, type, head, description, status, created_by, created_at, updated_at, base_branch) \
                                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) \
                                        ON CONFLICT (team_id, name) DO UPDATE SET type = excluded.type, head = excluded.head, description = excluded.description, \
                                        status = excluded.status, created_by = excluded.created_by, created_at = excluded.created_at, updated_at = excluded.updated_at, \
                                        base_branch = excluded.base_branch WHERE branches.status = 'abandoned'")
                    .bind(b.team_id).bind(&b.name).bind(b.kind.as_str()).bind(&b.head).bind(&b.description).bind(b.status.as_str())
                    .bind(b.created_by).bind(b.created_at).bind(&b.base_branch)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_branch_status(&mut self, team_id: uuid::Uuid, name: &str, status: orgata_core::model::BranchStatus) -> orgata_core::Result<()> {
                sqlx::query("UPDATE branches SET status = $3, updated_at = $4 WHERE team_id = $1 AND name = $2")
                    .bind(team_id).bind(name).bind(status.as_str()).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn put_merge_draft(&mut self, d: &orgata_core::model::MergeDraftRecord) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO merge_drafts (team_id, id, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (team_id, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at")
                    .bind(d.team_id).bind(d.id).bind(sqlx::types::Json(d)).bind(d.created_at).bind(d.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn merge_draft(&mut self, team_id: uuid::Uuid, id: uuid::Uuid, lock: bool) -> orgata_core::Result<Option<orgata_core::model::MergeDraftRecord>> {
                use sqlx::Row;
                let sql = format!("SELECT body FROM merge_drafts WHERE team_id = $1 AND id = $2{}", if lock { $for_update } else { "" });
                let row = sqlx::query(&sql).bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<sqlx::types::Json<orgata_core::model::MergeDraftRecord>, _>(0).map(|j| j.0).map_err($crate::error::db_err)).transpose()
            }

            async fn put_proposal(&mut self, p: &orgata_core::model::ProposalRecord) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO change_proposals (team_id, id, status, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (team_id, id) DO UPDATE SET status = excluded.status, body = excluded.body, updated_at = excluded.updated_at")
                    .bind(p.team_id).bind(p.id).bind(p.status.as_str()).bind(sqlx::types::Json(p)).bind(p.created_at).bind(p.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn proposal(&mut self, team_id: uuid::Uuid, id: uuid::Uuid, lock: bool) -> orgata_core::Result<Option<orgata_core::model::ProposalRecord>> {
                use sqlx::Row;
                let sql = format!("SELECT body FROM change_proposals WHERE team_id = $1 AND id = $2{}", if lock { $for_update } else { "" });
                let row = sqlx::query(&sql).bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<sqlx::types::Json<orgata_core::model::ProposalRecord>, _>(0).map(|j| j.0).map_err($crate::error::db_err)).transpose()
            }

            async fn proposals(&mut self, team_id: uuid::Uuid, statuses: &[orgata_core::model::ProposalStatus], page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::ProposalRecord>> {
                use sqlx::Row;
                use $crate::error::db_err;
                // Statuses are enum names, never caller text, so they are written into the query.
                let filter = if statuses.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
                    format!(" AND status IN ({})", names.join(", "))
                };
                let total = sqlx::query(&format!("SELECT COUNT(*) FROM change_proposals WHERE team_id = $1{filter}"))
                    .bind(team_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let rows = sqlx::query(&format!("SELECT body FROM change_proposals WHERE team_id = $1{filter} ORDER BY id DESC LIMIT $2 OFFSET $3"))
                    .bind(team_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = rows.iter()
                    .map(|r| r.try_get::<sqlx::types::Json<orgata_core::model::ProposalRecord>, _>(0).map(|j| j.0).map_err(db_err))
                    .collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn put_protection(&mut self, team_id: uuid::Uuid, branch: &str, p: Option<&orgata_core::model::BranchProtection>) -> orgata_core::Result<()> {
                let query = match p {
                    Some(p) => sqlx::query("INSERT INTO branch_protections (team_id, branch, body) VALUES ($1, $2, $3) \
                                            ON CONFLICT (team_id, branch) DO UPDATE SET body = excluded.body")
                        .bind(team_id).bind(branch).bind(sqlx::types::Json(p)),
                    None => sqlx::query("DELETE FROM branch_protections WHERE team_id = $1 AND branch = $2").bind(team_id).bind(branch),
                };
                query.execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn protection(&mut self, team_id: uuid::Uuid, branch: &str) -> orgata_core::Result<Option<orgata_core::model::BranchProtection>> {
                use sqlx::Row;
                let row = sqlx::query("SELECT body FROM branch_protections WHERE team_id = $1 AND branch = $2")
                    .bind(team_id).bind(branch).fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.map(|r| r.try_get::<sqlx::types::Json<orgata_core::model::BranchProtection>, _>(0).map(|j| j.0).map_err($crate::error::db_err)).transpose()
            }

            async fn live_instances(&mut self, team_id: uuid::Uuid, playbook_id: uuid::Uuid) -> orgata_core::Result<i64> {
                let row = sqlx::query("SELECT COUNT(*) FROM process_instances WHERE team_id = $1 AND playbook_id = $2 \
                                       AND status IN ('running', 'paused')")
                    .bind(team_id).bind(playbook_id).fetch_one(&mut *self.tx).await.map_err($crate::error::db_err)?;
                rows::count(&row)
            }
        }

        #[async_trait::async_trait]
        impl orgata_core::store::ExecutionTx for $tx {
            async fn insert_instance(&mut self, i: &orgata_core::model::ProcessInstance, playbook_hash: &str) -> orgata_core::Result<()> {
                let sql = format!("INSERT INTO process_instances ({INSTANCE_COLUMNS}, playbook_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)");
                sqlx::query(&sql)
                    .bind(i.id).bind(i.team_id).bind(i.playbook_id).bind(&i.playbook_version).bind(&i.name).bind(i.status.as_str())
                    .bind(&i.business_key).bind(&i.current_step_id).bind(i.initiated_by).bind(sqlx::types::Json(&i.variables)).bind(&i.reason)
                    .bind(i.start_time).bind(i.end_time).bind(i.created_at).bind(i.updated_at).bind(&i.started_from).bind(playbook_hash)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn update_instance(&mut self, i: &orgata_core::model::ProcessInstance) -> orgata_core::Result<()> {
                sqlx::query("UPDATE process_instances SET name = $3, status = $4, current_step_id = $5, variables = $6, reason = $7, start_time = $8, \
                             end_time = $9, updated_at = $10 WHERE team_id = $1 AND id = $2")
                    .bind(i.team_id).bind(i.id).bind(&i.name).bind(i.status.as_str()).bind(&i.current_step_id).bind(sqlx::types::Json(&i.variables))
                    .bind(&i.reason).bind(i.start_time).bind(i.end_time).bind(i.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn instance(&mut self, team_id: uuid::Uuid, id: uuid::Uuid, lock: bool) -> orgata_core::Result<Option<(orgata_core::model::ProcessInstance, String)>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let sql = format!("SELECT {INSTANCE_COLUMNS}, playbook_hash FROM process_instances WHERE team_id = $1 AND id = $2{}", if lock { $for_update } else { "" });
                let Some(row) = sqlx::query(&sql).bind(team_id).bind(id).fetch_optional(&mut *self.tx).await.map_err(db_err)? else {
                    return Ok(None);
                };
                let mut instance = engine_rows::instance(&row)?;
                let hash: String = row.try_get("playbook_hash").map_err(db_err)?;
                let execs = sqlx::query("SELECT * FROM step_executions WHERE process_instance_id = $1 ORDER BY created_at, id")
                    .bind(id).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                instance.step_executions = execs.iter().map(engine_rows::execution).collect::<orgata_core::Result<_>>()?;
                if instance.step_executions.is_empty() && instance.status == orgata_core::model::InstanceStatus::Completed {
                    // An imported case: its executions are read from its kept events.
                    let events: Option<String> = sqlx::query_scalar("SELECT CAST(events AS TEXT) FROM history_traces WHERE process_instance_id = $1")
                        .bind(id).fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                    if let Some(events) = events {
                        let runs = orgata_core::analytics::import::imported_runs(id, &events)
                            .map_err(|e| $crate::error::corrupt("trace", &e.to_string()))?;
                        instance.step_executions = runs.into_iter().map(|r| r.execution(id)).collect();
                        instance.step_executions.sort_by_key(|e| (e.created_at, e.id));
                    }
                }
                Ok(Some((instance, hash)))
            }

            async fn list_instances(&mut self, team_id: uuid::Uuid, filter: &orgata_core::model::InstanceFilter, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::ProcessInstance>> {
                use $crate::error::db_err;
                let mut clauses = vec!["team_id = $1".to_string()];
                let mut n = 3;
                if filter.status.is_some() { n += 1; clauses.push(format!("status = ${n}")); }
                if filter.process_id.is_some() { n += 1; clauses.push(format!("playbook_id = ${n}")); }
                if filter.business_key.is_some() { n += 1; clauses.push(format!("business_key = ${n}")); }
                if !filter.ids.is_empty() {
                    let params: Vec<String> = (n + 1..=n + filter.ids.len()).map(|i| format!("${i}")).collect();
                    clauses.push(format!("id IN ({})", params.join(", ")));
                }
                let wher = clauses.join(" AND ");
                let count_sql = format!("SELECT COUNT(*) FROM process_instances WHERE {wher} AND $2 >= 0 AND $3 >= 0");
                let list_sql = format!("SELECT {INSTANCE_COLUMNS} FROM process_instances WHERE {wher} ORDER BY id DESC LIMIT $2 OFFSET $3");
                let mut results = Vec::new();
                for sql in [&count_sql, &list_sql] {
                    let mut q = sqlx::query(sql).bind(team_id).bind(page.limit()).bind(page.offset());
                    if let Some(v) = filter.status { q = q.bind(v.as_str()); }
                    if let Some(v) = filter.process_id { q = q.bind(v); }
                    if let Some(v) = &filter.business_key { q = q.bind(v.clone()); }
                    for id in &filter.ids { q = q.bind(*id); }
                    results.push(q.fetch_all(&mut *self.tx).await.map_err(db_err)?);
                }
                let total = rows::count(&results[0][0])?;
                let items = results[1].iter().map(engine_rows::instance).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: total, request: page })
            }

            async fn business_key_live(&mut self, team_id: uuid::Uuid, playbook_id: uuid::Uuid, key: &str) -> orgata_core::Result<bool> {
                let row = sqlx::query("SELECT COUNT(*) FROM process_instances WHERE team_id = $1 AND playbook_id = $2 AND business_key = $3 \
                                       AND status IN ('not_started', 'running', 'paused')")
                    .bind(team_id).bind(playbook_id).bind(key).fetch_one(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(rows::count(&row)? > 0)
            }

            async fn put_execution(&mut self, team_id: uuid::Uuid, e: &orgata_core::model::StepExecution) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO step_executions (id, team_id, process_instance_id, step_id, iteration, status, assigned_to, input_data, output_data, \
                             reason, completed_by, start_time, end_time, due_at, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                             ON CONFLICT (id) DO UPDATE SET status = excluded.status, assigned_to = excluded.assigned_to, input_data = excluded.input_data, \
                             output_data = excluded.output_data, reason = excluded.reason, completed_by = excluded.completed_by, start_time = excluded.start_time, \
                             end_time = excluded.end_time, due_at = excluded.due_at, updated_at = excluded.updated_at")
                    .bind(e.id).bind(team_id).bind(e.process_instance_id).bind(&e.step_id).bind(e.iteration).bind(e.status.as_str()).bind(e.assigned_to)
                    .bind(sqlx::types::Json(&e.input_data)).bind(e.output_data.as_ref().map(sqlx::types::Json)).bind(&e.reason).bind(e.completed_by)
                    .bind(e.start_time).bind(e.end_time).bind(e.due_at).bind(e.created_at).bind(e.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn set_callback(&mut self, execution_id: uuid::Uuid, token_hash: &str) -> orgata_core::Result<()> {
                sqlx::query("UPDATE step_executions SET callback_hash = $2 WHERE id = $1").bind(execution_id).bind(token_hash)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn take_callback(&mut self, token_hash: &str) -> orgata_core::Result<Option<(uuid::Uuid, uuid::Uuid, uuid::Uuid)>> {
                use sqlx::Row;
                use $crate::error::db_err;
                let row = sqlx::query("UPDATE step_executions SET callback_hash = NULL WHERE callback_hash = $1 RETURNING team_id, process_instance_id, id")
                    .bind(token_hash).fetch_optional(&mut *self.tx).await.map_err(db_err)?;
                row.map(|r| Ok((r.try_get(0).map_err(db_err)?, r.try_get(1).map_err(db_err)?, r.try_get(2).map_err(db_err)?))).transpose()
            }

            async fn insert_task(&mut self, t: &orgata_core::model::Task) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO tasks (id, team_id, process_instance_id, step_execution_id, step_id, title, description, type, priority, status, \
                             assigned_to, assigned_role, assigned_by, due_date, tags, context, output, completed_by, completed_at, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)")
                    .bind(t.id).bind(t.team_id).bind(t.process_instance_id).bind(t.step_execution_id).bind(&t.step_id).bind(&t.title).bind(&t.description)
                    .bind(t.kind.as_str()).bind(priority_text(t.priority)).bind(t.status.as_str()).bind(t.assigned_to).bind(t.assigned_role).bind(t.assigned_by)
                    .bind(t.due_date).bind(sqlx::types::Json(&t.tags)).bind(sqlx::types::Json(&t.context)).bind(t.output.as_ref().map(sqlx::types::Json))
                    .bind(t.completed_by).bind(t.completed_at).bind(t.created_at).bind(t.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn update_task(&mut self, t: &orgata_core::model::Task) -> orgata_core::Result<()> {
                sqlx::query("UPDATE tasks SET title = $3, description = $4, priority = $5, status = $6, assigned_to = $7, assigned_by = $8, due_date = $9, \
                             output = $10, completed_by = $11, completed_at = $12, updated_at = $13 WHERE team_id = $1 AND id = $2")
                    .bind(t.team_id).bind(t.id).bind(&t.title).bind(&t.description).bind(priority_text(t.priority)).bind(t.status.as_str())
                    .bind(t.assigned_to).bind(t.assigned_by).bind(t.due_date).bind(t.output.as_ref().map(sqlx::types::Json)).bind(t.completed_by)
                    .bind(t.completed_at).bind(t.updated_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn task(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Task>> {
                let row = sqlx::query("SELECT * FROM tasks WHERE team_id = $1 AND id = $2").bind(team_id).bind(id)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(engine_rows::task).transpose()
            }

            async fn list_tasks(&mut self, team_id: uuid::Uuid, filter: &orgata_core::model::TaskFilter, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Task>> {
                use $crate::error::db_err;
                let mut clauses = vec!["team_id = $1".to_string()];
                let mut n = 3;
                if filter.status.is_some() { n += 1; clauses.push(format!("status = ${n}")); }
                if filter.assigned_to.is_some() { n += 1; clauses.push(format!("assigned_to = ${n}")); }
                if filter.process_instance_id.is_some() { n += 1; clauses.push(format!("process_instance_id = ${n}")); }
                if !filter.process_instance_ids.is_empty() {
                    let params: Vec<String> = (n + 1..=n + filter.process_instance_ids.len()).map(|i| format!("${i}")).collect();
                    n += filter.process_instance_ids.len();
                    clauses.push(format!("process_instance_id IN ({})", params.join(", ")));
                }
                if filter.role.is_some() { n += 1; clauses.push(format!("assigned_role = ${n}")); }
                if filter.kind.is_some() { n += 1; clauses.push(format!("type = ${n}")); }
                if filter.open_only { clauses.push("status IN ('open', 'in_progress', 'escalated')".to_string()); }
                if let Some((_, roles)) = &filter.workable_by {
                    n += 1;
                    // Tasks of agent steps carry the tag `step_type:agent` (tags are a JSON array).
                    let unassigned = match filter.agent_steps {
                        None => "(assigned_to IS NULL AND assigned_role IS NULL)",
                        Some(true) => "(assigned_to IS NULL AND assigned_role IS NULL AND CAST(tags AS TEXT) LIKE '%\"step_type:agent\"%')",
                        Some(false) => "(assigned_to IS NULL AND assigned_role IS NULL AND CAST(tags AS TEXT) NOT LIKE '%\"step_type:agent\"%')",
                    };
                    let mut any = vec![format!("assigned_to = ${n}"), unassigned.to_string()];
                    let first = n + 1;
                    n += roles.len();
                    if !roles.is_empty() {
                        let params: Vec<String> = (first..=n).map(|i| format!("${i}")).collect();
                        any.push(format!("(assigned_to IS NULL AND assigned_role IN ({}))", params.join(", ")));
                    }
                    clauses.push(format!("({})", any.join(" OR ")));
                }
                let wher = clauses.join(" AND ");
                let count_sql = format!("SELECT COUNT(*) FROM tasks WHERE {wher} AND $2 >= 0 AND $3 >= 0");
                let list_sql = format!("SELECT * FROM tasks WHERE {wher} ORDER BY id DESC LIMIT $2 OFFSET $3");
                let mut results = Vec::new();
                for sql in [&count_sql, &list_sql] {
                    let mut q = sqlx::query(sql).bind(team_id).bind(page.limit()).bind(page.offset());
                    if let Some(v) = filter.status { q = q.bind(v.as_str()); }
                    if let Some(v) = filter.assigned_to { q = q.bind(v); }
                    if let Some(v) = filter.process_instance_id { q = q.bind(v); }
                    for id in &filter.process_instance_ids { q = q.bind(*id); }
                    if let Some(v) = filter.role { q = q.bind(v); }
                    if let Some(v) = filter.kind { q = q.bind(v.as_str()); }
                    if let Some((user, roles)) = &filter.workable_by {
                        q = q.bind(*user);
                        for r in roles { q = q.bind(*r); }
                    }
                    results.push(q.fetch_all(&mut *self.tx).await.map_err(db_err)?);
                }
                let total = rows::count(&results[0][0])?;
                let items = results[1].iter().map(engine_rows::task).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: total, request: page })
            }

            async fn execution_tasks(&mut self, team_id: uuid::Uuid, execution_id: uuid::Uuid) -> orgata_core::Result<Vec<orgata_core::model::Task>> {
                let found = sqlx::query("SELECT * FROM tasks WHERE team_id = $1 AND step_execution_id = $2 ORDER BY id")
                    .bind(team_id).bind(execution_id).fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(engine_rows::task).collect()
            }

            async fn insert_comment(&mut self, team_id: uuid::Uuid, c: &orgata_core::model::TaskComment) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO task_comments (id, team_id, task_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(c.id).bind(team_id).bind(c.task_id).bind(c.author_id).bind(&c.body).bind(c.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn list_comments(&mut self, team_id: uuid::Uuid, task_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::TaskComment>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM task_comments WHERE team_id = $1 AND task_id = $2")
                    .bind(team_id).bind(task_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT * FROM task_comments WHERE team_id = $1 AND task_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4")
                    .bind(team_id).bind(task_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(engine_rows::comment).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn insert_exception(&mut self, x: &orgata_core::model::ProcessException) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO process_exceptions (id, team_id, process_instance_id, step_execution_id, step_id, type, severity, message, context, \
                             handled, resolution_strategy, resolution, resolved_by, resolved_at, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
                    .bind(x.id).bind(x.team_id).bind(x.process_instance_id).bind(x.step_execution_id).bind(&x.step_id).bind(x.kind.as_str())
                    .bind(x.severity.as_str()).bind(&x.message).bind(sqlx::types::Json(&x.context)).bind(x.handled)
                    .bind(x.resolution_strategy.map(|s| s.as_str())).bind(x.resolution.as_ref().map(sqlx::types::Json)).bind(x.resolved_by)
                    .bind(x.resolved_at).bind(x.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn update_exception(&mut self, x: &orgata_core::model::ProcessException) -> orgata_core::Result<()> {
                sqlx::query("UPDATE process_exceptions SET handled = $3, resolution_strategy = $4, resolution = $5, resolved_by = $6, resolved_at = $7 \
                             WHERE team_id = $1 AND id = $2")
                    .bind(x.team_id).bind(x.id).bind(x.handled).bind(x.resolution_strategy.map(|s| s.as_str()))
                    .bind(x.resolution.as_ref().map(sqlx::types::Json)).bind(x.resolved_by).bind(x.resolved_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn exception(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::ProcessException>> {
                let row = sqlx::query("SELECT * FROM process_exceptions WHERE team_id = $1 AND id = $2").bind(team_id).bind(id)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                row.as_ref().map(engine_rows::exception).transpose()
            }

            async fn list_exceptions(&mut self, team_id: uuid::Uuid, instance_id: uuid::Uuid, page: orgata_core::page::PageRequest) -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::ProcessException>> {
                use $crate::error::db_err;
                let total = sqlx::query("SELECT COUNT(*) FROM process_exceptions WHERE team_id = $1 AND process_instance_id = $2")
                    .bind(team_id).bind(instance_id).fetch_one(&mut *self.tx).await.map_err(db_err)?;
                let found = sqlx::query("SELECT * FROM process_exceptions WHERE team_id = $1 AND process_instance_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4")
                    .bind(team_id).bind(instance_id).bind(page.limit()).bind(page.offset()).fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let items = found.iter().map(engine_rows::exception).collect::<orgata_core::Result<_>>()?;
                Ok(orgata_core::page::Page { items, total_count: rows::count(&total)?, request: page })
            }

            async fn insert_job(&mut self, j: &orgata_core::model::Job) -> orgata_core::Result<()> {
                let now = orgata_core::model::now();
                sqlx::query("INSERT INTO jobs (id, team_id, process_instance_id, step_execution_id, kind, status, run_at, attempts, max_attempts, last_error, \
                             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9, $10, $10)")
                    .bind(j.id).bind(j.team_id).bind(j.process_instance_id).bind(j.step_execution_id).bind(&j.kind).bind(j.run_at)
                    .bind(j.attempts).bind(j.max_attempts).bind(&j.last_error).bind(now)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn cancel_jobs(&mut self, execution_id: uuid::Uuid) -> orgata_core::Result<()> {
                sqlx::query("UPDATE jobs SET status = 'cancelled', updated_at = $2 WHERE step_execution_id = $1 AND status = 'queued'")
                    .bind(execution_id).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn claim_jobs(&mut self, node: &str, now: chrono::DateTime<chrono::Utc>, lease_until: chrono::DateTime<chrono::Utc>, limit: i64) -> orgata_core::Result<Vec<orgata_core::model::Job>> {
                let sql = format!("UPDATE jobs SET locked_by = $1, locked_until = $3, attempts = attempts + 1, updated_at = $2 WHERE id IN \
                                   (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $2 AND (locked_until IS NULL OR locked_until < $2) \
                                   ORDER BY run_at LIMIT $4{}) RETURNING {JOB_COLUMNS}", $skip_locked);
                let found = sqlx::query(&sql).bind(node).bind(now).bind(lease_until).bind(limit)
                    .fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                found.iter().map(engine_rows::job).collect()
            }

            async fn finish_job(&mut self, id: uuid::Uuid, node: &str, status: &str) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE jobs SET status = $3, locked_by = NULL, locked_until = NULL, updated_at = $4 WHERE id = $1 AND locked_by = $2 AND status = 'queued'")
                    .bind(id).bind(node).bind(status).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn retry_job(&mut self, id: uuid::Uuid, node: &str, run_at: chrono::DateTime<chrono::Utc>, attempts: i32, error: &str) -> orgata_core::Result<bool> {
                let done = sqlx::query("UPDATE jobs SET run_at = $3, attempts = $4, last_error = $5, locked_by = NULL, locked_until = NULL, updated_at = $6 \
                                        WHERE id = $1 AND locked_by = $2 AND status = 'queued'")
                    .bind(id).bind(node).bind(run_at).bind(attempts).bind(error).bind(orgata_core::model::now())
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }
        }

        fn priority_text(p: orgata_core::model::TaskPriority) -> &'static str {
            use orgata_core::model::TaskPriority::*;
            match p { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
        }
    };
}
