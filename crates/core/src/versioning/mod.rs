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

/// One definition a commit sets (`hash`) or removes (`None`). `created_at` is kept for a
/// definition new to the tree that was created earlier elsewhere (on a merged branch).
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: DefKind,
    pub id: Uuid,
    pub hash: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A new commit on top of `parent` that puts `hash` for `id` (or removes it when `None`), with
/// the tree it leads to. `None` when nothing would change.
pub fn commit_change(
    team_id: Uuid,
    parent: Option<(&str, &Tree)>,
    (kind, id, hash): (DefKind, Uuid, Option<String>),
    meta: CommitMeta<'_>,
) -> Option<(Commit, Tree)> {
    let parents: Vec<String> = parent.map(|(p, _)| p.to_string()).into_iter().collect();
    let empty = Tree::default();
    let tree = parent.map(|(_, t)| t).unwrap_or(&empty);
    let change = Change {
        kind,
        id,
        hash,
        created_at: None,
    };
    let (commit, next) = commit_changes(team_id, parents, tree, &[change], meta);
    (!commit.changes.is_empty()).then_some((commit, next))
}

/// A commit with `parents` that applies `changes` to `tree` (the first parent's), with the tree
/// it leads to. Changes that change nothing are left out of the commit.
pub fn commit_changes(
    team_id: Uuid,
    parents: Vec<String>,
    tree: &Tree,
    changes: &[Change],
    meta: CommitMeta<'_>,
) -> (Commit, Tree) {
    let CommitMeta {
        author_id,
        message,
        at,
    } = meta;
    let mut recorded = Vec::new();
    for c in changes {
        let before = tree.of(c.kind).get(&c.id);
        let op = match (before, &c.hash) {
            (None, None) => continue,
            (Some(b), Some(h)) if &b.hash == h => continue,
            (None, Some(_)) => "added",
            (Some(_), Some(_)) => "modified",
            (Some(_), None) => "deleted",
        };
        recorded.push(CommitChange {
            kind: c.kind.as_str().into(),
            id: c.id,
            op: op.into(),
            hash: c.hash.clone(),
        });
    }
    let commit_id = content_hash(&serde_json::json!({
        "team_id": team_id,
        "parents": parents,
        "author_id": author_id,
        "message": message,
        "created_at": at,
        "changes": recorded,
    }));
    let mut next = tree.clone();
    for c in changes {
        let before = tree.of(c.kind).get(&c.id);
        match &c.hash {
            Some(hash) if before.is_some_and(|b| &b.hash == hash) => {}
            Some(hash) => {
                let created_at = before.map(|b| b.created_at).or(c.created_at).unwrap_or(at);
                next.of_mut(c.kind).insert(
                    c.id,
                    TreeEntry {
                        hash: hash.clone(),
                        version: commit_id.clone(),
                        created_at,
                        updated_at: at,
                    },
                );
            }
            None => {
                next.of_mut(c.kind).remove(&c.id);
            }
        }
    }
    let commit = Commit {
        id: commit_id,
        team_id,
        parents,
        author_id,
        message: message.to_string(),
        changes: recorded,
        created_at: at,
    };
    (commit, next)
}

/// A branch's id: a UUID (version 8) derived from its team and name, so it names the branch in
/// events without being stored.
pub fn branch_id(team_id: Uuid, name: &str) -> Uuid {
    let digest = Sha256::digest(format!("branch/{team_id}/{name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// Whether `name` is a valid branch name: one that cannot be taken for a commit id, so every
/// ref means one thing.
pub fn is_branch_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() <= 100
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && !is_commit_id(name)
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
