//! Change proposals: a branch proposed for merging into a target, reviewed under the target's
//! protection rules, discussed in threads, and merged when approved.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};
use uuid::Uuid;

use super::definitions::{branch_name_problem, MAIN};
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;
use crate::versioning::diff::{diff, LibraryDiff};
use crate::versioning::DefKind;

/// How many reviews one proposal keeps.
const MAX_REVIEWS: usize = 500;

/// The rules of a branch: its protection, or for an unprotected branch the defaults.
fn rules_of(team_id: Uuid, branch: &str, p: Option<BranchProtection>) -> BranchProtection {
    p.unwrap_or_else(|| BranchProtection {
        team_id,
        branch: branch.to_string(),
        required_approvals: 1,
        required_reviewer_roles: Vec::new(),
        allow_self_approval: false,
        dismiss_stale_approvals: true,
        require_resolved_discussions: false,
        updated_by: Uuid::nil(),
        updated_at: now(),
    })
}

/// Reviews with `dismissed` as it stands now, and what the rules still miss. `roles_of` holds
/// the business roles of the reviewers still in the team; others' approvals do not count.
fn evaluate(
    record: &ProposalRecord,
    rules: &BranchProtection,
    source_head: &Option<String>,
    roles_of: &HashMap<Uuid, Vec<Uuid>>,
) -> (Vec<ChangeReview>, i64, Vec<String>) {
    let mut reviews = record.reviews.clone();
    let mut latest: HashMap<Uuid, usize> = HashMap::new();
    for (i, r) in reviews.iter().enumerate() {
        latest.insert(r.reviewer_id, i);
    }
    for (i, r) in reviews.iter_mut().enumerate() {
        let superseded = latest.get(&r.reviewer_id) != Some(&i);
        let stale = rules.dismiss_stale_approvals
            && r.status == ReviewStatus::Approved
            && &r.head != source_head;
        r.dismissed = r.dismissed || superseded || stale;
    }
    let counted: Vec<&ChangeReview> = reviews
        .iter()
        .filter(|r| !r.dismissed)
        .filter(|r| roles_of.contains_key(&r.reviewer_id))
        .filter(|r| r.status == ReviewStatus::Approved)
        .filter(|r| rules.allow_self_approval || r.reviewer_id != record.proposed_by)
        .collect();
    let approvals = counted.len() as i64;
    let mut unmet = Vec::new();
    if approvals < rules.required_approvals {
        unmet.push(format!(
            "needs {} more approval(s)",
            rules.required_approvals - approvals
        ));
    }
    for role in &rules.required_reviewer_roles {
        let held = counted.iter().any(|r| {
            roles_of
                .get(&r.reviewer_id)
                .is_some_and(|roles| roles.contains(role))
        });
        if !held {
            unmet.push(format!(
                "needs an approval from a holder of the business role {role}"
            ));
        }
    }
    let requesting = reviews
        .iter()
        .filter(|r| !r.dismissed && r.status == ReviewStatus::ChangesRequested)
        .count();
    if requesting > 0 {
        unmet.push(format!("changes requested by {requesting} reviewer(s)"));
    }
    if rules.require_resolved_discussions {
        let open = record
            .discussion
            .iter()
            .filter(|c| c.reply_to.is_none() && !c.resolved)
            .count();
        if open > 0 {
            unmet.push(format!("{open} discussion(s) unresolved"));
        }
    }
    (reviews, approvals, unmet)
}

/// How the merge of a proposal would change the target's playbooks, documents and rules.
fn impact(diff: &LibraryDiff, target: &Value, merged: &Value) -> (ImpactAssessment, Vec<Uuid>) {
    let mut roles = BTreeSet::new();
    let mut role_of = |lib: &Value, pb: &str, step: &str| {
        if let Some(role) = lib["playbooks"][pb]["steps"][step]["assigned_role"]
            .as_str()
            .and_then(|r| r.parse::<Uuid>().ok())
        {
            roles.insert(role);
        }
    };
    let mut playbooks = Vec::new();
    let mut ids = Vec::new();
    for d in diff.of(DefKind::Playbook) {
        let steps = d.steps.clone().unwrap_or_default();
        for s in &steps.added {
            role_of(merged, &d.id, &s.id);
        }
        for s in &steps.removed {
            role_of(target, &d.id, &s.id);
        }
        for s in &steps.changed {
            role_of(merged, &d.id, &s.id);
            role_of(target, &d.id, &s.id);
        }
        let Ok(id) = d.id.parse::<Uuid>() else {
            continue;
        };
        ids.push(id);
        playbooks.push(PlaybookImpact {
            playbook_id: id,
            name: d.name.clone(),
            change: d.status,
            steps_added: steps.added.len(),
            steps_removed: steps.removed.len(),
            steps_changed: steps.changed.len(),
            steps_moved: steps.moved.len(),
            running_instances: 0,
        });
    }
    let assessment = ImpactAssessment {
        playbooks,
        documents_changed: diff.documents.len(),
        rules_changed: diff.rules.len(),
        running_instances: 0,
        roles_affected: roles.into_iter().collect(),
    };
    (assessment, ids)
}

impl Services {
    // ---------------- branch protection ----------------

    /// `GET /v1/teams/{team_id}/branch-protection/{branch}` (404 when unprotected).
    pub async fn get_protection(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        branch: &str,
    ) -> Result<BranchProtection> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Own)
            .await?;
        tx.protection(team_id, branch)
            .await?
            .ok_or_else(|| Error::not_found("branch protection"))
    }

    /// `PUT /v1/teams/{team_id}/branch-protection/{branch}` (owners).
    pub async fn put_protection(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        branch: &str,
        input: BranchProtectionInput,
    ) -> Result<BranchProtection> {
        let mut v = Violations::new();
        let required = input.required_approvals.unwrap_or(1);
        if !(0..=20).contains(&required) {
            v.add(
                "/required_approvals",
                "out_of_range",
                "must be from 0 to 20",
            );
        }
        let roles = input.required_reviewer_roles.unwrap_or_default();
        if roles.len() > 20 {
            v.add("/required_reviewer_roles", "too_many", "at most 20 roles");
        }
        v.finish()?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Own)
            .await?;
        if branch == MAIN {
            tx.ensure_branch(team_id, MAIN, "main", Some(ctx.actor.user.id), now())
                .await?;
        }
        let b = tx
            .branch(team_id, branch, false)
            .await?
            .filter(|b| b.status != BranchStatus::Abandoned)
            .ok_or_else(|| Error::not_found("branch"))?;
        let mut v = Violations::new();
        for (i, role) in roles.iter().enumerate() {
            if tx.role(team_id, *role).await?.is_none() {
                v.add(
                    &format!("/required_reviewer_roles/{i}"),
                    "unknown_role",
                    "no business role of this team has this id",
                );
            }
        }
        v.finish()?;
        let protection = BranchProtection {
            team_id,
            branch: branch.to_string(),
            required_approvals: required,
            required_reviewer_roles: roles,
            allow_self_approval: input.allow_self_approval.unwrap_or(false),
            dismiss_stale_approvals: input.dismiss_stale_approvals.unwrap_or(true),
            require_resolved_discussions: input.require_resolved_discussions.unwrap_or(false),
            updated_by: ctx.actor.user.id,
            updated_at: now(),
        };
        tx.put_protection(team_id, branch, Some(&protection))
            .await?;
        tx.append_event(ctx.team_event(
            team_id,
            "branch.protected",
            ("branch", b.id),
            json!({"branch": branch, "required_approvals": required,
                   "required_reviewer_roles": protection.required_reviewer_roles}),
        ))
        .await?;
        tx.commit().await?;
        Ok(protection)
    }

    /// `DELETE /v1/teams/{team_id}/branch-protection/{branch}` (owners).
    pub async fn delete_protection(&self, ctx: &Ctx, team_id: Uuid, branch: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Own)
            .await?;
        if tx.protection(team_id, branch).await?.is_none() {
            return Err(Error::not_found("branch protection"));
        }
        tx.put_protection(team_id, branch, None).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "branch.unprotected",
            ("branch", crate::versioning::branch_id(team_id, branch)),
            json!({"branch": branch}),
        ))
        .await?;
        tx.commit().await
    }

    // ---------------- proposals ----------------

    /// A proposal as callers see it; `detail` adds the diff, the impact and mergeability.
    async fn present_proposal(
        &self,
        tx: &mut dyn Tx,
        record: ProposalRecord,
        detail: bool,
    ) -> Result<ChangeProposal> {
        let team_id = record.team_id;
        let protection = tx.protection(team_id, &record.target_branch).await?;
        let protected = protection.is_some();
        let rules = rules_of(team_id, &record.target_branch, protection);
        let source = tx.branch(team_id, &record.source_branch, false).await?;
        let source_head = source.and_then(|b| b.head);
        let mut roles_of = HashMap::new();
        let reviewers: BTreeSet<Uuid> = record.reviews.iter().map(|r| r.reviewer_id).collect();
        for reviewer in reviewers {
            if let Some(m) = tx.member(team_id, reviewer).await? {
                roles_of.insert(reviewer, m.roles);
            }
        }
        let (reviews, approvals, unmet) = evaluate(&record, &rules, &source_head, &roles_of);
        let status = match record.status {
            ProposalStatus::Submitted | ProposalStatus::UnderReview if unmet.is_empty() => {
                ProposalStatus::Approved
            }
            other => other,
        };
        let mut requirements = MergeRequirements {
            protected,
            required_approvals: rules.required_approvals,
            approvals,
            met: unmet.is_empty(),
            unmet,
            mergeable: None,
            conflicts: None,
            violations: None,
        };
        let (mut the_diff, mut assessment) = (None, None);
        if detail && record.status != ProposalStatus::Merged {
            let target_head = tx
                .branch(team_id, &record.target_branch, false)
                .await?
                .and_then(|b| b.head);
            let outcome = self
                .merge_heads(
                    tx,
                    team_id,
                    target_head.as_deref(),
                    source_head.as_deref(),
                    &BTreeMap::new(),
                )
                .await?;
            requirements.mergeable = Some(outcome.is_clean());
            requirements.conflicts = Some(outcome.merged.conflicts.len());
            requirements.violations = Some(outcome.violations.len());
            let d = diff(&outcome.target_lib, &outcome.merged.value);
            let (mut a, ids) = impact(&d, &outcome.target_lib, &outcome.merged.value);
            for (p, id) in a.playbooks.iter_mut().zip(ids) {
                p.running_instances = tx.live_instances(team_id, id).await?;
            }
            a.running_instances = a.playbooks.iter().map(|p| p.running_instances).sum();
            the_diff = Some(d);
            assessment = Some(a);
        }
        Ok(ChangeProposal {
            id: record.id,
            team_id,
            title: record.title,
            description: record.description,
            kind: record.kind,
            priority: record.priority,
            source_branch: record.source_branch,
            target_branch: record.target_branch,
            status,
            proposed_by: record.proposed_by,
            source_head,
            requirements,
            reviews,
            discussion: record.discussion,
            diff: the_diff,
            impact_assessment: assessment,
            merge_commit: record.merge_commit,
            created_at: record.created_at,
            updated_at: record.updated_at,
            submitted_at: record.submitted_at,
            merged_at: record.merged_at,
        })
    }

    async fn proposal_record(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<ProposalRecord> {
        tx.proposal(team_id, id, lock)
            .await?
            .ok_or_else(|| Error::not_found("change proposal"))
    }

    /// `GET /v1/teams/{team_id}/change-proposals`, newest first, optionally of one status.
    pub async fn list_proposals(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        status: Option<ProposalStatus>,
        page: PageRequest,
    ) -> Result<Page<ChangeProposal>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let stored: Vec<ProposalStatus> = match status {
            None => Vec::new(),
            Some(
                ProposalStatus::Approved | ProposalStatus::UnderReview | ProposalStatus::Submitted,
            ) => {
                vec![ProposalStatus::Submitted, ProposalStatus::UnderReview]
            }
            Some(s) => vec![s],
        };
        let records = tx.proposals(team_id, &stored, PageRequest::all()).await?;
        let mut all = Vec::new();
        for r in records.items {
            let p = self.present_proposal(tx.as_mut(), r, false).await?;
            if status.is_none_or(|s| s == p.status) {
                all.push(p);
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

    /// `GET /v1/teams/{team_id}/change-proposals/{proposal_id}`: with its diff, impact
    /// assessment, reviews and discussion.
    pub async fn get_proposal(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<ChangeProposal> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let record = self
            .proposal_record(tx.as_mut(), team_id, id, false)
            .await?;
        self.present_proposal(tx.as_mut(), record, true).await
    }

    /// `POST /v1/teams/{team_id}/change-proposals`: a draft proposal to merge a branch.
    pub async fn create_proposal(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: ProposalInput,
    ) -> Result<ChangeProposal> {
        let target = input.target_branch.unwrap_or_else(|| MAIN.to_string());
        let mut v = Violations::new();
        crate::validate::text(&mut v, "/title", &input.title, 1, 200);
        if input.description.chars().count() > 20000 {
            v.add(
                "/description",
                "too_long",
                "must have at most 20000 characters",
            );
        }
        branch_name_problem(&mut v, "/source_branch", &input.source_branch);
        if branch_name_problem(&mut v, "/target_branch", &target) && target == input.source_branch {
            v.add(
                "/target_branch",
                "same_branch",
                "a branch cannot be proposed into itself",
            );
        }
        v.finish()?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        for (field, name) in [
            ("/source_branch", &input.source_branch),
            ("/target_branch", &target),
        ] {
            let live = tx
                .branch(team_id, name, false)
                .await?
                .is_some_and(|b| b.status != BranchStatus::Abandoned);
            if !live {
                return Err(Error::invalid(field, "unknown_branch", "no such branch"));
            }
        }
        let at = now();
        let record = ProposalRecord {
            id: new_id(),
            team_id,
            title: input.title,
            description: input.description,
            kind: input.kind.unwrap_or(ProposalType::ProcessUpdate),
            priority: input.priority.unwrap_or_default(),
            source_branch: input.source_branch,
            target_branch: target,
            status: ProposalStatus::Draft,
            proposed_by: ctx.actor.user.id,
            reviews: Vec::new(),
            discussion: Vec::new(),
            merge_commit: None,
            created_at: at,
            updated_at: at,
            submitted_at: None,
            merged_at: None,
        };
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.opened",
            ("change_proposal", record.id),
            json!({"source_branch": record.source_branch, "target_branch": record.target_branch,
                   "type": record.kind.as_str()}),
        ))
        .await?;
        let p = self.present_proposal(tx.as_mut(), record, true).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// `POST …/change-proposals/{proposal_id}/submit`: asks for review (a draft, or a rejected
    /// proposal being tried again, whose earlier reviews no longer count).
    pub async fn submit_proposal(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
    ) -> Result<ChangeProposal> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut record = self.proposal_record(tx.as_mut(), team_id, id, true).await?;
        match record.status {
            ProposalStatus::Draft => {}
            ProposalStatus::Rejected => {
                for r in &mut record.reviews {
                    r.dismissed = true;
                }
            }
            other => {
                return Err(Error::conflict(format!(
                    "the proposal is {}; only drafts and rejected proposals are submitted",
                    other.as_str()
                )))
            }
        }
        record.status = ProposalStatus::Submitted;
        record.submitted_at = Some(now());
        record.updated_at = now();
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.submitted",
            ("change_proposal", id),
            json!({}),
        ))
        .await?;
        let p = self.present_proposal(tx.as_mut(), record, false).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// `POST …/change-proposals/{proposal_id}/review`: approve, request changes or reject.
    /// Approving one's own proposal is 403 unless the target allows it.
    pub async fn review_proposal(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: ReviewInput,
    ) -> Result<ChangeReview> {
        if input
            .comments
            .as_ref()
            .is_some_and(|c| c.chars().count() > 10000)
        {
            return Err(Error::invalid(
                "/comments",
                "too_long",
                "must have at most 10000 characters",
            ));
        }
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut record = self.proposal_record(tx.as_mut(), team_id, id, true).await?;
        if !matches!(
            record.status,
            ProposalStatus::Submitted | ProposalStatus::UnderReview
        ) {
            return Err(Error::conflict(format!(
                "the proposal is {}; only submitted proposals are reviewed",
                record.status.as_str()
            )));
        }
        if record.reviews.len() >= MAX_REVIEWS {
            return Err(Error::conflict(format!(
                "the proposal has {MAX_REVIEWS} reviews; resubmit it as a new proposal"
            )));
        }
        let protection = tx.protection(team_id, &record.target_branch).await?;
        let rules = rules_of(team_id, &record.target_branch, protection);
        let reviewer = ctx.actor.user.id;
        if input.status == ReviewDecision::Approved
            && reviewer == record.proposed_by
            && !rules.allow_self_approval
        {
            return Err(Error::forbidden(
                "you cannot approve your own proposal on this branch",
            ));
        }
        let head = tx
            .branch(team_id, &record.source_branch, false)
            .await?
            .and_then(|b| b.head);
        let status = match input.status {
            ReviewDecision::Approved => ReviewStatus::Approved,
            ReviewDecision::ChangesRequested => ReviewStatus::ChangesRequested,
            ReviewDecision::Rejected => ReviewStatus::Rejected,
        };
        let review = ChangeReview {
            id: new_id(),
            change_proposal_id: id,
            reviewer_id: reviewer,
            status,
            comments: input.comments,
            head,
            dismissed: false,
            reviewed_at: now(),
        };
        record.reviews.push(review.clone());
        record.status = if status == ReviewStatus::Rejected {
            ProposalStatus::Rejected
        } else {
            ProposalStatus::UnderReview
        };
        record.updated_at = now();
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.reviewed",
            ("change_proposal", id),
            json!({"review_id": review.id, "status": status.as_str()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(review)
    }

    /// `POST …/change-proposals/{proposal_id}/comments`: a comment, optionally anchored to a
    /// playbook, step or field, or a reply in a thread.
    pub async fn comment_proposal(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: CommentInput,
    ) -> Result<ProposalComment> {
        let mut v = Violations::new();
        crate::validate::text(&mut v, "/body", &input.body, 1, 10000);
        if let Some(a) = &input.anchor {
            if a.step_id
                .as_deref()
                .is_some_and(|s| !crate::engine::dependencies::is_step_id(s))
            {
                v.add(
                    "/anchor/step_id",
                    "invalid_step_id",
                    "must match ^[a-z][a-z0-9_]{0,63}$",
                );
            }
            if a.path
                .as_deref()
                .is_some_and(|p| !p.is_empty() && !p.starts_with('/'))
            {
                v.add("/anchor/path", "invalid_pointer", "must be a JSON Pointer");
            }
        }
        v.finish()?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let mut record = self.proposal_record(tx.as_mut(), team_id, id, true).await?;
        if record.discussion.len() >= 1000 {
            return Err(Error::conflict("the discussion has reached 1000 comments"));
        }
        let reply_to = match input.reply_to {
            None => None,
            Some(parent) => {
                let found = record
                    .discussion
                    .iter()
                    .find(|c| c.id == parent)
                    .ok_or_else(|| {
                        Error::invalid("/reply_to", "unknown_comment", "no such comment here")
                    })?;
                Some(found.reply_to.unwrap_or(found.id))
            }
        };
        let comment = ProposalComment {
            id: new_id(),
            author_id: ctx.actor.user.id,
            body: input.body,
            anchor: input.anchor,
            reply_to,
            resolved: false,
            resolved_by: None,
            resolved_at: None,
            created_at: now(),
        };
        record.discussion.push(comment.clone());
        record.updated_at = now();
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.commented",
            ("change_proposal", id),
            json!({"comment_id": comment.id, "reply_to": comment.reply_to}),
        ))
        .await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// `POST …/change-proposals/{proposal_id}/comments/{comment_id}/resolve`: resolves a
    /// thread (a reply resolves the thread it belongs to).
    pub async fn resolve_comment(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        comment_id: Uuid,
    ) -> Result<ProposalComment> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let mut record = self.proposal_record(tx.as_mut(), team_id, id, true).await?;
        let root = record
            .discussion
            .iter()
            .find(|c| c.id == comment_id)
            .map(|c| c.reply_to.unwrap_or(c.id))
            .ok_or_else(|| Error::not_found("comment"))?;
        let at = now();
        let comment = {
            let c = record
                .discussion
                .iter_mut()
                .find(|c| c.id == root)
                .ok_or_else(|| Error::internal("a thread without its root"))?;
            if !c.resolved {
                c.resolved = true;
                c.resolved_by = Some(ctx.actor.user.id);
                c.resolved_at = Some(at);
            }
            c.clone()
        };
        record.updated_at = at;
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.comment_resolved",
            ("change_proposal", id),
            json!({"comment_id": comment.id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// `POST …/change-proposals/{proposal_id}/merge`: lands an approved proposal on its target
    /// (protected or not). 409 while the rules are unmet, a conflict is open, or (with
    /// `merge_id`) the draft is stale.
    pub async fn merge_proposal(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: ProposalMergeInput,
    ) -> Result<ChangeProposal> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut record = self.proposal_record(tx.as_mut(), team_id, id, true).await?;
        // Locks in one order everywhere: proposal, merge draft, branch.
        let mut draft = match input.merge_id {
            None => None,
            Some(merge_id) => {
                let draft = tx
                    .merge_draft(team_id, merge_id, true)
                    .await?
                    .ok_or_else(|| Error::invalid("/merge_id", "unknown_merge", "no such merge"))?;
                if draft.source != record.source_branch || draft.target != record.target_branch {
                    return Err(Error::invalid(
                        "/merge_id",
                        "other_branches",
                        "the merge draft is of other branches",
                    ));
                }
                if draft.merged_at.is_some() {
                    return Err(Error::conflict("the merge draft has been committed"));
                }
                Some(draft)
            }
        };
        let target = self
            .open_branch(tx.as_mut(), ctx, team_id, &record.target_branch)
            .await?;
        let presented = self
            .present_proposal(tx.as_mut(), record.clone(), false)
            .await?;
        if presented.status != ProposalStatus::Approved {
            return Err(Error::conflict_with(
                format!(
                    "the proposal is {}, not approved",
                    presented.status.as_str()
                ),
                json!({"unmet": presented.requirements.unmet}),
            ));
        }
        let source_head = presented.source_head.clone();
        let chosen = match &draft {
            None => BTreeMap::new(),
            Some(d) => {
                if d.source_head != source_head || d.target_head != target.head {
                    return Err(Error::conflict_with(
                        "the merge draft is stale; draft it again",
                        json!({"target_head": target.head, "source_head": source_head}),
                    ));
                }
                d.resolutions.clone()
            }
        };
        let (landed, _) = self
            .land_merge(
                tx.as_mut(),
                ctx,
                team_id,
                &record.source_branch,
                source_head.as_deref(),
                &target,
                &chosen,
            )
            .await?;
        let at = now();
        if let Some(d) = &mut draft {
            d.commit_id = landed.clone();
            d.merged_at = Some(at);
            d.updated_at = at;
            tx.put_merge_draft(d).await?;
        }
        record.status = ProposalStatus::Merged;
        record.merge_commit = landed.clone();
        record.merged_at = Some(at);
        record.updated_at = at;
        tx.put_proposal(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "proposal.merged",
            ("change_proposal", id),
            json!({"commit_id": landed, "target_branch": record.target_branch}),
        ))
        .await?;
        let p = self.present_proposal(tx.as_mut(), record, false).await?;
        tx.commit().await?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(reviewer: Uuid, status: ReviewStatus, head: &str) -> ChangeReview {
        ChangeReview {
            id: new_id(),
            change_proposal_id: Uuid::nil(),
            reviewer_id: reviewer,
            status,
            comments: None,
            head: Some(head.into()),
            dismissed: false,
            reviewed_at: now(),
        }
    }

    #[test]
    fn new_commits_dismiss_approvals_and_later_reviews_supersede_earlier_ones() {
        let (author, a, b) = (new_id(), new_id(), new_id());
        let record = ProposalRecord {
            id: new_id(),
            team_id: new_id(),
            title: "t".into(),
            description: String::new(),
            kind: ProposalType::ProcessUpdate,
            priority: TaskPriority::Medium,
            source_branch: "f".into(),
            target_branch: "main".into(),
            status: ProposalStatus::UnderReview,
            proposed_by: author,
            reviews: vec![
                review(a, ReviewStatus::ChangesRequested, "h1"),
                review(a, ReviewStatus::Approved, "h1"),
                review(b, ReviewStatus::Approved, "h0"),
                review(author, ReviewStatus::Approved, "h1"),
            ],
            discussion: Vec::new(),
            merge_commit: None,
            created_at: now(),
            updated_at: now(),
            submitted_at: None,
            merged_at: None,
        };
        let mut rules = rules_of(record.team_id, "main", None);
        rules.required_approvals = 2;
        let members: HashMap<Uuid, Vec<Uuid>> = [a, b, author]
            .into_iter()
            .map(|m| (m, Vec::new()))
            .collect();
        let (reviews, approvals, unmet) = evaluate(&record, &rules, &Some("h1".into()), &members);
        assert!(reviews[0].dismissed && !reviews[1].dismissed && reviews[2].dismissed);
        assert_eq!(
            approvals, 1,
            "b's approval is stale, the author's does not count"
        );
        assert_eq!(unmet, vec!["needs 1 more approval(s)".to_string()]);
        rules.dismiss_stale_approvals = false;
        let (_, approvals, unmet) = evaluate(&record, &rules, &Some("h1".into()), &members);
        assert_eq!((approvals, unmet.len()), (2, 0));
        let (_, approvals, _) = evaluate(&record, &rules, &Some("h1".into()), &HashMap::new());
        assert_eq!(approvals, 0, "approvals of people who left do not count");
    }
}
