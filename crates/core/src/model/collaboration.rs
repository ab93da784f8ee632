//! Git-like collaboration on a team's library: branches, merge drafts, branch protection,
//! change proposals, their reviews and discussion.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::TaskPriority;
use crate::versioning::diff::{ChangeStatus, LibraryDiff};
use crate::versioning::merge::Conflict;

text_enum!(
    /// What a branch is for.
    BranchType {
        Main = "main",
        Feature = "feature",
        Hotfix = "hotfix",
        Experiment = "experiment",
    }
);

text_enum!(
    /// Where a branch stands. `stale`: active, not `main`, and without a commit for 30 days.
    BranchStatus {
        Active = "active",
        Merged = "merged",
        Abandoned = "abandoned",
        Stale = "stale",
    }
);

/// A named line of development of the team's whole library (playbooks, documents, rules).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Branch {
    /// Derived from the team and the name.
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: BranchType,
    /// The branch it was taken from, if it was taken from a branch.
    pub base_branch: Option<String>,
    pub description: String,
    pub status: BranchStatus,
    /// The commit it points at (none before the first commit).
    pub head: Option<String>,
    /// Whether branch protection applies to it.
    pub protected: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/branches`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewBranch {
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub name: String,
    /// A branch name or commit id to start from (default `main`).
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub from: Option<String>,
    /// `feature` (default), `hotfix` or `experiment`.
    #[serde(default, rename = "type")]
    pub kind: Option<BranchType>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

/// `POST /v1/teams/{team_id}/commits/{commit_id}/revert`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RevertInput {
    /// The branch that gets the reverting commit.
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub branch: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// `POST /v1/teams/{team_id}/branches/{name}/reset`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResetInput {
    /// A branch name or commit id whose commit the branch is to point at.
    #[schema(pattern = "^([a-z0-9][a-z0-9._-]{0,99}|[0-9a-f]{64})$")]
    pub to: String,
    /// The head the caller saw (409 with the current head if it moved).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub expected_head: Option<String>,
}

/// `POST /v1/teams/{team_id}/merges`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MergeInput {
    /// The branch (or commit id) whose changes come in: "theirs".
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub source: String,
    /// The branch that receives them: "ours".
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub target: String,
    /// An earlier draft of the same source and target (typically one gone stale) whose
    /// resolutions to carry over: each conflict that is still there with the same base, ours
    /// and theirs keeps its resolution; the others are open again.
    #[serde(default)]
    pub resolutions_from: Option<Uuid>,
}

text_enum!(
    /// How a conflict is resolved.
    ResolutionChoice {
        Ours = "ours",
        Theirs = "theirs",
        Base = "base",
        Value = "value",
    }
);

/// One conflict's resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    pub choice: ResolutionChoice,
    /// With `choice: value`: the value to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub value: Option<Value>,
}

/// One entry of `PUT …/merges/{merge_id}/resolutions`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResolutionInput {
    #[schema(pattern = "^[0-9a-f]{16}$")]
    pub conflict_id: String,
    pub choice: ResolutionChoice,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub value: Option<Value>,
}

/// `PUT /v1/teams/{team_id}/merges/{merge_id}/resolutions`: per conflict, and/or `all` for
/// every conflict not named.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResolutionsInput {
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub resolutions: Vec<ResolutionInput>,
    /// Resolves every other open conflict the same way (`ours`, `theirs` or `base`).
    #[serde(default)]
    pub all: Option<ResolutionChoice>,
}

/// A conflict of a merge draft with its resolution, if any.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeConflict {
    #[serde(flatten)]
    pub conflict: Conflict,
    pub resolution: Option<Resolution>,
}

/// A problem that exists only in the merged result (an invalid playbook or schema), at its
/// JSON Pointer in the keyed library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Violation {
    pub path: String,
    pub code: String,
    pub message: String,
}

text_enum!(
    /// Where a merge draft stands.
    MergeStatus {
        Clean = "clean",
        Conflicted = "conflicted",
        Stale = "stale",
        Merged = "merged",
    }
);

/// A merge of `source` into `target` being prepared: conflicts, their resolutions and the
/// violations of the result. It is computed against the heads it was created at; when either
/// head moves it becomes `stale`, and a new draft is needed, which can carry over the
/// resolutions of conflicts that did not change (`resolutions_from`; conflict ids are derived
/// from their paths, so the same conflicts keep their ids there).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeDraft {
    pub id: Uuid,
    pub team_id: Uuid,
    pub source: String,
    pub target: String,
    pub source_head: Option<String>,
    pub target_head: Option<String>,
    /// The best common ancestors (several in a criss-cross history, merged into one base).
    pub merge_bases: Vec<String>,
    pub status: MergeStatus,
    /// The target has nothing the source lacks: committing moves the target to the source.
    pub fast_forward: bool,
    /// The source has nothing new: committing does nothing.
    pub up_to_date: bool,
    pub conflicts: Vec<MergeConflict>,
    pub violations: Vec<Violation>,
    /// What committing would change on the target (conflicts shown as resolved, else ours).
    pub diff: LibraryDiff,
    /// The commit the target moved to, once merged.
    pub commit_id: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A merge draft as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeDraftRecord {
    pub id: Uuid,
    pub team_id: Uuid,
    pub source: String,
    pub target: String,
    pub source_head: Option<String>,
    pub target_head: Option<String>,
    pub resolutions: BTreeMap<String, Resolution>,
    pub commit_id: Option<String>,
    pub merged_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Rules a protected branch enforces on the proposals merged into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BranchProtection {
    pub team_id: Uuid,
    pub branch: String,
    pub required_approvals: i64,
    /// Business roles each of which an approving reviewer must hold.
    #[schema(value_type = Vec<super::UuidText>)]
    pub required_reviewer_roles: Vec<Uuid>,
    pub allow_self_approval: bool,
    /// A new commit on the source branch dismisses earlier approvals.
    pub dismiss_stale_approvals: bool,
    pub require_resolved_discussions: bool,
    pub updated_by: Uuid,
    pub updated_at: DateTime<Utc>,
}

/// `PUT /v1/teams/{team_id}/branch-protection/{branch}`; omitted fields take their defaults
/// (1, [], false, true, false).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BranchProtectionInput {
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    #[schema(minimum = 0, maximum = 20)]
    pub required_approvals: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<super::UuidText>>, max_items = 20)]
    pub required_reviewer_roles: Option<Vec<Uuid>>,
    #[serde(default)]
    pub allow_self_approval: Option<bool>,
    #[serde(default)]
    pub dismiss_stale_approvals: Option<bool>,
    #[serde(default)]
    pub require_resolved_discussions: Option<bool>,
}

text_enum!(
    /// What a change proposal changes.
    ProposalType {
        ProcessUpdate = "process_update",
        NewProcess = "new_process",
        RoleChange = "role_change",
        DocumentUpdate = "document_update",
        RuleChange = "rule_change",
    }
);

text_enum!(
    /// Where a change proposal stands. `approved` is reached when the target's rules are met at
    /// the source's current head, and left again if a new commit dismisses approvals.
    ProposalStatus {
        Draft = "draft",
        Submitted = "submitted",
        UnderReview = "under_review",
        Approved = "approved",
        Rejected = "rejected",
        Merged = "merged",
    }
);

text_enum!(
    /// A reviewer's verdict.
    ReviewStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        ChangesRequested = "changes_requested",
    }
);

text_enum!(
    /// What a reviewer may decide.
    ReviewDecision {
        Approved = "approved",
        ChangesRequested = "changes_requested",
        Rejected = "rejected",
    }
);

/// `POST /v1/teams/{team_id}/change-proposals`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProposalInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub description: String,
    #[serde(default, rename = "type")]
    pub kind: Option<ProposalType>,
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub source_branch: String,
    /// Default `main`.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub target_branch: Option<String>,
}

/// `POST …/change-proposals/{proposal_id}/review`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReviewInput {
    pub status: ReviewDecision,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub comments: Option<String>,
}

/// A review of a change proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeReview {
    pub id: Uuid,
    pub change_proposal_id: Uuid,
    pub reviewer_id: Uuid,
    pub status: ReviewStatus,
    pub comments: Option<String>,
    /// The source head the review was given at.
    pub head: Option<String>,
    /// No longer counts: superseded by the reviewer's later review, by a new commit (when the
    /// target dismisses stale approvals) or by a resubmission after a rejection.
    pub dismissed: bool,
    pub reviewed_at: DateTime<Utc>,
}

/// Where a comment points: a playbook, optionally a step and a field path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommentAnchor {
    pub playbook_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub step_id: Option<String>,
    /// A JSON Pointer within the step (or playbook), such as `/form/properties/amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub path: Option<String>,
}

/// One comment of a proposal's discussion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposalComment {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub anchor: Option<CommentAnchor>,
    /// The comment this one answers (threads are one level deep: replies go to the root).
    pub reply_to: Option<Uuid>,
    /// Threads (root comments) are resolved; replies follow their root.
    pub resolved: bool,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `POST …/change-proposals/{proposal_id}/comments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CommentInput {
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub body: String,
    #[serde(default)]
    pub anchor: Option<CommentAnchor>,
    #[serde(default)]
    pub reply_to: Option<Uuid>,
}

/// `POST …/change-proposals/{proposal_id}/merge`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProposalMergeInput {
    /// A merge draft of the same source and target whose resolutions to use.
    #[serde(default)]
    pub merge_id: Option<Uuid>,
}

/// How a proposal would change one playbook.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaybookImpact {
    pub playbook_id: Uuid,
    pub name: String,
    pub change: ChangeStatus,
    pub steps_added: usize,
    pub steps_removed: usize,
    pub steps_changed: usize,
    pub steps_moved: usize,
    /// Instances still running (or paused) on earlier versions: they keep their versions.
    pub running_instances: i64,
}

/// What merging a proposal would change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactAssessment {
    pub playbooks: Vec<PlaybookImpact>,
    pub documents_changed: usize,
    pub rules_changed: usize,
    pub running_instances: i64,
    /// Business roles whose steps are added, removed or changed (before or after).
    #[schema(value_type = Vec<super::UuidText>)]
    pub roles_affected: Vec<Uuid>,
}

/// Whether a proposal may be merged, and what is missing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeRequirements {
    pub protected: bool,
    pub required_approvals: i64,
    pub approvals: i64,
    /// Whether the rules of the target are met.
    pub met: bool,
    /// What is missing, in words.
    pub unmet: Vec<String>,
    /// Whether the branches merge without conflicts or violations (with one proposal).
    pub mergeable: Option<bool>,
    pub conflicts: Option<usize>,
    pub violations: Option<usize>,
}

/// A change proposal as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProposalRecord {
    pub id: Uuid,
    pub team_id: Uuid,
    pub title: String,
    pub description: String,
    pub kind: ProposalType,
    pub priority: TaskPriority,
    pub source_branch: String,
    pub target_branch: String,
    /// `draft|submitted|under_review|rejected|merged` (approved is derived).
    pub status: ProposalStatus,
    pub proposed_by: Uuid,
    pub reviews: Vec<ChangeReview>,
    pub discussion: Vec<ProposalComment>,
    pub merge_commit: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub merged_at: Option<DateTime<Utc>>,
}

/// A proposal to merge a branch into a target, with its review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeProposal {
    pub id: Uuid,
    pub team_id: Uuid,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ProposalType,
    pub priority: TaskPriority,
    pub source_branch: String,
    pub target_branch: String,
    pub status: ProposalStatus,
    pub proposed_by: Uuid,
    pub source_head: Option<String>,
    pub requirements: MergeRequirements,
    pub reviews: Vec<ChangeReview>,
    pub discussion: Vec<ProposalComment>,
    /// What merging would change on the target (with one proposal).
    pub diff: Option<LibraryDiff>,
    /// With one proposal.
    pub impact_assessment: Option<ImpactAssessment>,
    pub merge_commit: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub merged_at: Option<DateTime<Utc>>,
}
