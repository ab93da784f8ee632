//! Branches, commits, comparisons, branch protection, change proposals and merges.

use orgata_core::model::{BranchStatus, ProposalStatus};

use super::Arg::*;
use super::Ret::*;
use super::{deleted, one, page, Root};
use crate::r;

pub fn fields(root: &mut Root) {
    root.query(
        "branches",
        Page("Branch"),
        &[Id("teamId"), Named("status", "BranchStatus")],
        "The team's branches by name.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let status = c.text("status")?.and_then(|v| BranchStatus::parse(&v));
            page(s.list_branches(&ctx, c.id("teamId")?, status, c.page()?).await)
        }),
    );
    root.query(
        "branch",
        One("Branch"),
        &[Id("teamId"), Text("name")],
        "One branch.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_branch(&ctx, c.id("teamId")?, &c.required_text("name")?).await)
        }),
    );
    root.mutation(
        "createBranch",
        One("Branch"),
        &[Id("teamId"), Input("input", "NewBranch")],
        "Create a branch from `main`, another branch or a commit (editors).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_branch(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "deleteBranch",
        One("Branch"),
        &[Id("teamId"), Text("name")],
        "Abandon a branch (editors); its commits stay.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.delete_branch(&ctx, c.id("teamId")?, &c.required_text("name")?).await)
        }),
    );
    root.mutation("resetBranch", One("Branch"), &[Id("teamId"), Text("name"), Input("input", "ResetInput")],
        "Move a branch's head to an earlier commit of its history (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.reset_branch(&ctx, c.id("teamId")?, &c.required_text("name")?, c.input("input")?).await)
    }));
    root.query("branchCommits", Page("Commit"), &[Id("teamId"), Text("name")],
        "A branch's commits, newest first.", r!(c => {
        let (s, ctx) = c.caller()?;
        page(s.branch_commits(&ctx, c.id("teamId")?, &c.required_text("name")?, c.page()?).await)
    }));
    root.query(
        "commit",
        One("Commit"),
        &[Id("teamId"), Text("commitId")],
        "One commit with its changes.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_commit(&ctx, c.id("teamId")?, &c.required_text("commitId")?).await)
        }),
    );
    root.mutation("revertCommit", One("Commit"), &[Id("teamId"), Text("commitId"), Input("input", "RevertInput")],
        "Commit the inverse of a commit on a branch (editors).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.revert_commit(&ctx, c.id("teamId")?, &c.required_text("commitId")?, c.input("input")?).await)
    }));
    root.query("compare", One("Comparison"), &[Id("teamId"), Text("base"), Text("head")],
        "The structured diff between two branches or commits, step by step.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.compare(&ctx, c.id("teamId")?, &c.required_text("base")?, &c.required_text("head")?).await)
    }));
    root.query(
        "branchProtection",
        One("BranchProtection"),
        &[Id("teamId"), Text("branch")],
        "A branch's protection rules.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_protection(&ctx, c.id("teamId")?, &c.required_text("branch")?).await)
        }),
    );
    root.mutation("setBranchProtection", One("BranchProtection"), &[Id("teamId"), Text("branch"), Input("input", "BranchProtectionInput")],
        "Set a branch's protection rules (owners).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.put_protection(&ctx, c.id("teamId")?, &c.required_text("branch")?, c.input("input")?).await)
    }));
    root.mutation(
        "deleteBranchProtection",
        One("Deleted"),
        &[Id("teamId"), Text("branch")],
        "Remove a branch's protection rules (owners).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "branch", s.delete_protection(&ctx, c.id("teamId")?, &c.required_text("branch")?).await)
        }),
    );

    root.query(
        "changeProposals",
        Page("ChangeProposal"),
        &[Id("teamId"), Named("status", "ProposalStatus")],
        "The team's change proposals, newest first.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let status = c.text("status")?.and_then(|v| ProposalStatus::parse(&v));
            page(s.list_proposals(&ctx, c.id("teamId")?, status, c.page()?).await)
        }),
    );
    root.query(
        "changeProposal",
        One("ChangeProposal"),
        &[Id("proposalId"), OptId("teamId")],
        "One change proposal with its reviews, comments and diff. `teamId` may be left out.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let id = c.id("proposalId")?;
            one(s.get_proposal(&ctx, c.team_of_proposal(id).await?, id).await)
        }),
    );
    root.mutation(
        "createChangeProposal",
        One("ChangeProposal"),
        &[Id("teamId"), Input("input", "ProposalInput")],
        "Open a change proposal from a branch (a draft until submitted).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_proposal(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "submitChangeProposal",
        One("ChangeProposal"),
        &[Id("proposalId"), OptId("teamId")],
        "Submit a draft proposal for review.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let id = c.id("proposalId")?;
            one(s.submit_proposal(&ctx, c.team_of_proposal(id).await?, id).await)
        }),
    );
    root.mutation(
        "reviewChange",
        One("ChangeReview"),
        &[
            Id("proposalId"),
            Input("input", "ReviewInput"),
            OptId("teamId"),
        ],
        "Review a proposal: approve, request changes or comment. `teamId` may be left out.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let id = c.id("proposalId")?;
            one(s.review_proposal(&ctx, c.team_of_proposal(id).await?, id, c.input("input")?).await)
        }),
    );
    root.mutation("commentChangeProposal", One("ProposalComment"), &[Id("proposalId"), Input("input", "CommentInput"), OptId("teamId")],
        "Comment on a proposal, optionally anchored to a step.", r!(c => {
        let (s, ctx) = c.caller()?;
        let id = c.id("proposalId")?;
        one(s.comment_proposal(&ctx, c.team_of_proposal(id).await?, id, c.input("input")?).await)
    }));
    root.mutation("resolveProposalComment", One("ProposalComment"), &[Id("proposalId"), Id("commentId"), OptId("teamId")],
        "Mark a proposal comment resolved.", r!(c => {
        let (s, ctx) = c.caller()?;
        let id = c.id("proposalId")?;
        one(s.resolve_comment(&ctx, c.team_of_proposal(id).await?, id, c.id("commentId")?).await)
    }));
    root.mutation(
        "mergeChangeProposal",
        One("ChangeProposal"),
        &[
            Id("proposalId"),
            OptInput("input", "ProposalMergeInput"),
            OptId("teamId"),
        ],
        "Merge an approved proposal into its target branch.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let id = c.id("proposalId")?;
            one(s.merge_proposal(&ctx, c.team_of_proposal(id).await?, id, c.input("input")?).await)
        }),
    );

    root.mutation(
        "createMerge",
        One("MergeDraft"),
        &[Id("teamId"), Input("input", "MergeInput")],
        "Start a three-way merge of two branches; conflicts wait for resolutions.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_merge(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.query(
        "merge",
        One("MergeDraft"),
        &[Id("teamId"), Id("mergeId")],
        "A merge in progress or done.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_merge(&ctx, c.id("teamId")?, c.id("mergeId")?).await)
        }),
    );
    root.mutation(
        "resolveMerge",
        One("MergeDraft"),
        &[
            Id("teamId"),
            Id("mergeId"),
            Input("input", "ResolutionsInput"),
        ],
        "Resolve a merge's conflicts: ours, theirs or an edited value per conflict.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.resolve_merge(&ctx, c.id("teamId")?, c.id("mergeId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "commitMerge",
        One("MergeDraft"),
        &[Id("teamId"), Id("mergeId")],
        "Commit a merge whose conflicts are all resolved.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.commit_merge(&ctx, c.id("teamId")?, c.id("mergeId")?).await)
        }),
    );
}
