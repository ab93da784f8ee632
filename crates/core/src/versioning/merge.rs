//! Three-way merge of two keyed libraries (see [`super::keyed`]) against their merge base, at
//! field level over stable ids.
//!
//! - Objects (the library, definitions, steps, and any object inside a field such as a form's
//!   JSON Schema) merge key by key; a key changed on one side only takes that side's value; the
//!   same change on both sides is no conflict.
//! - Any other value that both sides changed differently is one conflict at its JSON Pointer:
//!   `modify_modify`, `delete_modify` (ours deleted, theirs modified), `modify_delete`, or
//!   `add_add` (both added different content). `base`, `ours` and `theirs` say whether the value
//!   is present and what it is, so an absent value is distinct from `null`.
//! - Arrays are values, except the sets `dependencies`, `compliance_tags`, `required`,
//!   `playbook_ids` and `step_ids`: both sides' additions and removals apply, sorted.
//! - A playbook's step order merges by anchors: a step one side moved or added follows the step
//!   before it on that side; steps placed at the same anchor by the two sides are ordered by id,
//!   so the result is the same whichever side is "ours". A step both sides moved to different
//!   places is a `move_move` conflict at `…/steps/{step_id}/position` whose values are
//!   `{"after": step_id | null}`. A move of a step the other side deleted yields to the delete.
//!
//! A conflict's id is derived from its path, so the same conflict found again (after a head
//! moved) keeps its id and its resolution.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use std::collections::HashMap;

use super::keyed::{pointer, step_order};
use crate::engine::dependencies::{resolve, ExecutionType, StepLinks};

/// What kind of disagreement a conflict is (`ours` is the target, `theirs` the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    ModifyModify,
    DeleteModify,
    ModifyDelete,
    AddAdd,
    MoveMove,
}

impl ConflictKind {
    /// The same conflict seen with the sides swapped.
    pub fn swapped(self) -> Self {
        match self {
            Self::DeleteModify => Self::ModifyDelete,
            Self::ModifyDelete => Self::DeleteModify,
            other => other,
        }
    }
}

/// One side's value at a conflict's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Side {
    pub present: bool,
    /// `null` when absent.
    #[schema(value_type = Object)]
    pub value: Value,
}

impl Side {
    fn of(v: Option<&Value>) -> Self {
        Side {
            present: v.is_some(),
            value: v.cloned().unwrap_or(Value::Null),
        }
    }

    /// The value as an option (`None` when absent).
    pub fn get(&self) -> Option<Value> {
        self.present.then(|| self.value.clone())
    }
}

/// A place where the two sides disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Conflict {
    /// Stable: derived from the path.
    pub id: String,
    /// A JSON Pointer into the keyed library.
    pub path: String,
    pub kind: ConflictKind,
    pub base: Side,
    pub ours: Side,
    pub theirs: Side,
    /// Whether a resolution has been given for it.
    pub resolved: bool,
}

/// The id of the conflict at `path`.
pub fn conflict_id(path: &str) -> String {
    hex::encode(&Sha256::digest(path.as_bytes())[..8])
}

/// Chosen values by conflict id (`None`: the value is absent).
pub type Resolutions = BTreeMap<String, Option<Value>>;

/// What an unresolved conflict leaves in the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Ours: a preview of the target with the source's clean changes.
    Ours,
    /// The base: for the virtual base of a criss-cross merge, where a disagreement between the
    /// merge bases must surface again as a conflict rather than be decided silently.
    Base,
}

/// The merged library and every conflict met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub value: Value,
    pub conflicts: Vec<Conflict>,
}

impl Merged {
    /// Conflicts without a resolution.
    pub fn open_conflicts(&self) -> usize {
        self.conflicts.iter().filter(|c| !c.resolved).count()
    }
}

const SET_FIELDS: [&str; 5] = [
    "dependencies",
    "compliance_tags",
    "required",
    "playbook_ids",
    "step_ids",
];

/// Merges `ours` and `theirs` (keyed libraries) against `base`.
pub fn merge(
    base: &Value,
    ours: &Value,
    theirs: &Value,
    resolutions: &Resolutions,
    fallback: Fallback,
) -> Merged {
    let mut cx = Cx {
        conflicts: Vec::new(),
        resolutions,
        fallback,
    };
    let mut path = Vec::new();
    let value = cx
        .merge_at(&mut path, Some(base), Some(ours), Some(theirs))
        .unwrap_or_else(|| json!({}));
    Merged {
        value,
        conflicts: cx.conflicts,
    }
}

struct Cx<'a> {
    conflicts: Vec<Conflict>,
    resolutions: &'a Resolutions,
    fallback: Fallback,
}

fn kind_of(b: Option<&Value>, o: Option<&Value>, t: Option<&Value>) -> ConflictKind {
    match (b, o, t) {
        (None, _, _) => ConflictKind::AddAdd,
        (Some(_), None, _) => ConflictKind::DeleteModify,
        (Some(_), _, None) => ConflictKind::ModifyDelete,
        _ => ConflictKind::ModifyModify,
    }
}

impl Cx<'_> {
    fn merge_at(
        &mut self,
        path: &mut Vec<String>,
        b: Option<&Value>,
        o: Option<&Value>,
        t: Option<&Value>,
    ) -> Option<Value> {
        if o == t || b == t {
            return o.cloned();
        }
        if b == o {
            return t.cloned();
        }
        if let (Some(Value::Object(om)), Some(Value::Object(tm))) = (o, t) {
            let empty = Map::new();
            let bm = match b {
                None => Some(&empty),
                Some(Value::Object(m)) => Some(m),
                Some(_) => None,
            };
            if let Some(bm) = bm {
                return Some(Value::Object(self.merge_objects(path, bm, om, tm)));
            }
        }
        if path
            .last()
            .is_some_and(|k| SET_FIELDS.contains(&k.as_str()))
        {
            if let Some(merged) = merge_set(b, o, t) {
                return Some(merged);
            }
        }
        self.conflict(path, kind_of(b, o, t), b, o, t)
    }

    fn merge_objects(
        &mut self,
        path: &mut Vec<String>,
        bm: &Map<String, Value>,
        om: &Map<String, Value>,
        tm: &Map<String, Value>,
    ) -> Map<String, Value> {
        let is_playbook = path.len() == 2 && path[0] == "playbooks";
        let keys: BTreeSet<&String> = bm.keys().chain(om.keys()).chain(tm.keys()).collect();
        let mut out = Map::new();
        for key in keys {
            if is_playbook && key == "step_order" {
                continue;
            }
            path.push(key.clone());
            let merged = self.merge_at(path, bm.get(key), om.get(key), tm.get(key));
            path.pop();
            if let Some(v) = merged {
                out.insert(key.clone(), v);
            }
        }
        if is_playbook {
            let steps: BTreeSet<String> = out
                .get("steps")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let order = |m: &Map<String, Value>| step_order(&Value::Object(m.clone()));
            let merged = self.merge_order(path, &order(bm), &order(om), &order(tm), &steps);
            follow_order(&merged, om, tm, &mut out);
            out.insert("step_order".into(), json!(merged));
        }
        out
    }

    fn conflict(
        &mut self,
        path: &[String],
        kind: ConflictKind,
        b: Option<&Value>,
        o: Option<&Value>,
        t: Option<&Value>,
    ) -> Option<Value> {
        let path = pointer(path);
        let id = conflict_id(&path);
        let resolution = self.resolutions.get(&id).cloned();
        self.conflicts.push(Conflict {
            id,
            path,
            kind,
            base: Side::of(b),
            ours: Side::of(o),
            theirs: Side::of(t),
            resolved: resolution.is_some(),
        });
        match resolution {
            Some(chosen) => chosen,
            None => match self.fallback {
                Fallback::Ours => o.cloned(),
                Fallback::Base => b.cloned(),
            },
        }
    }

    /// The merged order of the steps in `present` (see the module documentation).
    fn merge_order(
        &mut self,
        path: &mut Vec<String>,
        b: &[String],
        o: &[String],
        t: &[String],
        present: &BTreeSet<String>,
    ) -> Vec<String> {
        let in_b: HashSet<&str> = b.iter().map(String::as_str).collect();
        let in_o: HashSet<&str> = o.iter().map(String::as_str).collect();
        let in_t: HashSet<&str> = t.iter().map(String::as_str).collect();
        let moved_o = moved(b, o);
        let moved_t = moved(b, t);
        let placed_o = |e: &str| in_o.contains(e) && (!in_b.contains(e) || moved_o.contains(e));
        let placed_t = |e: &str| in_t.contains(e) && (!in_b.contains(e) || moved_t.contains(e));
        let stable =
            |e: &str| present.contains(e) && in_b.contains(e) && !placed_o(e) && !placed_t(e);

        let mut anchors: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for e in present {
            let e = e.as_str();
            if stable(e) {
                continue;
            }
            let anchor = match (placed_o(e), placed_t(e)) {
                (true, true) => {
                    // Placed by both sides: compared by the steps both sides kept in their base
                    // places, so that whether it conflicts does not hang on how another
                    // conflict (a step deleted on one side) falls back.
                    let common = |x: &str| in_o.contains(x) && in_t.contains(x) && stable(x);
                    let ao = before(o, e, common);
                    let at = before(t, e, common);
                    if ao == at {
                        ao
                    } else {
                        let ab = before(b, e, |_| true);
                        let after = |a: &Option<String>| json!({ "after": a });
                        path.extend(["steps".to_string(), e.to_string(), "position".to_string()]);
                        let kind = if in_b.contains(e) {
                            ConflictKind::MoveMove
                        } else {
                            ConflictKind::AddAdd
                        };
                        let base = in_b.contains(e).then(|| after(&ab));
                        let chosen = self.conflict(
                            path,
                            kind,
                            base.as_ref(),
                            Some(&after(&ao)),
                            Some(&after(&at)),
                        );
                        path.truncate(path.len() - 3);
                        chosen
                            .as_ref()
                            .and_then(|v| v.get("after"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    }
                }
                (true, false) => {
                    before(o, e, |x| present.contains(x) && (stable(x) || placed_o(x)))
                }
                (false, true) => {
                    before(t, e, |x| present.contains(x) && (stable(x) || placed_t(x)))
                }
                // Present on neither side nor moved (kept by a resolution): where the base had it.
                (false, false) => before(b, e, |x| present.contains(x)),
            };
            anchors.entry(anchor).or_default().push(e.to_string());
        }

        let mut out = Vec::new();
        let mut seen = HashSet::new();
        emit_children(None, &anchors, &mut out, &mut seen);
        for e in b.iter().filter(|e| stable(e)) {
            if seen.insert(e.clone()) {
                out.push(e.clone());
                emit_children(Some(e), &anchors, &mut out, &mut seen);
            }
        }
        // Anything left hangs off a step that is not there (a chosen position naming a
        // missing step): it goes last, in id order.
        for e in present {
            if seen.insert(e.clone()) {
                out.push(e.clone());
                emit_children(Some(e), &anchors, &mut out, &mut seen);
            }
        }
        out
    }
}

/// Dependencies by step id.
type Implicit = HashMap<String, BTreeSet<String>>;

/// The dependencies each step would have if it left them to its place in `order`.
fn implicit_dependencies(order: &[String], steps: Option<&Map<String, Value>>) -> Implicit {
    let kind = |id: &str| match steps
        .and_then(|s| s.get(id))
        .and_then(|s| s.get("execution_type"))
        .and_then(Value::as_str)
    {
        Some("parallel") => ExecutionType::Parallel,
        Some("conditional") => ExecutionType::Conditional,
        _ => ExecutionType::Sequential,
    };
    let links: Vec<StepLinks<'_>> = order
        .iter()
        .map(|id| StepLinks {
            id,
            execution_type: kind(id),
            dependencies: None,
        })
        .collect();
    match resolve(&links) {
        Ok(deps) => order
            .iter()
            .cloned()
            .zip(deps.into_iter().map(|d| d.into_iter().collect()))
            .collect(),
        Err(_) => HashMap::new(),
    }
}

/// Steps whose dependencies follow their place on every side that has them (as saved by a
/// client that leaves them implicit) get the dependencies of their place in the merged order,
/// so moves and inserts merge into a sequence, not into a knot of both sides' links.
fn follow_order(
    merged: &[String],
    om: &Map<String, Value>,
    tm: &Map<String, Value>,
    out: &mut Map<String, Value>,
) {
    let sides: Vec<(Option<&Map<String, Value>>, Implicit)> = [om, tm]
        .iter()
        .map(|m| {
            let v = Value::Object((*m).clone());
            let steps = m.get("steps").and_then(Value::as_object);
            (steps, implicit_dependencies(&step_order(&v), steps))
        })
        .collect();
    let after = implicit_dependencies(merged, out.get("steps").and_then(Value::as_object));
    let Some(Value::Object(steps)) = out.get_mut("steps") else {
        return;
    };
    for (id, step) in steps.iter_mut() {
        let mut present = 0;
        let follows = sides.iter().all(|(side_steps, implicit)| {
            let Some(deps) = side_steps
                .and_then(|s| s.get(id))
                .map(|s| s.get("dependencies"))
            else {
                return true;
            };
            present += 1;
            let deps: BTreeSet<String> = deps
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            implicit.get(id) == Some(&deps)
        });
        if follows && present > 0 {
            if let (Some(deps), Value::Object(fields)) = (after.get(id), step) {
                fields.insert("dependencies".into(), json!(deps));
            }
        }
    }
}

fn emit_children(
    node: Option<&String>,
    anchors: &BTreeMap<Option<String>, Vec<String>>,
    out: &mut Vec<String>,
    seen: &mut HashSet<String>,
) {
    let Some(children) = anchors.get(&node.cloned()) else {
        return;
    };
    for child in children {
        if seen.insert(child.clone()) {
            out.push(child.clone());
            emit_children(Some(child), anchors, out, seen);
        }
    }
}

/// The nearest step before `e` in `order` that `ok` accepts (`None`: the start).
fn before(order: &[String], e: &str, ok: impl Fn(&str) -> bool) -> Option<String> {
    let i = order.iter().position(|x| x == e)?;
    order[..i].iter().rev().find(|x| ok(x)).cloned()
}

/// The longest step order whose moves are looked for.
const MAX_ORDER: usize = 2000;

/// The steps of both orders that `side` moved: those outside a longest common subsequence of
/// the two orders (over the steps both have). Ties keep earlier base steps in place.
pub fn moved(base: &[String], side: &[String]) -> HashSet<String> {
    let in_side: HashSet<&String> = side.iter().collect();
    let in_base: HashSet<&String> = base.iter().collect();
    let b: Vec<&String> = base.iter().filter(|e| in_side.contains(e)).collect();
    let s: Vec<&String> = side.iter().filter(|e| in_base.contains(e)).collect();
    let (n, m) = (b.len(), s.len());
    if n > MAX_ORDER || m > MAX_ORDER {
        // Far beyond a playbook's 500 steps (only a malformed resolution gets here): no moves.
        return HashSet::new();
    }
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if b[i] == s[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut kept = HashSet::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if b[i] == s[j] {
            kept.insert(b[i]);
            i += 1;
            j += 1;
        } else if lcs[i][j + 1] >= lcs[i + 1][j] {
            j += 1;
        } else {
            i += 1;
        }
    }
    b.into_iter()
        .filter(|e| !kept.contains(e))
        .cloned()
        .collect()
}

/// Merges arrays as sets (absent counts as empty); `None` when a side is not an array.
fn merge_set(b: Option<&Value>, o: Option<&Value>, t: Option<&Value>) -> Option<Value> {
    let items = |v: Option<&Value>| -> Option<Vec<Value>> {
        match v {
            None => Some(Vec::new()),
            Some(Value::Array(a)) => Some(a.clone()),
            Some(_) => None,
        }
    };
    let (b, o, t) = (items(b)?, items(o)?, items(t)?);
    let mut out: Vec<Value> = Vec::new();
    for e in o.iter().chain(t.iter()) {
        let keep = (o.contains(e) && t.contains(e)) || !b.contains(e);
        if keep && !out.contains(e) {
            out.push(e.clone());
        }
    }
    out.sort_by_key(|v| v.to_string());
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb(steps: Value) -> Value {
        let steps = steps.as_array().unwrap().clone();
        let order: Vec<Value> = steps.iter().map(|s| s["id"].clone()).collect();
        let mut keyed = Map::new();
        for s in steps {
            let mut s = s.as_object().unwrap().clone();
            let id = s.remove("id").unwrap();
            keyed.insert(id.as_str().unwrap().to_string(), Value::Object(s));
        }
        json!({"playbooks": {"p": {"name": "P", "steps": keyed, "step_order": order}},
               "documents": {}, "rules": {}})
    }

    fn order(lib: &Value) -> Vec<String> {
        step_order(&lib["playbooks"]["p"])
    }

    fn m(b: &Value, o: &Value, t: &Value) -> Merged {
        merge(b, o, t, &Resolutions::new(), Fallback::Ours)
    }

    #[test]
    fn different_fields_merge_and_the_same_field_conflicts_at_its_path() {
        let base = pb(json!([{"id": "a", "name": "A", "description": ""}]));
        let ours = pb(json!([{"id": "a", "name": "A2", "description": ""}]));
        let theirs = pb(json!([{"id": "a", "name": "A", "description": "d"}]));
        let merged = m(&base, &ours, &theirs);
        assert!(merged.conflicts.is_empty());
        assert_eq!(merged.value["playbooks"]["p"]["steps"]["a"]["name"], "A2");
        assert_eq!(
            merged.value["playbooks"]["p"]["steps"]["a"]["description"],
            "d"
        );

        let theirs = pb(json!([{"id": "a", "name": "A3", "description": ""}]));
        let merged = m(&base, &ours, &theirs);
        assert_eq!(merged.conflicts.len(), 1);
        let c = &merged.conflicts[0];
        assert_eq!(c.path, "/playbooks/p/steps/a/name");
        assert_eq!(c.kind, ConflictKind::ModifyModify);
        assert_eq!(
            (c.ours.value.clone(), c.theirs.value.clone()),
            (json!("A2"), json!("A3"))
        );
    }

    #[test]
    fn concurrent_inserts_at_one_place_keep_both_in_id_order() {
        let base = pb(json!([{"id": "a"}, {"id": "d"}]));
        let ours = pb(json!([{"id": "a"}, {"id": "x"}, {"id": "d"}]));
        let theirs = pb(json!([{"id": "a"}, {"id": "c"}, {"id": "d"}]));
        let one = m(&base, &ours, &theirs);
        let two = m(&base, &theirs, &ours);
        assert!(one.conflicts.is_empty());
        assert_eq!(order(&one.value), ["a", "c", "x", "d"]);
        assert_eq!(one.value, two.value);
    }

    #[test]
    fn implicit_dependencies_follow_the_merged_order() {
        let base = pb(json!([
            {"id": "a", "dependencies": []}, {"id": "d", "dependencies": ["a"]}
        ]));
        let ours = pb(json!([
            {"id": "a", "dependencies": []}, {"id": "x", "dependencies": ["a"]},
            {"id": "d", "dependencies": ["x"]}
        ]));
        let theirs = pb(json!([
            {"id": "a", "dependencies": []}, {"id": "c", "dependencies": ["a"]},
            {"id": "d", "dependencies": ["c"]}
        ]));
        let merged = m(&base, &ours, &theirs);
        let steps = &merged.value["playbooks"]["p"]["steps"];
        assert_eq!(steps["c"]["dependencies"], json!(["a"]));
        assert_eq!(steps["x"]["dependencies"], json!(["c"]));
        assert_eq!(steps["d"]["dependencies"], json!(["x"]));
    }

    #[test]
    fn two_moves_of_one_step_conflict_and_a_move_merges_with_an_edit() {
        let base = pb(json!([{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]));
        let ours = pb(json!([{"id": "a"}, {"id": "d"}, {"id": "b"}, {"id": "c"}]));
        let theirs = pb(json!([{"id": "d"}, {"id": "a"}, {"id": "b"}, {"id": "c"}]));
        let merged = m(&base, &ours, &theirs);
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(merged.conflicts[0].path, "/playbooks/p/steps/d/position");
        assert_eq!(merged.conflicts[0].kind, ConflictKind::MoveMove);
        assert_eq!(merged.conflicts[0].theirs.value, json!({"after": null}));

        let edited = pb(json!([{"id": "a"}, {"id": "b", "name": "B"}, {"id": "c"}, {"id": "d"}]));
        let merged = m(&base, &ours, &edited);
        assert!(merged.conflicts.is_empty());
        assert_eq!(order(&merged.value), ["a", "d", "b", "c"]);
        assert_eq!(merged.value["playbooks"]["p"]["steps"]["b"]["name"], "B");
    }

    #[test]
    fn dependencies_merge_as_sets() {
        let base = pb(json!([{"id": "b", "dependencies": ["a"]}]));
        let ours = pb(json!([{"id": "b", "dependencies": ["x"]}]));
        let theirs = pb(json!([{"id": "b", "dependencies": ["a", "y"]}]));
        let merged = m(&base, &ours, &theirs);
        assert!(merged.conflicts.is_empty());
        assert_eq!(
            merged.value["playbooks"]["p"]["steps"]["b"]["dependencies"],
            json!(["x", "y"])
        );
    }

    #[test]
    fn resolutions_apply_by_conflict_id() {
        let base = pb(json!([{"id": "a", "name": "A"}]));
        let ours = pb(json!([]));
        let theirs = pb(json!([{"id": "a", "name": "A2"}]));
        let merged = m(&base, &ours, &theirs);
        assert_eq!(merged.conflicts[0].kind, ConflictKind::DeleteModify);
        let id = merged.conflicts[0].id.clone();
        let keep = Resolutions::from([(id.clone(), merged.conflicts[0].theirs.get())]);
        let merged = merge(&base, &ours, &theirs, &keep, Fallback::Ours);
        assert_eq!(merged.open_conflicts(), 0);
        assert_eq!(order(&merged.value), ["a"]);
        let drop = Resolutions::from([(id, None)]);
        let merged = merge(&base, &ours, &theirs, &drop, Fallback::Ours);
        assert!(order(&merged.value).is_empty());
    }
}
