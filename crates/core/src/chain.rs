//! The audit hash chain: how an entry's hash is computed and how a chain is checked. Pure.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{AuditEntry, BrokenLink, Event};

/// The `prev_hash` of the first entry of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// JSON with object keys sorted at every level, so equal values hash equally on both backends.
pub fn canonical_json(value: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&map[*k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Hex SHA-256 over the previous hash and the canonical form of the event and its chain.
pub fn entry_hash(prev_hash: &str, scope_id: Uuid, event: &Event) -> String {
    let body = serde_json::json!({
        "scope_id": scope_id,
        "id": event.id,
        "seq": event.seq,
        "type": event.kind,
        "version": event.version,
        "team_id": event.team_id,
        "occurred_at": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": event.actor,
        "entity": event.entity,
        "data": event.data,
    });
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_json(&body).as_bytes());
    hex::encode(hasher.finalize())
}

/// Walks a chain segment in `seq` order. Call `check` for each entry, then `finish` with the
/// chain head's `(last_seq, last_hash)`.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: i64,
    pub first_broken: Option<BrokenLink>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            checked: 0,
            first_broken: None,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry; once broken, later entries are only counted.
    pub fn check(&mut self, entry: &AuditEntry) {
        self.checked += 1;
        if self.first_broken.is_some() {
            return;
        }
        let seq = entry.event.seq;
        let broken = |reason: &str| BrokenLink {
            seq,
            event_id: Some(entry.event.id),
            reason: reason.to_string(),
        };
        if seq != self.expected_seq {
            self.first_broken = Some(BrokenLink {
                seq: self.expected_seq,
                event_id: None,
                reason: format!("entry {} is missing", self.expected_seq),
            });
        } else if entry.prev_hash != self.prev_hash {
            self.first_broken = Some(broken("prev_hash does not match the previous entry"));
        } else if entry_hash(&entry.prev_hash, entry.scope_id, &entry.event) != entry.hash {
            self.first_broken = Some(broken("the entry's content does not match its hash"));
        }
        self.expected_seq = seq + 1;
        self.prev_hash = entry.hash.clone();
    }

    /// Compares the end of the chain with its head, which catches entries cut off the end.
    pub fn finish(&mut self, head: Option<(i64, String)>) {
        if self.first_broken.is_some() {
            return;
        }
        let (last_seq, last_hash) = head.unwrap_or((0, GENESIS_HASH.to_string()));
        if last_seq != self.expected_seq - 1 || last_hash != self.prev_hash {
            self.first_broken = Some(BrokenLink {
                seq: self.expected_seq,
                event_id: None,
                reason: format!(
                    "the chain head is at entry {last_seq} but the entries end at {}",
                    self.expected_seq - 1
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActorType, EventActor, EventEntity};

    fn chain(n: i64) -> Vec<AuditEntry> {
        let scope = Uuid::now_v7();
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let event = Event {
                    id: Uuid::now_v7(),
                    seq,
                    kind: "team.updated".into(),
                    version: 1,
                    team_id: Some(scope),
                    occurred_at: crate::model::now(),
                    actor: EventActor {
                        id: None,
                        kind: ActorType::System,
                    },
                    entity: EventEntity {
                        kind: "team".into(),
                        id: scope,
                    },
                    data: serde_json::json!({"b": 1, "a": [seq, 2.5]}),
                };
                let hash = entry_hash(&prev, scope, &event);
                let entry = AuditEntry {
                    event,
                    scope_id: scope,
                    request_id: None,
                    ip_address: None,
                    user_agent: None,
                    via: None,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> ChainVerifier {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.check(e);
        }
        let head = entries.last().map(|e| (e.event.seq, e.hash.clone()));
        v.finish(head);
        v
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = serde_json::json!({"z": {"b": 1, "a": 2}, "a": [ {"y": 1, "x": 2} ]});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":[{"x":2,"y":1}],"z":{"a":2,"b":1}}"#
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        let v = verify(&chain(5));
        assert!(v.first_broken.is_none());
        assert_eq!(v.checked, 5);
    }

    #[test]
    fn a_changed_entry_is_found() {
        let mut entries = chain(5);
        entries[2].event.data = serde_json::json!({"forged": true});
        let v = verify(&entries);
        assert_eq!(v.first_broken.unwrap().seq, 3);
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut entries = chain(5);
        entries.remove(1);
        let v = verify(&entries);
        assert_eq!(v.first_broken.unwrap().seq, 2);
    }

    #[test]
    fn a_truncated_tail_is_found_against_the_head() {
        let entries = chain(5);
        let mut v = ChainVerifier::default();
        for e in &entries[..3] {
            v.check(e);
        }
        v.finish(Some((5, entries[4].hash.clone())));
        assert_eq!(v.first_broken.unwrap().seq, 4);
    }
}
