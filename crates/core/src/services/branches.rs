//! Branches of a team's library, their commits, reverts and comparisons.

use chrono::Duration;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::definitions::{check_branch_name, MAIN};
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;
use crate::versioning::diff::{diff, LibraryDiff};
use crate::versioning::merge::{merge, Fallback, Resolutions};
use crate::versioning::{branch_id, is_branch_name};

/// A branch without a commit for this long is `stale`.
const STALE_AFTER_DAYS: i64 = 30;

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefPoint {
    /// As given.
    #[serde(rename = "ref")]
    pub reference: String,
    pub commit: Option<String>,
}

/// `GET /v1/teams/{team_id}/compare`: how `head` differs from `base`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub base: RefPoint,
    pub head: RefPoint,
    pub merge_bases: Vec<String>,
    /// Commits reachable from head and not from base.
    pub ahead_by: usize,
    /// Commits reachable from base and not from head.
    pub behind_by: usize,
    pub diff: LibraryDiff,
}

/// A branch named in a path: a name that cannot be a branch's names none (404).
fn named_branch(name: &str) -> Result<()> {
    if is_branch_name(name) {
        Ok(())
    } else {
        Err(Error::not_found("branch"))
    }
}

impl Services {
    /// A branch as callers see it: whether it is protected, and `stale` when it rested long.
    async fn present_branch(&self, tx: &mut dyn Tx, mut b: Branch) -> Result<Branch> {
        b.protected = tx.protection(b.team_id, &b.name).await?.is_some();
        let rested = now() - b.updated_at > Duration::days(STALE_AFTER_DAYS);
        if b.status == BranchStatus::Active && b.name != MAIN && rested {
            b.status = BranchStatus::Stale;
        }
        Ok(b)
    }

    /// `GET /v1/teams/{team_id}/branches`, by name, optionally of one status.
    pub async fn list_branches(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        status: Option<BranchStatus>,
        page: PageRequest,
    ) -> Result<Page<Branch>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let mut all = Vec::new();
        for b in tx.branches(team_id).await? {
            let b = self.present_branch(tx.as_mut(), b).await?;
            if status.is_none_or(|s| s == b.status) {
                all.push(b);
            }
        }
        let total_count = all.len() as i64;
        let items = all
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
            .collect();
        Ok(Page {
            items,
            total_count,
            request: page,
        })
    }

    /// `GET /v1/teams/{team_id}/branches/{name}`.
    pub async fn get_branch(&self, ctx: &Ctx, team_id: Uuid, name: &str) -> Result<Branch> {
        named_branch(name)?;
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let b = tx
            .branch(team_id, name, false)
            .await?
            .ok_or_else(|| Error::not_found("branch"))?;
        self.present_branch(tx.as_mut(), b).await
    }

    /// `POST /v1/teams/{team_id}/branches`: a new branch of the whole library from a branch or
    /// commit (default `main`).
    pub async fn create_branch(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: NewBranch,
    ) -> Result<Branch> {
        check_branch_name("/name", &input.name)?;
        if input.name == MAIN {
            return Err(Error::conflict("the team's main branch exists already"));
        }
        let kind = input.kind.unwrap_or(BranchType::Feature);
        if kind == BranchType::Main {
            return Err(Error::invalid(
                "/type",
                "invalid",
                "only the team's main branch is of type main",
            ));
        }
        let description = input.description.unwrap_or_default();
        if description.chars().count() > 4000 {
            return Err(Error::invalid(
                "/description",
                "too_long",
                "must have at most 4000 characters",
            ));
        }
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let from = input.from.unwrap_or_else(|| MAIN.to_string());
        let r = self
            .resolve_body_ref(tx.as_mut(), team_id, &from, "/from")
            .await?;
        let at = now();
        let branch = Branch {
            id: branch_id(team_id, &input.name),
            team_id,
            name: input.name.clone(),
            kind,
            base_branch: is_branch_name(&from).then(|| from.clone()),
            description,
            status: BranchStatus::Active,
            head: r.commit.clone(),
            protected: false,
            created_by: Some(ctx.actor.user.id),
            created_at: at,
            updated_at: at,
        };
        if !tx.insert_branch(&branch).await? {
            return Err(Error::conflict(format!(
                "a branch named {} exists",
                input.name
            )));
        }
        tx.append_event(ctx.team_event(
            team_id,
            "branch.created",
            ("branch", branch.id),
            json!({"name": branch.name, "from": from, "head": branch.head, "type": kind.as_str()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(branch)
    }

    /// `DELETE /v1/teams/{team_id}/branches/{name}`: abandons the branch. Its commits stay (and
    /// instances started from them keep running); the name can be used again.
    pub async fn delete_branch(&self, ctx: &Ctx, team_id: Uuid, name: &str) -> Result<Branch> {
        named_branch(name)?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut b = tx
            .branch(team_id, name, true)
            .await?
            .filter(|b| b.status != BranchStatus::Abandoned)
            .ok_or_else(|| Error::not_found("branch"))?;
        if b.kind == BranchType::Main || name == MAIN {
            return Err(Error::conflict("the main branch cannot be deleted"));
        }
        if tx.protection(team_id, name).await?.is_some() {
            return Err(Error::conflict(
                "the branch is protected; remove its protection first",
            ));
        }
        let open = [
            ProposalStatus::Draft,
            ProposalStatus::Submitted,
            ProposalStatus::UnderReview,
        ];
        let proposals = tx
            .proposals(team_id, &open, PageRequest::all())
            .await?
            .items;
        if let Some(p) = proposals
            .iter()
            .find(|p| p.source_branch == name || p.target_branch == name)
        {
            return Err(Error::conflict_with(
                "an open change proposal uses this branch",
                json!({"proposal_id": p.id}),
            ));
        }
        tx.set_branch_status(team_id, name, BranchStatus::Abandoned)
            .await?;
        tx.append_event(ctx.team_event(
            team_id,
            "branch.deleted",
            ("branch", b.id),
            json!({"name": name, "head": b.head}),
        ))
        .await?;
        tx.commit().await?;
        b.status = BranchStatus::Abandoned;
        Ok(b)
    }

    /// `POST /v1/teams/{team_id}/branches/{name}/reset`: points the branch at another commit
    /// (editors; not a protected branch). Commits it leaves stay readable by id.
    pub async fn reset_branch(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        name: &str,
        input: ResetInput,
    ) -> Result<Branch> {
        named_branch(name)?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let head = self
            .writable_branch(tx.as_mut(), ctx, team_id, name)
            .await?
            .head;
        if input.expected_head.is_some() && input.expected_head != head {
            return Err(Error::conflict_with(
                format!("the branch {name} has moved since"),
                json!({"branch": name, "current_head": head}),
            ));
        }
        let to = self
            .resolve_body_ref(tx.as_mut(), team_id, &input.to, "/to")
            .await?
            .commit
            .ok_or_else(|| Error::invalid("/to", "empty_ref", "the ref has no commit"))?;
        if head.as_deref() != Some(to.as_str()) {
            self.move_branch_to(tx.as_mut(), team_id, name, head.as_deref(), &to)
                .await?;
        }
        tx.append_event(ctx.team_event(
            team_id,
            "branch.reset",
            ("branch", branch_id(team_id, name)),
            json!({"branch": name, "from": head, "to": to}),
        ))
        .await?;
        let b = tx
            .branch(team_id, name, false)
            .await?
            .ok_or_else(|| Error::not_found("branch"))?;
        let b = self.present_branch(tx.as_mut(), b).await?;
        tx.commit().await?;
        Ok(b)
    }

    /// `GET /v1/teams/{team_id}/branches/{name}/commits`: the commits reachable from the
    /// branch's head, newest first.
    pub async fn branch_commits(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        name: &str,
        page: PageRequest,
    ) -> Result<Page<Commit>> {
        named_branch(name)?;
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let b = tx
            .branch(team_id, name, false)
            .await?
            .ok_or_else(|| Error::not_found("branch"))?;
        let history = self.history(tx.as_mut(), team_id).await?;
        let ids = history.newest_first(history.graph.ancestors(b.head.as_deref()));
        let mut items = Vec::new();
        for id in ids
            .iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
        {
            items.extend(tx.commit_meta(team_id, id).await?);
        }
        Ok(Page {
            items,
            total_count: ids.len() as i64,
            request: page,
        })
    }

    /// `GET /v1/teams/{team_id}/commits/{commit_id}`.
    pub async fn get_commit(&self, ctx: &Ctx, team_id: Uuid, id: &str) -> Result<Commit> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.commit_meta(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("commit"))
    }

    /// `POST /v1/teams/{team_id}/commits/{commit_id}/revert`: a new commit on the branch that
    /// undoes what the commit changed (relative to its first parent), merged with what the
    /// branch changed since, as `git revert` does. 409 with the conflicts when they overlap.
    pub async fn revert_commit(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        commit_id: &str,
        input: RevertInput,
    ) -> Result<Commit> {
        check_branch_name("/branch", &input.branch)?;
        if input
            .message
            .as_ref()
            .is_some_and(|m| m.chars().count() > 1000)
        {
            return Err(Error::invalid(
                "/message",
                "too_long",
                "must have at most 1000 characters",
            ));
        }
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let (reverted, reverted_tree) = tx
            .as_mut()
            .commit(team_id, commit_id)
            .await?
            .ok_or_else(|| Error::not_found("commit"))?;
        let head = self
            .writable_branch(tx.as_mut(), ctx, team_id, &input.branch)
            .await?
            .head;
        let history = self.history(tx.as_mut(), team_id).await?;
        let Some(head) = head.filter(|h| history.graph.is_ancestor(commit_id, h)) else {
            return Err(Error::conflict(format!(
                "the commit is not on the branch {}",
                input.branch
            )));
        };
        let parent = reverted.parents.first().map(String::as_str);
        let parent_tree = self.tree_at(tx.as_mut(), team_id, parent).await?;
        let head_tree = self.tree_at(tx.as_mut(), team_id, Some(&head)).await?;
        let base = self.library(tx.as_mut(), team_id, &reverted_tree).await?;
        let ours = self.library(tx.as_mut(), team_id, &head_tree).await?;
        let theirs = self.library(tx.as_mut(), team_id, &parent_tree).await?;
        let merged = merge(&base, &ours, &theirs, &Resolutions::new(), Fallback::Ours);
        if !merged.conflicts.is_empty() {
            return Err(Error::conflict_with(
                "the branch changed the same things since; revert by hand or merge",
                json!({"conflicts": merged.conflicts}),
            ));
        }
        let (violations, bodies) = self
            .check_library(tx.as_mut(), team_id, &merged.value)
            .await?;
        if !violations.is_empty() {
            return Err(Error::conflict_with(
                "the branch would not be valid after the revert",
                json!({"violations": violations}),
            ));
        }
        let first_line = reverted.message.lines().next().unwrap_or_default();
        let message = input.message.unwrap_or_else(|| {
            format!("Revert \"{first_line}\"\n\nThis reverts commit {commit_id}.")
        });
        let commit = self
            .commit_library(
                tx.as_mut(),
                ctx,
                team_id,
                &input.branch,
                vec![head],
                &head_tree,
                &bodies,
                &parent_tree,
                &message,
            )
            .await?
            .ok_or_else(|| {
                Error::conflict("nothing to revert: the branch no longer has this commit's changes")
            })?;
        tx.append_event(ctx.team_event(
            team_id,
            "commit.reverted",
            ("branch", branch_id(team_id, &input.branch)),
            json!({"branch": input.branch, "reverted": commit_id, "commit_id": commit.id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(commit)
    }

    /// `GET /v1/teams/{team_id}/compare?base=REF&head=REF`.
    pub async fn compare(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        base: &str,
        head: &str,
    ) -> Result<Comparison> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let b = self.resolve_ref(tx.as_mut(), team_id, Some(base)).await?;
        let h = self.resolve_ref(tx.as_mut(), team_id, Some(head)).await?;
        let history = self.history(tx.as_mut(), team_id).await?;
        let of_b = history.graph.ancestors(b.commit.as_deref());
        let of_h = history.graph.ancestors(h.commit.as_deref());
        let merge_bases = match (&b.commit, &h.commit) {
            (Some(x), Some(y)) => history
                .graph
                .merge_bases(std::slice::from_ref(x), std::slice::from_ref(y)),
            _ => Vec::new(),
        };
        let base_lib = self.library(tx.as_mut(), team_id, &b.tree).await?;
        let head_lib = self.library(tx.as_mut(), team_id, &h.tree).await?;
        Ok(Comparison {
            base: RefPoint {
                reference: base.to_string(),
                commit: b.commit,
            },
            head: RefPoint {
                reference: head.to_string(),
                commit: h.commit,
            },
            merge_bases,
            ahead_by: of_h.difference(&of_b).count(),
            behind_by: of_b.difference(&of_h).count(),
            diff: diff(&base_lib, &head_lib),
        })
    }
}
