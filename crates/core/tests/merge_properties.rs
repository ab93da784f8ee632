//! Property tests of the three-way merge: random libraries edited at random on two sides.
//! Merging with an unchanged side gives the other side; merging identical sides gives that
//! side; and merge is symmetric up to labels (same result when clean, the same conflicts with
//! `ours` and `theirs` swapped otherwise).

use orgata_core::versioning::keyed::{from_keyed, to_keyed};
use orgata_core::versioning::merge::{merge, Fallback, Merged, Resolutions};
use orgata_core::versioning::DefKind;
use proptest::prelude::*;
use serde_json::{json, Value};

const IDS: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];

/// One edit of a library's playbook `p` or document `d`.
#[derive(Debug, Clone)]
enum Edit {
    Rename(usize, u8),
    Describe(usize, u8),
    Depend(usize, usize),
    Undepend(usize),
    Delete(usize),
    Insert(usize, usize, u8),
    Move(usize, usize),
    FormField(usize, u8),
    DocTitle(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..8usize, 0..3u8).prop_map(|(i, v)| Edit::Rename(i, v)),
        (0..8usize, 0..3u8).prop_map(|(i, v)| Edit::Describe(i, v)),
        (0..8usize, 0..8usize).prop_map(|(i, j)| Edit::Depend(i, j)),
        (0..8usize).prop_map(Edit::Undepend),
        (0..8usize).prop_map(Edit::Delete),
        (0..8usize, 0..9usize, 0..3u8).prop_map(|(i, at, v)| Edit::Insert(i, at, v)),
        (0..8usize, 0..9usize).prop_map(|(i, at)| Edit::Move(i, at)),
        (0..8usize, 0..3u8).prop_map(|(i, v)| Edit::FormField(i, v)),
        (0..3u8).prop_map(Edit::DocTitle),
    ]
}

fn step(id: &str, v: u8) -> Value {
    json!({"id": id, "name": format!("{id}{v}"), "type": "human", "dependencies": []})
}

/// A library with one playbook of `n` steps (ids in a shuffled order) and one document.
fn library(steps: &[Value], title: &str) -> Value {
    let pb = json!({"name": "P", "status": "active", "steps": steps});
    json!({
        "playbooks": {"p": to_keyed(DefKind::Playbook, &pb)},
        "documents": {"d": {"name": "D", "schema": {"title": title}}},
        "rules": {}
    })
}

fn apply(lib: &Value, edits: &[Edit]) -> Value {
    let mut body = from_keyed(DefKind::Playbook, &lib["playbooks"]["p"]);
    let mut title = lib["documents"]["d"]["schema"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let steps = body["steps"].as_array_mut().unwrap();
    for e in edits {
        let n = steps.len();
        match *e {
            Edit::Rename(i, v) if n > 0 => steps[i % n]["name"] = json!(format!("r{v}")),
            Edit::Describe(i, v) if n > 0 => steps[i % n]["description"] = json!(format!("d{v}")),
            Edit::Depend(i, j) if n > 1 => {
                let dep = steps[j % n]["id"].clone();
                let deps = steps[i % n]["dependencies"].as_array_mut().unwrap();
                if !deps.contains(&dep) {
                    deps.push(dep);
                    deps.sort_by_key(|v| v.to_string());
                }
            }
            Edit::Undepend(i) if n > 0 => steps[i % n]["dependencies"] = json!([]),
            Edit::Delete(i) if n > 0 => {
                steps.remove(i % n);
            }
            Edit::Insert(i, at, v) => {
                let id = IDS[i];
                if !steps.iter().any(|s| s["id"] == id) {
                    steps.insert(at % (n + 1), step(id, v));
                }
            }
            Edit::Move(i, at) if n > 1 => {
                let s = steps.remove(i % n);
                steps.insert(at % n, s);
            }
            Edit::FormField(i, v) if n > 0 => {
                steps[i % n]["form"] = json!({"type": "object",
                    "properties": {format!("f{v}"): {"type": "string"}}});
            }
            Edit::DocTitle(v) => title = format!("t{v}"),
            _ => {}
        }
    }
    let steps = body["steps"].as_array().unwrap().clone();
    library(&steps, &title)
}

fn base() -> impl Strategy<Value = Value> {
    (
        Just(IDS.to_vec()).prop_shuffle(),
        0..6usize,
        prop::collection::vec(0..3u8, 8),
    )
        .prop_map(|(ids, n, versions)| {
            let steps: Vec<Value> = ids[..n]
                .iter()
                .zip(versions)
                .map(|(id, v)| step(id, v))
                .collect();
            library(&steps, "t")
        })
}

fn case() -> impl Strategy<Value = (Value, Value, Value)> {
    (
        base(),
        prop::collection::vec(edit(), 0..6),
        prop::collection::vec(edit(), 0..6),
    )
        .prop_map(|(b, eo, et)| {
            let (o, t) = (apply(&b, &eo), apply(&b, &et));
            (b, o, t)
        })
}

fn run(b: &Value, o: &Value, t: &Value) -> Merged {
    merge(b, o, t, &Resolutions::new(), Fallback::Ours)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merging_with_an_unchanged_side_gives_the_other_side((b, o, t) in case()) {
        let left = run(&b, &b, &t);
        prop_assert!(left.conflicts.is_empty());
        prop_assert_eq!(&left.value, &t);
        let right = run(&b, &o, &b);
        prop_assert!(right.conflicts.is_empty());
        prop_assert_eq!(&right.value, &o);
        let same = run(&b, &o, &o);
        prop_assert!(same.conflicts.is_empty());
        prop_assert_eq!(&same.value, &o);
    }

    #[test]
    fn merge_is_symmetric_up_to_labels((b, o, t) in case()) {
        let one = run(&b, &o, &t);
        let two = run(&b, &t, &o);
        prop_assert_eq!(one.conflicts.len(), two.conflicts.len());
        for (x, y) in one.conflicts.iter().zip(&two.conflicts) {
            prop_assert_eq!(&x.id, &y.id);
            prop_assert_eq!(&x.path, &y.path);
            prop_assert_eq!(x.kind, y.kind.swapped());
            prop_assert_eq!(&x.base, &y.base);
            prop_assert_eq!(&x.ours, &y.theirs);
            prop_assert_eq!(&x.theirs, &y.ours);
        }
        if one.conflicts.is_empty() {
            prop_assert_eq!(&one.value, &two.value);
        }
    }

    #[test]
    fn every_step_appears_once_in_the_merged_order((b, o, t) in case()) {
        let merged = run(&b, &o, &t);
        let pb = &merged.value["playbooks"]["p"];
        let mut order: Vec<String> = pb["step_order"].as_array().unwrap().iter()
            .map(|v| v.as_str().unwrap().to_string()).collect();
        let mut keys: Vec<String> = pb["steps"].as_object().unwrap().keys().cloned().collect();
        order.sort();
        keys.sort();
        prop_assert_eq!(order, keys);
    }
}
