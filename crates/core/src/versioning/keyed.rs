//! The keyed form of a team's library: what diffs and merges work on. Every definition is keyed
//! by its id and every step by its step id, so changes are named by stable paths, never by list
//! positions:
//!
//! ```text
//! { "playbooks": { "<id>": { …playbook fields…, "steps": { "<step_id>": { …fields… } },
//!                            "step_order": ["<step_id>", …] } },
//!   "documents": { "<id>": { …document fields… } },
//!   "rules":     { "<id>": { …rule fields… } } }
//! ```
//!
//! A conflict or change path is a JSON Pointer into this form, such as
//! `/playbooks/{playbook_id}/steps/{step_id}/name`.

use serde_json::{Map, Value};

use super::DefKind;

/// The top-level key of a kind in the keyed form.
pub fn section(kind: DefKind) -> &'static str {
    match kind {
        DefKind::Playbook => "playbooks",
        DefKind::Document => "documents",
        DefKind::Rule => "rules",
    }
}

/// The kinds in the order the keyed form lists them.
pub const KINDS: [DefKind; 3] = [DefKind::Playbook, DefKind::Document, DefKind::Rule];

/// A definition's stored body in its keyed form (playbooks get keyed steps and `step_order`).
pub fn to_keyed(kind: DefKind, body: &Value) -> Value {
    if kind != DefKind::Playbook {
        return body.clone();
    }
    let Value::Object(fields) = body else {
        return body.clone();
    };
    let mut keyed = Map::new();
    for (k, v) in fields {
        if k != "steps" {
            keyed.insert(k.clone(), v.clone());
        }
    }
    let mut steps = Map::new();
    let mut order = Vec::new();
    for step in fields
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Value::Object(step) = step else { continue };
        let Some(id) = step.get("id").and_then(Value::as_str) else {
            continue;
        };
        let mut rest = step.clone();
        rest.remove("id");
        order.push(Value::String(id.to_string()));
        steps.insert(id.to_string(), Value::Object(rest));
    }
    keyed.insert("steps".into(), Value::Object(steps));
    keyed.insert("step_order".into(), Value::Array(order));
    Value::Object(keyed)
}

/// The stored body of a definition in keyed form: steps back in a list, in `step_order`.
pub fn from_keyed(kind: DefKind, keyed: &Value) -> Value {
    if kind != DefKind::Playbook {
        return keyed.clone();
    }
    let Value::Object(fields) = keyed else {
        return keyed.clone();
    };
    let mut body = Map::new();
    for (k, v) in fields {
        if k != "steps" && k != "step_order" {
            body.insert(k.clone(), v.clone());
        }
    }
    let empty = Map::new();
    let steps = fields
        .get("steps")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut list = Vec::new();
    for id in step_order(keyed) {
        if let Some(Value::Object(step)) = steps.get(&id) {
            let mut step_body = Map::new();
            step_body.insert("id".into(), Value::String(id.clone()));
            step_body.extend(step.clone());
            list.push(Value::Object(step_body));
        }
    }
    body.insert("steps".into(), Value::Array(list));
    Value::Object(body)
}

/// A keyed playbook's step order.
pub fn step_order(keyed: &Value) -> Vec<String> {
    keyed
        .get("step_order")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// An empty keyed library.
pub fn empty_library() -> Value {
    let mut lib = Map::new();
    for kind in KINDS {
        lib.insert(section(kind).into(), Value::Object(Map::new()));
    }
    Value::Object(lib)
}

/// Escapes one JSON Pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON Pointer from its tokens.
pub fn pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", escape(t))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn playbooks_round_trip_through_the_keyed_form() {
        let body = json!({"name": "P", "steps": [
            {"id": "b", "name": "B", "type": "human"},
            {"id": "a", "name": "A", "type": "human", "dependencies": ["b"]}
        ]});
        let keyed = to_keyed(DefKind::Playbook, &body);
        assert_eq!(keyed["step_order"], json!(["b", "a"]));
        assert_eq!(keyed["steps"]["a"]["dependencies"], json!(["b"]));
        assert!(keyed["steps"]["a"].get("id").is_none());
        assert_eq!(from_keyed(DefKind::Playbook, &keyed), body);
    }

    #[test]
    fn pointers_escape_their_tokens() {
        assert_eq!(pointer(&["a/b".into(), "c~d".into()]), "/a~1b/c~0d");
    }
}
