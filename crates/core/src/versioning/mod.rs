//! Definitions are versioned like code: each playbook, document and rule is stored as an
//! immutable snapshot addressed by the SHA-256 of its canonical JSON; a commit records what a
//! save changed, names its parents and is addressed by the hash of all that; a branch is a ref
//! to a commit, moved by compare-and-swap. Each commit also keeps the tree it leads to (entity
//! id → snapshot and the commit that last changed it), so reading at any ref is one lookup.

pub mod diff;
pub mod graph;
pub mod keyed;
pub mod merge;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::chain::canonical_json;
use crate::model::{Commit, CommitChange};

/// The kinds of versioned definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefKind {
    Playbook,
    Document,
    Rule,
}

impl DefKind {
    /// The name used in commits and snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            DefKind::Playbook => "playbook",
            DefKind::Document => "document",
            DefKind::Rule => "rule",
        }
    }

    /// What a caller calls it in messages.
    pub fn noun(self) -> &'static str {
        match self {
            DefKind::Playbook => "playbook",
            DefKind::Document => "document",
            DefKind::Rule => "business rule",
        }
    }
}

/// Where one definition stands in a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// Its snapshot.
    pub hash: String,
    /// The commit that last changed it.
    pub version: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every definition at a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    #[serde(default)]
    pub playbooks: BTreeMap<Uuid, TreeEntry>,
    #[serde(default)]
    pub documents: BTreeMap<Uuid, TreeEntry>,
    #[serde(default)]
    pub rules: BTreeMap<Uuid, TreeEntry>,
}

impl Tree {
    /// The entries of one kind.
    pub fn of(&self, kind: DefKind) -> &BTreeMap<Uuid, TreeEntry> {
        match kind {
            DefKind::Playbook => &self.playbooks,
            DefKind::Document => &self.documents,
            DefKind::Rule => &self.rules,
        }
    }

    /// The entries of one kind, to change.
    pub fn of_mut(&mut self, kind: DefKind) -> &mut BTreeMap<Uuid, TreeEntry> {
        match kind {
            DefKind::Playbook => &mut self.playbooks,
            DefKind::Document => &mut self.documents,
            DefKind::Rule => &mut self.rules,
        }
    }
}

/// SHA-256 (lowercase hex) of a value's canonical JSON: a snapshot's address.
pub fn content_hash(value: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

/// Who saves, why and when.
#[derive(Debug, Clone, Copy)]
pub struct CommitMeta<'a> {
    pub author_id: Option<Uuid>,
    pub message: &'a str,
    pub at: DateTime<Utc>,
}

/// A new commit on top of `parent` that puts `hash` for `id` (or removes it when `None`), with
/// the tree it leads to. `None` when nothing would change.
pub fn commit_change(
    team_id: Uuid,
    parent: Option<(&str, &Tree)>,
    (kind, id, hash): (DefKind, Uuid, Option<String>),
    meta: CommitMeta<'_>,
) -> Option<(Commit, Tree)> {
    let CommitMeta {
        author_id,
        message,
        at,
    } = meta;
    let mut tree = parent.map(|(_, t)| t.clone()).unwrap_or_default();
    let before = tree.of(kind).get(&id).cloned();
    let op = match (&before, &hash) {
        (None, None) => return None,
        (Some(b), Some(h)) if &b.hash == h => return None,
        (None, Some(_)) => "added",
        (Some(_), Some(_)) => "modified",
        (Some(_), None) => "deleted",
    };
    let changes = vec![CommitChange {
        kind: kind.as_str().into(),
        id,
        op: op.into(),
        hash: hash.clone(),
    }];
    let parents: Vec<String> = parent.map(|(p, _)| p.to_string()).into_iter().collect();
    let commit_id = content_hash(&serde_json::json!({
        "team_id": team_id,
        "parents": parents,
        "author_id": author_id,
        "message": message,
        "created_at": at,
        "changes": changes,
    }));
    match hash {
        Some(hash) => {
            let created_at = before.map(|b| b.created_at).unwrap_or(at);
            tree.of_mut(kind).insert(
                id,
                TreeEntry {
                    hash,
                    version: commit_id.clone(),
                    created_at,
                    updated_at: at,
                },
            );
        }
        None => {
            tree.of_mut(kind).remove(&id);
        }
    }
    let commit = Commit {
        id: commit_id,
        team_id,
        parents,
        author_id,
        message: message.to_string(),
        changes,
        created_at: at,
    };
    Some((commit, tree))
}

/// Whether `name` is a valid branch name.
pub fn is_branch_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() <= 100
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Whether `text` looks like a commit id (64 lowercase hex digits).
pub fn is_commit_id(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_chain_and_unchanged_saves_are_no_commits() {
        let team = Uuid::now_v7();
        let id = Uuid::now_v7();
        let t0 = Utc::now();
        let meta = |message| CommitMeta {
            author_id: None,
            message,
            at: t0,
        };
        let (c1, tree1) = commit_change(
            team,
            None,
            (DefKind::Playbook, id, Some("h1".into())),
            meta("create"),
        )
        .unwrap();
        assert_eq!(c1.changes[0].op, "added");
        assert_eq!(tree1.playbooks[&id].version, c1.id);
        assert!(commit_change(
            team,
            Some((&c1.id, &tree1)),
            (DefKind::Playbook, id, Some("h1".into())),
            meta("same")
        )
        .is_none());
        let (c2, tree2) = commit_change(
            team,
            Some((&c1.id, &tree1)),
            (DefKind::Playbook, id, Some("h2".into())),
            meta("edit"),
        )
        .unwrap();
        assert_eq!(c2.parents, vec![c1.id.clone()]);
        assert_ne!(c2.id, c1.id);
        assert!(is_commit_id(&c2.id));
        assert_eq!(
            tree2.playbooks[&id].created_at,
            tree1.playbooks[&id].created_at
        );
    }

    #[test]
    fn branch_names_follow_the_contract() {
        assert!(is_branch_name("main"));
        assert!(!is_branch_name("feature/x"));
        assert!(is_branch_name("v1.2-fix_3"));
        assert!(!is_branch_name("Main"));
        assert!(!is_branch_name(""));
    }
}
