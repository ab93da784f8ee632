//! Playbooks, documents and business rules: read at a ref, saved as commits on a branch.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::engine::definition::{normalize, Known};
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;
use crate::versioning::{
    commit_change, content_hash, is_branch_name, is_commit_id, CommitMeta, DefKind, Tree, TreeEntry,
};

/// The default branch.
pub const MAIN: &str = "main";

/// A ref resolved for reading: the tree of the commit it points at (empty on a branch
/// without commits).
pub(crate) struct Resolved {
    /// The commit the ref points at (none on a branch without commits).
    pub commit: Option<String>,
    pub tree: Tree,
}

/// A definition read at a ref.
pub(crate) struct Entry<T> {
    pub id: Uuid,
    pub body: T,
    pub at: TreeEntry,
}

fn check_ref(reference: &str) -> Result<()> {
    if is_commit_id(reference) || is_branch_name(reference) {
        Ok(())
    } else {
        Err(Error::invalid(
            "/ref",
            "invalid_ref",
            "must be a branch name (^[a-z0-9][a-z0-9._-]{0,99}$) or a commit id",
        ))
    }
}

/// Adds a problem at `field` unless `name` is a branch name; whether it is one.
pub(crate) fn branch_name_problem(v: &mut Violations, field: &str, name: &str) -> bool {
    let valid = is_branch_name(name);
    if !valid {
        v.add(
            field,
            "invalid_branch_name",
            "must match ^[a-z0-9][a-z0-9._-]{0,99}$ and not be 64 hex digits (a commit id)",
        );
    }
    valid
}

/// 422 at `field` unless `name` is a branch name.
pub(crate) fn check_branch_name(field: &str, name: &str) -> Result<()> {
    let mut v = Violations::new();
    branch_name_problem(&mut v, field, name);
    v.finish()
}

impl Services {
    /// A ref named in a request body at `field`: 422 there when it is malformed, 404 when no
    /// such branch or commit exists.
    pub(crate) async fn resolve_body_ref(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        reference: &str,
        field: &str,
    ) -> Result<Resolved> {
        self.resolve_ref(tx, team_id, Some(reference))
            .await
            .map_err(|e| match e.code() {
                crate::ErrorCode::ValidationFailed => {
                    Error::invalid(field, "invalid_ref", "must be a branch name or a commit id")
                }
                _ => e,
            })
    }

    /// The commit and tree a ref (branch or commit id; default `main`) points at.
    pub(crate) async fn resolve_ref(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        reference: Option<&str>,
    ) -> Result<Resolved> {
        let reference = reference.unwrap_or(MAIN);
        check_ref(reference)?;
        let commit = if is_commit_id(reference) {
            Some(reference.to_string())
        } else {
            match tx.branch_head(team_id, reference, false).await? {
                Some(head) => head,
                None if reference == MAIN => None,
                None => return Err(Error::not_found("branch")),
            }
        };
        let tree = match &commit {
            Some(id) => {
                tx.commit(team_id, id)
                    .await?
                    .ok_or_else(|| Error::not_found("commit"))?
                    .1
            }
            None => Tree::default(),
        };
        Ok(Resolved { commit, tree })
    }

    /// The tree of the branch a write goes to, read after its row is locked so that every check
    /// sees the head the write builds on: 422 for a commit id, else as `writable_branch`.
    pub(crate) async fn resolve_for_write(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
    ) -> Result<Resolved> {
        let branch = reference.unwrap_or(MAIN);
        check_ref(branch)?;
        if is_commit_id(branch) {
            return Err(Error::invalid(
                "/ref",
                "read_only",
                "a commit cannot be changed; write to a branch",
            ));
        }
        let commit = self.writable_branch(tx, ctx, team_id, branch).await?.head;
        let tree = self.tree_at(tx, team_id, commit.as_deref()).await?;
        Ok(Resolved { commit, tree })
    }

    /// One definition of a tree, decoded.
    pub(crate) async fn tree_entry<T: DeserializeOwned>(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        tree: &Tree,
        kind: DefKind,
        id: Uuid,
    ) -> Result<Entry<T>> {
        let at = tree
            .of(kind)
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::not_found(kind.noun()))?;
        let raw = tx
            .snapshot(team_id, &at.hash)
            .await?
            .ok_or_else(|| Error::internal(format!("snapshot {} is missing", at.hash)))?;
        let body = serde_json::from_value(raw).map_err(Error::internal)?;
        Ok(Entry { id, body, at })
    }

    async fn list_entries<T: DeserializeOwned>(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        tree: &Tree,
        kind: DefKind,
        page: PageRequest,
    ) -> Result<Page<Entry<T>>> {
        // Newest first: ids are UUIDv7, so they sort by creation time.
        let ids: Vec<Uuid> = tree.of(kind).keys().rev().copied().collect();
        let mut items = Vec::new();
        for id in ids
            .iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
        {
            items.push(self.tree_entry(tx, team_id, tree, kind, *id).await?);
        }
        Ok(Page {
            items,
            total_count: ids.len() as i64,
            request: page,
        })
    }

    /// Saves `body` as the new content of a definition on a branch (or removes it when
    /// `None`), as one commit on `at`, the branch as `resolve_for_write` locked and read it.
    /// `expected` is the version the edit was based on.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn save<T: Serialize>(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        at: &Resolved,
        (kind, id): (DefKind, Uuid),
        body: Option<&T>,
        expected: Option<&str>,
        message: &str,
    ) -> Result<Option<TreeEntry>> {
        let branch = reference.unwrap_or(MAIN);
        let (head, tree) = (&at.commit, &at.tree);
        let now = now();
        let current = tree.of(kind).get(&id).cloned();
        if let (Some(expected), Some(current)) = (expected, &current) {
            if expected != current.version {
                return Err(Error::conflict_with(
                    format!("the {} has changed since version {expected}", kind.noun()),
                    json!({"current_version": current.version}),
                ));
            }
        }
        let hash = match body {
            Some(body) => {
                let value = serde_json::to_value(body).map_err(Error::internal)?;
                let hash = content_hash(&value);
                tx.put_snapshot(team_id, &hash, kind.as_str(), &value)
                    .await?;
                Some(hash)
            }
            None => None,
        };
        let meta = CommitMeta {
            author_id: Some(ctx.actor.user.id),
            message,
            at: now,
        };
        let parent = head.as_deref().map(|h| (h, tree));
        let Some((commit, next)) = commit_change(team_id, parent, (kind, id, hash), meta) else {
            return Ok(current);
        };
        tx.insert_commit(&commit, &next).await?;
        self.move_branch_to(tx, team_id, branch, head.as_deref(), &commit.id)
            .await?;
        self.committed_events(tx, ctx, team_id, branch, &commit.id, &commit.changes)
            .await?;
        Ok(next.of(kind).get(&id).cloned())
    }

    /// A branch that may be written directly (creating `main` on first use), its row locked:
    /// 404 for no such branch, 409 when abandoned, 403 when protected.
    pub(crate) async fn writable_branch(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        name: &str,
    ) -> Result<Branch> {
        let branch = self.open_branch(tx, ctx, team_id, name).await?;
        if tx.protection(team_id, name).await?.is_some() {
            return Err(Error::forbidden(format!(
                "the branch {name} is protected: it changes only by merging an approved change proposal"
            )));
        }
        Ok(branch)
    }

    /// A branch that can move (creating `main` on first use), its row locked: 404 for no such
    /// branch, 409 when abandoned. A merged branch that moves again is active again.
    pub(crate) async fn open_branch(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        name: &str,
    ) -> Result<Branch> {
        if name == MAIN {
            tx.ensure_branch(team_id, MAIN, "main", Some(ctx.actor.user.id), now())
                .await?;
        }
        let branch = tx
            .branch(team_id, name, true)
            .await?
            .ok_or_else(|| Error::not_found("branch"))?;
        match branch.status {
            BranchStatus::Abandoned => Err(Error::conflict(format!(
                "the branch {name} was deleted; create it again to use the name"
            ))),
            BranchStatus::Merged => {
                tx.set_branch_status(team_id, name, BranchStatus::Active)
                    .await?;
                Ok(branch)
            }
            _ => Ok(branch),
        }
    }

    /// The business roles a playbook's steps name that the team has.
    pub(crate) async fn known_roles(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        body: &PlaybookBody,
    ) -> Result<HashSet<Uuid>> {
        let named: HashSet<Uuid> = body.steps.iter().filter_map(|s| s.assigned_role).collect();
        let mut known = HashSet::new();
        for role in named {
            if tx.role(team_id, role).await?.is_some() {
                known.insert(role);
            }
        }
        Ok(known)
    }

    /// What is wrong with a business rule (its pointers relative to the rule).
    pub(crate) async fn rule_problems(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        body: &BusinessRuleBody,
    ) -> Result<Violations> {
        let mut v = Violations::new();
        crate::validate::text(&mut v, "/name", &body.name, 1, 200);
        if let Err(e) = crate::engine::expr::Expression::compile(&body.conditions.expression) {
            v.add("/conditions/expression", "invalid_expression", e);
        }
        for (pointer, role) in [
            ("/actions/escalate_to_role", body.actions.escalate_to_role),
            ("/actions/approver_role", body.actions.approver_role),
        ] {
            if let Some(role) = role {
                if tx.role(team_id, role).await?.is_none() {
                    v.add(
                        pointer,
                        "unknown_role",
                        "no business role of this team has this id",
                    );
                }
            }
        }
        Ok(v)
    }

    /// What a playbook may refer to: the team's roles it names and the documents on the ref.
    async fn known_for(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        body: &PlaybookBody,
        tree: &Tree,
    ) -> Result<Known> {
        let mut known = Known {
            roles: self.known_roles(tx, team_id, body).await?,
            ..Known::default()
        };
        for doc in body.steps.iter().filter_map(|s| s.form_document_id) {
            if tree.documents.contains_key(&doc) {
                let entry: Entry<DocumentBody> = self
                    .tree_entry(tx, team_id, tree, DefKind::Document, doc)
                    .await?;
                known.documents.insert(doc, entry.body.schema);
            }
        }
        Ok(known)
    }

    /// A page of the definitions of `kind` at `reference`, for a reader of the team.
    async fn read_page<T: DeserializeOwned>(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        kind: DefKind,
        page: PageRequest,
    ) -> Result<Page<Entry<T>>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let r = self.resolve_ref(tx.as_mut(), team_id, reference).await?;
        self.list_entries(tx.as_mut(), team_id, &r.tree, kind, page)
            .await
    }

    /// One definition of `kind` at `reference`, for a reader of the team.
    async fn read_one<T: DeserializeOwned>(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        kind: DefKind,
        id: Uuid,
    ) -> Result<Entry<T>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let r = self.resolve_ref(tx.as_mut(), team_id, reference).await?;
        self.tree_entry(tx.as_mut(), team_id, &r.tree, kind, id)
            .await
    }

    fn playbook(team_id: Uuid, e: Entry<PlaybookBody>) -> Playbook {
        Playbook {
            id: e.id,
            team_id,
            body: e.body,
            version: e.at.version,
            created_at: e.at.created_at,
            updated_at: e.at.updated_at,
        }
    }

    /// `GET /v1/teams/{team_id}/processes`.
    pub async fn list_playbooks(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Playbook>> {
        let page = self
            .read_page(ctx, team_id, reference, DefKind::Playbook, page)
            .await?;
        Ok(page.map(|e| Self::playbook(team_id, e)))
    }

    /// `GET /v1/teams/{team_id}/processes/{process_id}`.
    pub async fn get_playbook(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        reference: Option<&str>,
    ) -> Result<Playbook> {
        let e = self
            .read_one(ctx, team_id, reference, DefKind::Playbook, id)
            .await?;
        Ok(Self::playbook(team_id, e))
    }

    /// `POST /v1/teams/{team_id}/processes` (and `PUT …/{id}` with `id`): checks the playbook
    /// and commits it.
    pub async fn save_playbook(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Option<Uuid>,
        reference: Option<&str>,
        input: PlaybookInput,
    ) -> Result<Playbook> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let r = self
            .resolve_for_write(tx.as_mut(), ctx, team_id, reference)
            .await?;
        if let Some(id) = id {
            if !r.tree.playbooks.contains_key(&id) {
                return Err(Error::not_found("playbook"));
            }
        }
        let mut body = input.body;
        let known = self.known_for(tx.as_mut(), team_id, &body, &r.tree).await?;
        normalize(&mut body, &known).map_err(Error::Validation)?;
        let id = id.unwrap_or_else(new_id);
        let message = input.message.unwrap_or_else(|| {
            if r.tree.playbooks.contains_key(&id) {
                format!("Update {}", body.name)
            } else {
                format!("Create {}", body.name)
            }
        });
        let at = self
            .save(
                tx.as_mut(),
                ctx,
                team_id,
                reference,
                &r,
                (DefKind::Playbook, id),
                Some(&body),
                input.version.as_deref(),
                &message,
            )
            .await?
            .ok_or_else(|| Error::internal("saved playbook is missing"))?;
        tx.commit().await?;
        Ok(Self::playbook(team_id, Entry { id, body, at }))
    }

    /// `DELETE /v1/teams/{team_id}/processes/{process_id}`: archives it (running instances go
    /// on); with `expected`, only if the playbook is still at that version (409 otherwise).
    pub async fn archive_playbook(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        reference: Option<&str>,
        expected: Option<&str>,
    ) -> Result<Playbook> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let r = self
            .resolve_for_write(tx.as_mut(), ctx, team_id, reference)
            .await?;
        let mut e: Entry<PlaybookBody> = self
            .tree_entry(tx.as_mut(), team_id, &r.tree, DefKind::Playbook, id)
            .await?;
        e.body.status = PlaybookStatus::Archived;
        let message = format!("Archive {}", e.body.name);
        let at = self
            .save(
                tx.as_mut(),
                ctx,
                team_id,
                reference,
                &r,
                (DefKind::Playbook, id),
                Some(&e.body),
                expected,
                &message,
            )
            .await?
            .ok_or_else(|| Error::internal("archived playbook is missing"))?;
        tx.commit().await?;
        Ok(Self::playbook(team_id, Entry { at, ..e }))
    }

    /// `GET /v1/teams/{team_id}/processes/{process_id}/history`: the commits reachable from
    /// the ref that changed the playbook (with `step_id`, that changed that step or its place),
    /// newest first.
    pub async fn playbook_history(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        reference: Option<&str>,
        step_id: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Commit>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let r = self.resolve_ref(tx.as_mut(), team_id, reference).await?;
        let history = self.history(tx.as_mut(), team_id).await?;
        let reachable = history.graph.ancestors(r.commit.as_deref());
        let changed = tx.entity_commit_ids(team_id, id).await?;
        let mut ids = history.newest_first(changed.into_iter().filter(|c| reachable.contains(c)));
        if ids.is_empty() {
            return Err(Error::not_found("playbook"));
        }
        if let Some(step) = step_id {
            let mut touching = Vec::new();
            for c in ids {
                if self
                    .step_changed(tx.as_mut(), team_id, id, &c, step)
                    .await?
                {
                    touching.push(c);
                }
            }
            ids = touching;
        }
        let mut items = Vec::new();
        for c in ids
            .iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
        {
            items.extend(tx.commit_meta(team_id, c).await?);
        }
        Ok(Page {
            items,
            total_count: ids.len() as i64,
            request: page,
        })
    }

    /// Whether a commit changed a step of a playbook (its fields, or the step before it)
    /// relative to its first parent.
    async fn step_changed(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        playbook_id: Uuid,
        commit_id: &str,
        step_id: &str,
    ) -> Result<bool> {
        let Some((commit, tree)) = tx.commit(team_id, commit_id).await? else {
            return Ok(false);
        };
        let parent = self
            .tree_at(tx, team_id, commit.parents.first().map(String::as_str))
            .await?;
        let mut views = Vec::new();
        for t in [&tree, &parent] {
            let view = match t.playbooks.get(&playbook_id) {
                Some(entry) => {
                    let body = tx.snapshot(team_id, &entry.hash).await?.unwrap_or_default();
                    let steps = body["steps"].as_array().cloned().unwrap_or_default();
                    let at = steps.iter().position(|s| s["id"] == step_id);
                    at.map(|i| {
                        (
                            steps[i].clone(),
                            i.checked_sub(1).map(|p| steps[p]["id"].clone()),
                        )
                    })
                }
                None => None,
            };
            views.push(view);
        }
        Ok(views[0] != views[1])
    }

    // ---------------- documents and rules ----------------

    /// `GET /v1/teams/{team_id}/documents`.
    pub async fn list_documents(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Document>> {
        let page = self
            .read_page(ctx, team_id, reference, DefKind::Document, page)
            .await?;
        Ok(page.map(|e| document(team_id, e)))
    }

    /// `GET /v1/teams/{team_id}/documents/{document_id}`.
    pub async fn get_document(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        reference: Option<&str>,
    ) -> Result<Document> {
        let e = self
            .read_one(ctx, team_id, reference, DefKind::Document, id)
            .await?;
        Ok(document(team_id, e))
    }

    /// `POST /v1/teams/{team_id}/documents` (and `PUT …/{id}` with `id`).
    pub async fn save_document(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Option<Uuid>,
        reference: Option<&str>,
        input: DocumentInput,
    ) -> Result<Document> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let r = self
            .resolve_for_write(tx.as_mut(), ctx, team_id, reference)
            .await?;
        if let Some(id) = id {
            if !r.tree.documents.contains_key(&id) {
                return Err(Error::not_found("document"));
            }
        }
        let body = input.body;
        document_problems(&body).finish()?;
        let id = id.unwrap_or_else(new_id);
        let message = input
            .message
            .unwrap_or_else(|| format!("Save document {}", body.name));
        let at = self
            .save(
                tx.as_mut(),
                ctx,
                team_id,
                reference,
                &r,
                (DefKind::Document, id),
                Some(&body),
                input.version.as_deref(),
                &message,
            )
            .await?
            .ok_or_else(|| Error::internal("saved document is missing"))?;
        tx.commit().await?;
        Ok(document(team_id, Entry { id, body, at }))
    }

    /// `DELETE /v1/teams/{team_id}/documents/{document_id}` (and rules): removes it from the
    /// branch; instances pinned to earlier versions still see it.
    pub async fn delete_definition(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        kind: DefKind,
        id: Uuid,
        reference: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let r = self
            .resolve_for_write(tx.as_mut(), ctx, team_id, reference)
            .await?;
        if !r.tree.of(kind).contains_key(&id) {
            return Err(Error::not_found(kind.noun()));
        }
        if kind == DefKind::Document {
            let users = self
                .playbooks_using_document(tx.as_mut(), team_id, &r.tree, id)
                .await?;
            if !users.is_empty() {
                return Err(Error::conflict_with(
                    "playbooks use this document as a form",
                    json!({"playbook_ids": users}),
                ));
            }
        }
        self.save::<Value>(
            tx.as_mut(),
            ctx,
            team_id,
            reference,
            &r,
            (kind, id),
            None,
            None,
            &format!("Delete {} {id}", kind.noun()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn playbooks_using_document(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        tree: &Tree,
        document_id: Uuid,
    ) -> Result<Vec<Uuid>> {
        let mut users = Vec::new();
        for id in tree.playbooks.keys() {
            let e: Entry<PlaybookBody> = self
                .tree_entry(tx, team_id, tree, DefKind::Playbook, *id)
                .await?;
            if e.body.status != PlaybookStatus::Archived
                && e.body
                    .steps
                    .iter()
                    .any(|s| s.form_document_id == Some(document_id))
            {
                users.push(*id);
            }
        }
        Ok(users)
    }

    /// `GET /v1/teams/{team_id}/rules`.
    pub async fn list_rules(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        reference: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<BusinessRule>> {
        let page = self
            .read_page(ctx, team_id, reference, DefKind::Rule, page)
            .await?;
        Ok(page.map(|e| rule(team_id, e)))
    }

    /// `GET /v1/teams/{team_id}/rules/{rule_id}`.
    pub async fn get_rule(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        reference: Option<&str>,
    ) -> Result<BusinessRule> {
        let e = self
            .read_one(ctx, team_id, reference, DefKind::Rule, id)
            .await?;
        Ok(rule(team_id, e))
    }

    /// `POST /v1/teams/{team_id}/rules` (and `PUT …/{id}` with `id`).
    pub async fn save_rule(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Option<Uuid>,
        reference: Option<&str>,
        input: BusinessRuleInput,
    ) -> Result<BusinessRule> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let r = self
            .resolve_for_write(tx.as_mut(), ctx, team_id, reference)
            .await?;
        if let Some(id) = id {
            if !r.tree.rules.contains_key(&id) {
                return Err(Error::not_found("business rule"));
            }
        }
        let body = input.body;
        self.rule_problems(tx.as_mut(), team_id, &body)
            .await?
            .finish()?;
        let id = id.unwrap_or_else(new_id);
        let message = input
            .message
            .unwrap_or_else(|| format!("Save rule {}", body.name));
        let at = self
            .save(
                tx.as_mut(),
                ctx,
                team_id,
                reference,
                &r,
                (DefKind::Rule, id),
                Some(&body),
                input.version.as_deref(),
                &message,
            )
            .await?
            .ok_or_else(|| Error::internal("saved rule is missing"))?;
        tx.commit().await?;
        Ok(rule(team_id, Entry { id, body, at }))
    }

    /// The playbook an instance is pinned to, with its forms resolved and the team's active
    /// validation rules that apply to it, all as of the pinned commit.
    pub(crate) async fn pinned_definition(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        playbook_id: Uuid,
        version: &str,
    ) -> Result<Arc<PinnedDefinition>> {
        let key = (team_id, playbook_id, version.to_string());
        if let Some(found) = self.pinned.get(&key) {
            return Ok(found);
        }
        let pinned = Arc::new(
            self.read_pinned_definition(tx, team_id, playbook_id, version)
                .await?,
        );
        self.pinned.put(key, pinned.clone());
        Ok(pinned)
    }

    async fn read_pinned_definition(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        playbook_id: Uuid,
        version: &str,
    ) -> Result<PinnedDefinition> {
        let (_, tree) = tx
            .commit(team_id, version)
            .await?
            .ok_or_else(|| Error::internal(format!("pinned commit {version} is missing")))?;
        let e: Entry<PlaybookBody> = self
            .tree_entry(tx, team_id, &tree, DefKind::Playbook, playbook_id)
            .await?;
        let mut forms = HashMap::new();
        for step in &e.body.steps {
            if let Some(form) = &step.form {
                forms.insert(step.id.clone(), form.clone());
            } else if let Some(doc) = step.form_document_id {
                let d: Entry<DocumentBody> = self
                    .tree_entry(tx, team_id, &tree, DefKind::Document, doc)
                    .await?;
                forms.insert(step.id.clone(), d.body.schema);
            }
        }
        let mut rules = Vec::new();
        for id in tree.rules.keys() {
            let r: Entry<BusinessRuleBody> = self
                .tree_entry(tx, team_id, &tree, DefKind::Rule, *id)
                .await?;
            let applies = r.body.conditions.playbook_ids.is_empty()
                || r.body.conditions.playbook_ids.contains(&playbook_id);
            if r.body.is_active && applies {
                rules.push(r.body);
            }
        }
        rules.sort_by_key(|r| -r.priority);
        Ok(PinnedDefinition {
            body: e.body,
            hash: e.at.hash,
            forms,
            rules,
        })
    }
}

/// Pinned definitions already read, by (team, playbook, commit); bounded by starting over.
#[derive(Default)]
pub(crate) struct PinnedCache(Mutex<HashMap<(Uuid, Uuid, String), Arc<PinnedDefinition>>>);

impl PinnedCache {
    /// How many definitions it keeps before it starts over.
    const CAPACITY: usize = 1024;

    fn get(&self, key: &(Uuid, Uuid, String)) -> Option<Arc<PinnedDefinition>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: (Uuid, Uuid, String), pinned: Arc<PinnedDefinition>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::CAPACITY {
            map.clear();
        }
        map.insert(key, pinned);
    }
}

/// A playbook as an instance runs it.
pub(crate) struct PinnedDefinition {
    pub body: PlaybookBody,
    pub hash: String,
    pub forms: HashMap<String, Value>,
    /// Active rules of every kind that apply to the playbook, highest priority first.
    pub rules: Vec<BusinessRuleBody>,
}

/// What is wrong with a document (its pointers relative to the document).
pub(crate) fn document_problems(body: &DocumentBody) -> Violations {
    let mut v = Violations::new();
    crate::validate::text(&mut v, "/name", &body.name, 1, 200);
    if let Err(e) = crate::engine::forms::Form::compile(&body.schema) {
        v.add("/schema", "invalid_schema", e);
    }
    v
}

fn document(team_id: Uuid, e: Entry<DocumentBody>) -> Document {
    Document {
        id: e.id,
        team_id,
        body: e.body,
        version: e.at.version,
        created_at: e.at.created_at,
        updated_at: e.at.updated_at,
    }
}

fn rule(team_id: Uuid, e: Entry<BusinessRuleBody>) -> BusinessRule {
    BusinessRule {
        id: e.id,
        team_id,
        body: e.body,
        version: e.at.version,
        created_at: e.at.created_at,
        updated_at: e.at.updated_at,
    }
}
