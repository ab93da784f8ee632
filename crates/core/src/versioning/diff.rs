//! The structured difference between two keyed libraries: per playbook, steps added, removed,
//! moved and changed (each changed field with its old and new value), and per document and
//! rule the changed fields; plus the same as an RFC 6902 JSON Patch over the keyed form.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::keyed::{escape, pointer, section, step_order, KINDS};
use super::merge::moved;
use super::DefKind;

/// How a definition or step differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Added,
    Removed,
    Modified,
}

/// One changed value. `old` is missing when the value was added, `new` when it was removed
/// (a present `null` is shown as `null`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    /// A JSON Pointer into the keyed library.
    pub path: String,
    /// The same path relative to the definition or step (`/name`, `/form/properties/x`).
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub new: Option<Value>,
}

/// A step added or removed, with its position in its list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepPlace {
    pub id: String,
    pub name: String,
    pub position: usize,
}

/// A step whose place among the others changed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepMove {
    pub id: String,
    pub name: String,
    pub from: usize,
    pub to: usize,
}

/// A step whose fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepChange {
    pub id: String,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

/// How the steps of a playbook differ.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct StepsDiff {
    pub added: Vec<StepPlace>,
    pub removed: Vec<StepPlace>,
    pub moved: Vec<StepMove>,
    pub changed: Vec<StepChange>,
}

/// How one definition differs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DefinitionDiff {
    #[schema(value_type = crate::model::UuidText)]
    pub id: String,
    /// Its name on the head side (the base side when removed).
    pub name: String,
    pub status: ChangeStatus,
    /// Changed fields outside the steps.
    pub fields: Vec<FieldChange>,
    /// Playbooks only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<StepsDiff>,
}

/// The difference between two libraries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct LibraryDiff {
    pub playbooks: Vec<DefinitionDiff>,
    pub documents: Vec<DefinitionDiff>,
    pub rules: Vec<DefinitionDiff>,
    /// RFC 6902 operations turning the base's keyed library into the head's.
    #[schema(value_type = Vec<Object>)]
    pub json_patch: Vec<Value>,
}

impl LibraryDiff {
    /// Whether the two sides are the same.
    pub fn is_empty(&self) -> bool {
        self.playbooks.is_empty() && self.documents.is_empty() && self.rules.is_empty()
    }

    /// The definitions of one kind that differ.
    pub fn of(&self, kind: DefKind) -> &[DefinitionDiff] {
        match kind {
            DefKind::Playbook => &self.playbooks,
            DefKind::Document => &self.documents,
            DefKind::Rule => &self.rules,
        }
    }
}

/// The difference from `base` to `head` (keyed libraries).
pub fn diff(base: &Value, head: &Value) -> LibraryDiff {
    let mut out = LibraryDiff::default();
    for kind in KINDS {
        let empty = Map::new();
        let side = |lib: &'_ Value| lib.get(section(kind)).and_then(Value::as_object).cloned();
        let b = side(base).unwrap_or_else(|| empty.clone());
        let h = side(head).unwrap_or_else(|| empty.clone());
        let ids: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
        let mut found = Vec::new();
        for id in ids {
            let (bv, hv) = (b.get(id), h.get(id));
            if bv == hv {
                continue;
            }
            let prefix = vec![section(kind).to_string(), id.clone()];
            found.push(definition_diff(kind, &prefix, id, bv, hv));
        }
        match kind {
            DefKind::Playbook => out.playbooks = found,
            DefKind::Document => out.documents = found,
            DefKind::Rule => out.rules = found,
        }
    }
    out.json_patch = serde_json::to_value(json_patch::diff(base, head))
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    out
}

fn name_of(v: Option<&Value>) -> String {
    v.and_then(|v| v.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn definition_diff(
    kind: DefKind,
    prefix: &[String],
    id: &str,
    b: Option<&Value>,
    h: Option<&Value>,
) -> DefinitionDiff {
    let status = match (b, h) {
        (None, _) => ChangeStatus::Added,
        (_, None) => ChangeStatus::Removed,
        _ => ChangeStatus::Modified,
    };
    let name = name_of(h.or(b));
    let mut fields = Vec::new();
    if status == ChangeStatus::Modified {
        let skip: &[&str] = if kind == DefKind::Playbook {
            &["steps", "step_order"]
        } else {
            &[]
        };
        leaf_changes(prefix, &mut Vec::new(), b, h, skip, &mut fields);
    }
    let steps = (kind == DefKind::Playbook).then(|| steps_diff(prefix, b, h));
    DefinitionDiff {
        id: id.to_string(),
        name,
        status,
        fields,
        steps,
    }
}

fn steps_diff(prefix: &[String], b: Option<&Value>, h: Option<&Value>) -> StepsDiff {
    let empty = Value::Object(Map::new());
    let (b, h) = (b.unwrap_or(&empty), h.unwrap_or(&empty));
    let (bo, ho) = (step_order(b), step_order(h));
    let index = |order: &[String]| -> HashMap<String, usize> {
        order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect()
    };
    let (bi, hi) = (index(&bo), index(&ho));
    let step = |side: &Value, id: &str| side.get("steps").and_then(|s| s.get(id)).cloned();
    let place = |at: &HashMap<String, usize>, side: &Value, id: &String| StepPlace {
        id: id.clone(),
        name: name_of(step(side, id).as_ref()),
        position: at.get(id).copied().unwrap_or(0),
    };
    let mut out = StepsDiff::default();
    for id in ho.iter().filter(|id| !bi.contains_key(*id)) {
        out.added.push(place(&hi, h, id));
    }
    for id in bo.iter().filter(|id| !hi.contains_key(*id)) {
        out.removed.push(place(&bi, b, id));
    }
    let moved = moved(&bo, &ho);
    for id in ho.iter().filter(|id| moved.contains(*id)) {
        out.moved.push(StepMove {
            id: id.clone(),
            name: name_of(step(h, id).as_ref()),
            from: bi.get(id).copied().unwrap_or(0),
            to: hi.get(id).copied().unwrap_or(0),
        });
    }
    for id in ho.iter().filter(|id| bi.contains_key(*id)) {
        let (bs, hs) = (step(b, id), step(h, id));
        if bs == hs {
            continue;
        }
        let mut at = prefix.to_vec();
        at.extend(["steps".to_string(), id.clone()]);
        let mut fields = Vec::new();
        leaf_changes(
            &at,
            &mut Vec::new(),
            bs.as_ref(),
            hs.as_ref(),
            &[],
            &mut fields,
        );
        out.changed.push(StepChange {
            id: id.clone(),
            name: name_of(hs.as_ref()),
            fields,
        });
    }
    out
}

/// Every changed value under two objects: keys are followed into nested objects; anything else
/// that differs is one change.
fn leaf_changes(
    prefix: &[String],
    rel: &mut Vec<String>,
    b: Option<&Value>,
    h: Option<&Value>,
    skip: &[&str],
    out: &mut Vec<FieldChange>,
) {
    if b == h {
        return;
    }
    if let (Some(Value::Object(bm)), Some(Value::Object(hm))) = (b, h) {
        let keys: BTreeSet<&String> = bm.keys().chain(hm.keys()).collect();
        for key in keys {
            if rel.is_empty() && skip.contains(&key.as_str()) {
                continue;
            }
            rel.push(key.clone());
            leaf_changes(prefix, rel, bm.get(key), hm.get(key), skip, out);
            rel.pop();
        }
        return;
    }
    let field: String = rel.iter().map(|t| format!("/{}", escape(t))).collect();
    out.push(FieldChange {
        path: format!("{}{field}", pointer(prefix)),
        field,
        old: b.cloned(),
        new: h.cloned(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::versioning::keyed::to_keyed;
    use serde_json::json;

    fn lib(steps: Value) -> Value {
        let pb = to_keyed(DefKind::Playbook, &json!({"name": "P", "steps": steps}));
        json!({"playbooks": {"p": pb}, "documents": {}, "rules": {}})
    }

    #[test]
    fn steps_added_removed_moved_and_changed_with_a_patch_that_applies() {
        let base = lib(json!([
            {"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}
        ]));
        let head = lib(json!([
            {"id": "c", "name": "C"}, {"id": "a", "name": "A2", "form": {"type": "object"}},
            {"id": "n", "name": "N"}
        ]));
        let d = diff(&base, &head);
        let steps = d.playbooks[0].steps.as_ref().unwrap();
        assert_eq!(steps.added[0].id, "n");
        assert_eq!(steps.removed[0].id, "b");
        assert_eq!(steps.moved.len(), 1);
        assert_eq!(steps.moved[0].id, "c");
        let a = &steps.changed[0];
        assert_eq!(a.fields.len(), 2);
        assert_eq!(a.fields[0].path, "/playbooks/p/steps/a/form");
        assert_eq!(a.fields[0].old, None);
        assert_eq!(a.fields[1].field, "/name");
        assert_eq!(a.fields[1].new, Some(json!("A2")));

        let patch: json_patch::Patch =
            serde_json::from_value(Value::Array(d.json_patch.clone())).unwrap();
        let mut applied = base.clone();
        json_patch::patch(&mut applied, &patch).unwrap();
        assert_eq!(applied, head);
    }
}
