//! Merging one branch into another: drafts that keep conflicts and their resolutions across
//! requests, and the commit that lands a merge (a fast-forward when the target has nothing of
//! its own, a merge commit with both parents otherwise).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};
use uuid::Uuid;

use super::definitions::check_branch_name;
use super::library::{Bodies, History};
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Tx;
use crate::versioning::diff::diff;
use crate::versioning::keyed::empty_library;
use crate::versioning::merge::{merge, Conflict, Fallback, Merged, Resolutions};
use crate::versioning::{is_branch_name, is_commit_id, Tree};

/// The largest value a resolution may give (a whole playbook fits many times over).
const MAX_VALUE_BYTES: usize = 256 * 1024;

/// What merging a source head into a target head gives.
pub(crate) struct MergeOutcome {
    pub bases: Vec<String>,
    pub up_to_date: bool,
    pub fast_forward: bool,
    pub merged: Merged,
    pub violations: Vec<Violation>,
    pub bodies: Bodies,
    pub target_tree: Tree,
    pub source_tree: Tree,
    pub target_lib: Value,
}

impl MergeOutcome {
    /// Whether it can be committed.
    pub fn is_clean(&self) -> bool {
        self.merged.open_conflicts() == 0 && self.violations.is_empty()
    }

    /// The conflicts with the resolutions given for them.
    pub fn conflicts(&self, chosen: &BTreeMap<String, Resolution>) -> Vec<MergeConflict> {
        self.merged
            .conflicts
            .iter()
            .map(|c| MergeConflict {
                conflict: c.clone(),
                resolution: chosen.get(&c.id).cloned(),
            })
            .collect()
    }
}

/// The value a resolution puts at a conflict's path (`None`: absent).
fn chosen_value(conflict: &Conflict, r: &Resolution) -> Option<Value> {
    match r.choice {
        ResolutionChoice::Ours => conflict.ours.get(),
        ResolutionChoice::Theirs => conflict.theirs.get(),
        ResolutionChoice::Base => conflict.base.get(),
        ResolutionChoice::Value => r.value.clone(),
    }
}

impl Services {
    /// Merges the source head into the target head with the given resolutions.
    pub(crate) async fn merge_heads(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        target_head: Option<&str>,
        source_head: Option<&str>,
        chosen: &BTreeMap<String, Resolution>,
    ) -> Result<MergeOutcome> {
        let target_tree = self.tree_at(tx, team_id, target_head).await?;
        let source_tree = self.tree_at(tx, team_id, source_head).await?;
        let target_lib = self.library(tx, team_id, &target_tree).await?;
        let mut outcome = MergeOutcome {
            bases: Vec::new(),
            up_to_date: false,
            fast_forward: false,
            merged: Merged {
                value: target_lib.clone(),
                conflicts: Vec::new(),
            },
            violations: Vec::new(),
            bodies: Bodies::new(),
            target_tree,
            source_tree,
            target_lib,
        };
        let Some(source_head) = source_head else {
            outcome.up_to_date = true;
            return Ok(outcome);
        };
        let Some(target_head) = target_head else {
            outcome.fast_forward = true;
            outcome.merged.value = self.library(tx, team_id, &outcome.source_tree).await?;
            return Ok(outcome);
        };
        let history = self.history(tx, team_id).await?;
        if history.graph.is_ancestor(source_head, target_head) {
            outcome.up_to_date = true;
            outcome.bases = vec![source_head.to_string()];
            return Ok(outcome);
        }
        if history.graph.is_ancestor(target_head, source_head) {
            outcome.fast_forward = true;
            outcome.bases = vec![target_head.to_string()];
            outcome.merged.value = self.library(tx, team_id, &outcome.source_tree).await?;
            return Ok(outcome);
        }
        outcome.bases = history
            .graph
            .merge_bases(&[target_head.to_string()], &[source_head.to_string()]);
        let base = self
            .virtual_base(tx, team_id, &history, &outcome.bases)
            .await?;
        let theirs = self.library(tx, team_id, &outcome.source_tree).await?;
        // Resolutions name a side; the sides are known once the conflicts are found. A chosen
        // value can change which steps exist, and so reveal a conflict of order: a few passes.
        let mut seen: HashMap<String, Conflict> = HashMap::new();
        let mut values = Resolutions::new();
        let mut merged = merge(&base, &outcome.target_lib, &theirs, &values, Fallback::Ours);
        for _ in 0..3 {
            for c in &merged.conflicts {
                seen.entry(c.id.clone()).or_insert_with(|| c.clone());
            }
            let next: Resolutions = chosen
                .iter()
                .filter_map(|(id, r)| Some((id.clone(), chosen_value(seen.get(id)?, r))))
                .collect();
            if next == values {
                break;
            }
            values = next;
            merged = merge(&base, &outcome.target_lib, &theirs, &values, Fallback::Ours);
        }
        let (violations, bodies) = self.check_library(tx, team_id, &merged.value).await?;
        outcome.merged = merged;
        outcome.violations = violations;
        outcome.bodies = bodies;
        Ok(outcome)
    }

    /// The base of a merge: the one merge base, or, in a criss-cross history, the merge bases
    /// merged into one (in id order, recursively, disagreements left at their own base), as
    /// git's recursive strategy does.
    fn virtual_base<'a>(
        &'a self,
        tx: &'a mut dyn Tx,
        team_id: Uuid,
        history: &'a History,
        bases: &'a [String],
    ) -> Pin<Box<dyn Future<Output = Result<Value>> + Send + 'a>> {
        Box::pin(async move {
            let Some((first, rest)) = bases.split_first() else {
                return Ok(empty_library());
            };
            let tree = self.tree_at(tx, team_id, Some(first)).await?;
            let mut lib = self.library(tx, team_id, &tree).await?;
            let mut done = vec![first.clone()];
            for next in rest {
                let inner = history.graph.merge_bases(&done, std::slice::from_ref(next));
                let base = self
                    .virtual_base(&mut *tx, team_id, history, &inner)
                    .await?;
                let tree = self.tree_at(tx, team_id, Some(next)).await?;
                let other = self.library(tx, team_id, &tree).await?;
                lib = merge(&base, &lib, &other, &Resolutions::new(), Fallback::Base).value;
                done.push(next.clone());
            }
            Ok(lib)
        })
    }

    /// Lands a merge of `source` (at `source_head`) into the locked, open `target` branch: 409
    /// while a conflict or violation is open. Marks a merged branch `merged`. The commit the
    /// target is at afterwards, and the merge it landed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn land_merge(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        source: &str,
        source_head: Option<&str>,
        target: &Branch,
        chosen: &BTreeMap<String, Resolution>,
    ) -> Result<(Option<String>, MergeOutcome)> {
        let outcome = self
            .merge_heads(tx, team_id, target.head.as_deref(), source_head, chosen)
            .await?;
        if !outcome.is_clean() {
            let open: Vec<&Conflict> = outcome
                .merged
                .conflicts
                .iter()
                .filter(|c| !c.resolved)
                .collect();
            return Err(Error::conflict_with(
                "the merge has open conflicts or violations; resolve them in a merge draft",
                json!({"conflicts": open, "violations": outcome.violations}),
            ));
        }
        let commit_id = if outcome.up_to_date {
            target.head.clone()
        } else if outcome.fast_forward {
            let to = source_head.ok_or_else(|| Error::internal("fast-forward to nothing"))?;
            self.move_branch_to(tx, team_id, &target.name, target.head.as_deref(), to)
                .await?;
            let changes = tree_changes(&outcome.target_tree, &outcome.source_tree);
            self.committed_events(tx, ctx, team_id, &target.name, to, &changes)
                .await?;
            Some(to.to_string())
        } else {
            let head = target
                .head
                .clone()
                .ok_or_else(|| Error::internal("a merge into an empty branch"))?;
            let parents = vec![head, source_head.unwrap_or_default().to_string()];
            let message = format!("Merge {source} into {}", target.name);
            let commit = self
                .commit_library(
                    tx,
                    ctx,
                    team_id,
                    &target.name,
                    parents,
                    &outcome.target_tree,
                    &outcome.bodies,
                    &outcome.source_tree,
                    &message,
                )
                .await?
                .ok_or_else(|| Error::internal("a merge commit was not written"))?;
            Some(commit.id)
        };
        if is_branch_name(source) && source != target.name && source != super::definitions::MAIN {
            if let Some(b) = tx.branch(team_id, source, true).await? {
                let at_merged_head = b.head.as_deref() == source_head;
                if b.status == BranchStatus::Active && !outcome.up_to_date && at_merged_head {
                    tx.set_branch_status(team_id, source, BranchStatus::Merged)
                        .await?;
                }
            }
        }
        tx.append_event(ctx.team_event(
            team_id,
            "merge.committed",
            ("branch", target.id),
            json!({
                "source": source,
                "target": target.name,
                "commit_id": commit_id,
                "fast_forward": outcome.fast_forward,
                "up_to_date": outcome.up_to_date,
            }),
        ))
        .await?;
        Ok((commit_id, outcome))
    }

    /// The head a merge source points at (a branch's head, or a commit).
    pub(crate) async fn source_head(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        source: &str,
    ) -> Result<Option<String>> {
        Ok(self
            .resolve_body_ref(tx, team_id, source, "/source")
            .await?
            .commit)
    }

    /// A draft as its recorded heads and resolutions merge now.
    async fn present_merge(&self, tx: &mut dyn Tx, r: MergeDraftRecord) -> Result<MergeDraft> {
        let outcome = self
            .merge_heads(
                tx,
                r.team_id,
                r.target_head.as_deref(),
                r.source_head.as_deref(),
                &r.resolutions,
            )
            .await?;
        self.present_outcome(tx, r, outcome).await
    }

    /// A draft with the merge of its heads and resolutions already computed.
    async fn present_outcome(
        &self,
        tx: &mut dyn Tx,
        r: MergeDraftRecord,
        outcome: MergeOutcome,
    ) -> Result<MergeDraft> {
        let current_target = tx
            .branch(r.team_id, &r.target, false)
            .await?
            .and_then(|b| b.head);
        let current_source = if is_commit_id(&r.source) {
            Some(r.source.clone())
        } else {
            tx.branch(r.team_id, &r.source, false)
                .await?
                .and_then(|b| b.head)
        };
        let status = if r.merged_at.is_some() {
            MergeStatus::Merged
        } else if current_target != r.target_head || current_source != r.source_head {
            MergeStatus::Stale
        } else if outcome.is_clean() {
            MergeStatus::Clean
        } else {
            MergeStatus::Conflicted
        };
        Ok(MergeDraft {
            id: r.id,
            team_id: r.team_id,
            conflicts: outcome.conflicts(&r.resolutions),
            violations: outcome.violations.clone(),
            diff: diff(&outcome.target_lib, &outcome.merged.value),
            source: r.source,
            target: r.target,
            source_head: r.source_head,
            target_head: r.target_head,
            merge_bases: outcome.bases,
            status,
            fast_forward: outcome.fast_forward,
            up_to_date: outcome.up_to_date,
            commit_id: r.commit_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    /// `POST /v1/teams/{team_id}/merges`: a merge draft of `source` into `target` at their
    /// current heads.
    pub async fn create_merge(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: MergeInput,
    ) -> Result<MergeDraft> {
        check_branch_name("/target", &input.target)?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let source_head = self
            .source_head(tx.as_mut(), team_id, &input.source)
            .await?;
        let target = tx
            .branch(team_id, &input.target, false)
            .await?
            .filter(|b| b.status != BranchStatus::Abandoned)
            .ok_or_else(|| Error::not_found("branch"))?;
        let resolutions = match input.resolutions_from {
            None => BTreeMap::new(),
            Some(from) => {
                let earlier = tx
                    .merge_draft(team_id, from, false)
                    .await?
                    .ok_or_else(|| Error::not_found("merge"))?;
                if earlier.source != input.source || earlier.target != input.target {
                    return Err(Error::invalid(
                        "/resolutions_from",
                        "other_branches",
                        "the earlier merge draft is of other branches",
                    ));
                }
                self.carried_resolutions(
                    tx.as_mut(),
                    team_id,
                    &earlier,
                    target.head.as_deref(),
                    source_head.as_deref(),
                )
                .await?
            }
        };
        let at = now();
        let record = MergeDraftRecord {
            id: new_id(),
            team_id,
            source: input.source.clone(),
            target: input.target.clone(),
            source_head,
            target_head: target.head.clone(),
            resolutions,
            commit_id: None,
            merged_at: None,
            created_by: ctx.actor.user.id,
            created_at: at,
            updated_at: at,
        };
        tx.put_merge_draft(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "merge.created",
            ("merge", record.id),
            json!({"source": record.source, "target": record.target,
                   "source_head": record.source_head, "target_head": record.target_head,
                   "resolutions_from": input.resolutions_from,
                   "carried": record.resolutions.len()}),
        ))
        .await?;
        let draft = self.present_merge(tx.as_mut(), record).await?;
        tx.commit().await?;
        Ok(draft)
    }

    /// The resolutions of `earlier` that still apply at the given heads: those of conflicts the
    /// merge there still has with the same base, ours and theirs. Carried resolutions can
    /// reveal further conflicts (of order), so this looks again until nothing more carries.
    async fn carried_resolutions(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        earlier: &MergeDraftRecord,
        target_head: Option<&str>,
        source_head: Option<&str>,
    ) -> Result<BTreeMap<String, Resolution>> {
        let mut carried = BTreeMap::new();
        if earlier.resolutions.is_empty() {
            return Ok(carried);
        }
        let before = self
            .merge_heads(
                tx,
                team_id,
                earlier.target_head.as_deref(),
                earlier.source_head.as_deref(),
                &earlier.resolutions,
            )
            .await?;
        let same_sides = |a: &Conflict, b: &Conflict| {
            a.path == b.path && a.base == b.base && a.ours == b.ours && a.theirs == b.theirs
        };
        for _ in 0..3 {
            let now = self
                .merge_heads(tx, team_id, target_head, source_head, &carried)
                .await?;
            let more: Vec<(String, Resolution)> = now
                .merged
                .conflicts
                .iter()
                .filter(|c| !carried.contains_key(&c.id))
                .filter_map(|c| {
                    let old = before.merged.conflicts.iter().find(|o| o.id == c.id)?;
                    let r = earlier.resolutions.get(&c.id)?;
                    same_sides(old, c).then(|| (c.id.clone(), r.clone()))
                })
                .collect();
            if more.is_empty() {
                break;
            }
            carried.extend(more);
        }
        Ok(carried)
    }

    /// `GET /v1/teams/{team_id}/merges/{merge_id}`.
    pub async fn get_merge(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<MergeDraft> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let record = tx
            .merge_draft(team_id, id, false)
            .await?
            .ok_or_else(|| Error::not_found("merge"))?;
        self.present_merge(tx.as_mut(), record).await
    }

    /// `PUT /v1/teams/{team_id}/merges/{merge_id}/resolutions`: resolves conflicts one by one
    /// and/or all the others alike; later resolutions of a conflict replace earlier ones.
    pub async fn resolve_merge(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: ResolutionsInput,
    ) -> Result<MergeDraft> {
        let mut v = crate::error::Violations::new();
        for (i, r) in input.resolutions.iter().enumerate() {
            if r.choice == ResolutionChoice::Value && r.value.is_none() {
                v.add(
                    &format!("/resolutions/{i}/value"),
                    "required",
                    "choice value needs a value",
                );
            }
        }
        if input.all == Some(ResolutionChoice::Value) {
            v.add("/all", "invalid", "all takes ours, theirs or base");
        }
        if input.resolutions.len() > 1000 {
            v.add("/resolutions", "too_many", "at most 1000 resolutions");
        }
        for (i, r) in input.resolutions.iter().enumerate() {
            let size = r.value.as_ref().map_or(0, |v| v.to_string().len());
            if size > MAX_VALUE_BYTES {
                v.add(
                    &format!("/resolutions/{i}/value"),
                    "too_large",
                    format!("a chosen value has at most {MAX_VALUE_BYTES} bytes of JSON"),
                );
            }
        }
        v.finish()?;
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut record = open_merge(tx.as_mut(), team_id, id).await?;
        let outcome = self
            .merge_heads(
                tx.as_mut(),
                team_id,
                record.target_head.as_deref(),
                record.source_head.as_deref(),
                &record.resolutions,
            )
            .await?;
        let known: Vec<&str> = outcome
            .merged
            .conflicts
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let mut v = crate::error::Violations::new();
        for (i, r) in input.resolutions.iter().enumerate() {
            if !known.contains(&r.conflict_id.as_str()) {
                v.add(
                    &format!("/resolutions/{i}/conflict_id"),
                    "unknown_conflict",
                    "the merge has no conflict with this id",
                );
            }
        }
        v.finish()?;
        for r in &input.resolutions {
            record.resolutions.insert(
                r.conflict_id.clone(),
                Resolution {
                    choice: r.choice,
                    value: r
                        .value
                        .clone()
                        .filter(|_| r.choice == ResolutionChoice::Value),
                },
            );
        }
        if let Some(all) = input.all {
            for c in &outcome.merged.conflicts {
                record
                    .resolutions
                    .entry(c.id.clone())
                    .or_insert(Resolution {
                        choice: all,
                        value: None,
                    });
            }
        }
        record.updated_at = now();
        tx.put_merge_draft(&record).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "merge.resolved",
            ("merge", record.id),
            json!({"resolved": record.resolutions.len()}),
        ))
        .await?;
        let draft = self.present_merge(tx.as_mut(), record).await?;
        tx.commit().await?;
        Ok(draft)
    }

    /// `POST /v1/teams/{team_id}/merges/{merge_id}/commit`: lands the draft when it is clean and
    /// both heads are where it was computed (409 otherwise). A protected target only changes
    /// through a change proposal (403).
    pub async fn commit_merge(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<MergeDraft> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut record = open_merge(tx.as_mut(), team_id, id).await?;
        let target = self
            .writable_branch(tx.as_mut(), ctx, team_id, &record.target)
            .await?;
        let source_head = self
            .source_head(tx.as_mut(), team_id, &record.source)
            .await?;
        if target.head != record.target_head || source_head != record.source_head {
            return Err(Error::conflict_with(
                "the merge is stale: a head moved since it was drafted; draft it again",
                json!({"target_head": target.head, "source_head": source_head}),
            ));
        }
        let (landed, outcome) = self
            .land_merge(
                tx.as_mut(),
                ctx,
                team_id,
                &record.source,
                source_head.as_deref(),
                &target,
                &record.resolutions,
            )
            .await?;
        record.commit_id = landed;
        record.updated_at = now();
        record.merged_at = Some(record.updated_at);
        tx.put_merge_draft(&record).await?;
        let draft = self.present_outcome(tx.as_mut(), record, outcome).await?;
        tx.commit().await?;
        Ok(draft)
    }
}

/// A merge draft that can still change, its row locked: 404 for none, 409 once committed.
async fn open_merge(tx: &mut dyn Tx, team_id: Uuid, id: Uuid) -> Result<MergeDraftRecord> {
    let record = tx
        .merge_draft(team_id, id, true)
        .await?
        .ok_or_else(|| Error::not_found("merge"))?;
    if record.merged_at.is_some() {
        return Err(Error::conflict("the merge has been committed"));
    }
    Ok(record)
}

/// What changed from one tree to another, as commit changes.
fn tree_changes(from: &Tree, to: &Tree) -> Vec<CommitChange> {
    let mut changes = Vec::new();
    for kind in crate::versioning::keyed::KINDS {
        let (a, b) = (from.of(kind), to.of(kind));
        for (id, entry) in b {
            let op = match a.get(id) {
                None => "added",
                Some(old) if old.hash != entry.hash => "modified",
                Some(_) => continue,
            };
            changes.push(CommitChange {
                kind: kind.as_str().into(),
                id: *id,
                op: op.into(),
                hash: Some(entry.hash.clone()),
            });
        }
        for id in a.keys().filter(|id| !b.contains_key(*id)) {
            changes.push(CommitChange {
                kind: kind.as_str().into(),
                id: *id,
                op: "deleted".into(),
                hash: None,
            });
        }
    }
    changes
}
