//! A team's whole library at a commit: read in its keyed form, checked as a whole, and written
//! back as one commit (merges and reverts).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::definitions::document_problems;
use super::{Ctx, Services};
use crate::engine::definition::{normalize, Known};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Tx;
use crate::versioning::graph::CommitGraph;
use crate::versioning::keyed::{empty_library, escape, from_keyed, section, to_keyed, KINDS};
use crate::versioning::{commit_changes, content_hash, Change, CommitMeta, DefKind, Tree};

/// The team's commit graph with each commit's time.
pub(crate) struct History {
    pub graph: CommitGraph,
    pub times: HashMap<String, DateTime<Utc>>,
}

impl History {
    /// Commits newest first (ties by id), so pages are stable.
    pub fn newest_first(&self, ids: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut ids: Vec<String> = ids.into_iter().collect();
        ids.sort_by(|a, b| self.times.get(b).cmp(&self.times.get(a)).then(a.cmp(b)));
        ids
    }
}

/// The definitions of a checked library, as their stored bodies, by kind and id.
pub(crate) type Bodies = BTreeMap<(&'static str, Uuid), (DefKind, Value)>;

impl Services {
    /// The team's commit graph.
    pub(crate) async fn history(&self, tx: &mut dyn Tx, team_id: Uuid) -> Result<History> {
        let rows = tx.commit_graph(team_id).await?;
        let times = rows.iter().map(|(id, _, at)| (id.clone(), *at)).collect();
        let graph = CommitGraph::new(rows.into_iter().map(|(id, parents, _)| (id, parents)));
        Ok(History { graph, times })
    }

    /// The tree of a commit (empty for none).
    pub(crate) async fn tree_at(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        commit: Option<&str>,
    ) -> Result<Tree> {
        match commit {
            None => Ok(Tree::default()),
            Some(id) => Ok(tx
                .commit(team_id, id)
                .await?
                .ok_or_else(|| Error::internal(format!("commit {id} is missing")))?
                .1),
        }
    }

    /// The keyed library of a tree.
    pub(crate) async fn library(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        tree: &Tree,
    ) -> Result<Value> {
        let mut lib = empty_library();
        for kind in KINDS {
            for (id, entry) in tree.of(kind) {
                let body = tx.snapshot(team_id, &entry.hash).await?.ok_or_else(|| {
                    Error::internal(format!("snapshot {} is missing", entry.hash))
                })?;
                lib[section(kind)][id.to_string()] = to_keyed(kind, &body);
            }
        }
        Ok(lib)
    }

    /// Checks a library as a whole (as saves check each definition): the problems, each at its
    /// pointer in the keyed form, and the definitions as they would be stored.
    pub(crate) async fn check_library(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        lib: &Value,
    ) -> Result<(Vec<Violation>, Bodies)> {
        let mut violations = Vec::new();
        let mut bodies = Bodies::new();
        let mut add = |path: String, code: &str, message: String| {
            violations.push(Violation {
                path,
                code: code.to_string(),
                message,
            })
        };
        let entries = |kind: DefKind| -> Vec<(Uuid, Value)> {
            lib.get(section(kind))
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(id, v)| Some((id.parse().ok()?, from_keyed(kind, v))))
                .collect()
        };
        let mut schemas = HashMap::new();
        for (id, raw) in entries(DefKind::Document) {
            let at = format!("/documents/{id}");
            match serde_json::from_value::<DocumentBody>(raw) {
                Ok(doc) => {
                    for e in document_problems(&doc).into_errors() {
                        add(format!("{at}{}", e.field), &e.code, e.message);
                    }
                    schemas.insert(id, doc.schema.clone());
                    let value = serde_json::to_value(&doc).map_err(Error::internal)?;
                    bodies.insert(("document", id), (DefKind::Document, value));
                }
                Err(e) => add(at, "invalid", e.to_string()),
            }
        }
        for (id, raw) in entries(DefKind::Rule) {
            let at = format!("/rules/{id}");
            match serde_json::from_value::<BusinessRuleBody>(raw) {
                Ok(rule) => {
                    let problems = self.rule_problems(tx, team_id, &rule).await?;
                    for e in problems.into_errors() {
                        add(format!("{at}{}", e.field), &e.code, e.message);
                    }
                    let value = serde_json::to_value(&rule).map_err(Error::internal)?;
                    bodies.insert(("rule", id), (DefKind::Rule, value));
                }
                Err(e) => add(at, "invalid", e.to_string()),
            }
        }
        for (id, raw) in entries(DefKind::Playbook) {
            let at = format!("/playbooks/{id}");
            let mut body = match serde_json::from_value::<PlaybookBody>(raw) {
                Ok(body) => body,
                Err(e) => {
                    add(at, "invalid", e.to_string());
                    continue;
                }
            };
            let mut known = Known {
                roles: self.known_roles(tx, team_id, &body).await?,
                ..Known::default()
            };
            for doc in body.steps.iter().filter_map(|s| s.form_document_id) {
                if let Some(schema) = schemas.get(&doc) {
                    known.documents.insert(doc, schema.clone());
                }
            }
            let step_ids: Vec<String> = body.steps.iter().map(|s| s.id.clone()).collect();
            match normalize(&mut body, &known) {
                Ok(()) => {
                    let value = serde_json::to_value(&body).map_err(Error::internal)?;
                    bodies.insert(("playbook", id), (DefKind::Playbook, value));
                }
                Err(errors) => {
                    for e in errors {
                        add(keyed_pointer(&at, &step_ids, &e.field), &e.code, e.message);
                    }
                }
            }
        }
        Ok((violations, bodies))
    }

    /// Writes checked definitions onto `branch` as one commit with `parents` (the first is the
    /// branch's head, whose tree is `tree`), moving the branch by compare-and-swap, with a
    /// `{kind}.committed` event per changed definition. `None` when a single-parent commit
    /// would change nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn commit_library(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        branch: &str,
        parents: Vec<String>,
        tree: &Tree,
        bodies: &Bodies,
        created: &Tree,
        message: &str,
    ) -> Result<Option<Commit>> {
        let mut changes = Vec::new();
        let mut present: HashSet<(DefKind, Uuid)> = HashSet::new();
        for ((_, id), (kind, body)) in bodies {
            let hash = content_hash(body);
            if tree.of(*kind).get(id).map(|e| &e.hash) != Some(&hash) {
                tx.put_snapshot(team_id, &hash, kind.as_str(), body).await?;
            }
            present.insert((*kind, *id));
            changes.push(Change {
                kind: *kind,
                id: *id,
                hash: Some(hash),
                created_at: created.of(*kind).get(id).map(|e| e.created_at),
            });
        }
        for kind in KINDS {
            for id in tree.of(kind).keys() {
                if !present.contains(&(kind, *id)) {
                    changes.push(Change {
                        kind,
                        id: *id,
                        hash: None,
                        created_at: None,
                    });
                }
            }
        }
        let head = parents.first().cloned();
        let meta = CommitMeta {
            author_id: Some(ctx.actor.user.id),
            message,
            at: crate::model::now(),
        };
        let (commit, next) = commit_changes(team_id, parents, tree, &changes, meta);
        if commit.changes.is_empty() && commit.parents.len() < 2 {
            return Ok(None);
        }
        tx.insert_commit(&commit, &next).await?;
        self.move_branch_to(tx, team_id, branch, head.as_deref(), &commit.id)
            .await?;
        self.committed_events(tx, ctx, team_id, branch, &commit.id, &commit.changes)
            .await?;
        Ok(Some(commit))
    }

    /// Moves a branch by compare-and-swap: 409 with the current head when it moved.
    pub(crate) async fn move_branch_to(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        branch: &str,
        from: Option<&str>,
        to: &str,
    ) -> Result<()> {
        if tx.move_branch(team_id, branch, from, to).await? {
            return Ok(());
        }
        let current = tx
            .branch(team_id, branch, false)
            .await?
            .and_then(|b| b.head);
        Err(Error::conflict_with(
            format!("the branch {branch} has moved since; read it again and retry"),
            json!({"branch": branch, "current_head": current}),
        ))
    }

    /// A `{kind}.committed` event per change of a commit that landed on `branch`.
    pub(crate) async fn committed_events(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        branch: &str,
        commit_id: &str,
        changes: &[CommitChange],
    ) -> Result<()> {
        for change in changes {
            tx.append_event(ctx.team_event(
                team_id,
                &format!("{}.committed", change.kind),
                (change.kind.as_str(), change.id),
                json!({"commit_id": commit_id, "op": change.op, "branch": branch}),
            ))
            .await?;
        }
        Ok(())
    }
}

/// A playbook check's pointer (`/steps/{index}/…`) as a pointer into the keyed library.
fn keyed_pointer(at: &str, step_ids: &[String], field: &str) -> String {
    if let Some(rest) = field.strip_prefix("/steps/") {
        let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if let Some(id) = index.parse::<usize>().ok().and_then(|i| step_ids.get(i)) {
            let tail = if tail.is_empty() {
                String::new()
            } else {
                format!("/{tail}")
            };
            return format!("{at}/steps/{}{tail}", escape(id));
        }
    }
    format!("{at}{field}")
}
