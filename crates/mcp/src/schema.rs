//! JSON Schemas of the tools, kept small: `tools/list` is read by a model on every turn.
//!
//! Input schemas come from the argument structs (schemars, no `null` unions, no `$defs`).
//! Output schemas come from the REST door's OpenAPI components (the same Rust types answer
//! both doors), flattened one level: every field that is always present, with its JSON type.
//! Optional and nested detail is allowed (`additionalProperties` stays open) but not spelt out.

use std::sync::{Arc, OnceLock};

use rmcp::model::JsonObject;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The input schema of an argument struct.
pub fn input<T: JsonSchema>() -> Arc<JsonObject> {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.inline_subschemas = true;
    });
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.remove("$schema");
        map.remove("title");
        each_object(map, &strip_format);
        each_object(map, &drop_null);
        return Arc::new(map.clone());
    }
    Arc::new(JsonObject::new())
}

/// Drops schemars' `format` annotations that are not JSON Schema formats (`uint32`, `double`)
/// and would only cost tokens.
fn strip_format(map: &mut Map<String, Value>) {
    if let Some(Value::String(f)) = map.get("format") {
        if !matches!(f.as_str(), "uuid" | "date-time" | "date" | "uri") {
            map.remove("format");
        }
    }
}

/// Applies `f` to every object of a schema, the root first.
fn each_object(map: &mut Map<String, Value>, f: &impl Fn(&mut Map<String, Value>)) {
    f(map);
    for value in map.values_mut() {
        match value {
            Value::Object(m) => each_object(m, f),
            Value::Array(items) => items.iter_mut().for_each(|v| {
                if let Value::Object(m) = v {
                    each_object(m, f)
                }
            }),
            _ => {}
        }
    }
}

/// Optional arguments are left out, never sent as `null`: `["string", "null"]` becomes
/// `"string"`, and `anyOf: [X, {type: null}]` becomes X (single types port to every client).
fn drop_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get("type") {
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if rest.len() == 1 {
            map.insert("type".into(), rest[0].clone());
        }
    }
    if let Some(Value::Array(options)) = map.get("anyOf") {
        let rest: Vec<Value> = options
            .iter()
            .filter(|o| o.get("type") != Some(&json!("null")))
            .cloned()
            .collect();
        if let [Value::Object(only)] = rest.as_slice() {
            let only = only.clone();
            map.remove("anyOf");
            for (k, v) in only {
                map.entry(k).or_insert(v);
            }
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}

fn components() -> &'static Map<String, Value> {
    static COMPONENTS: OnceLock<Map<String, Value>> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        orgata_rest::openapi()
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    })
}

fn resolve(value: &Value) -> Option<&'static Value> {
    let name = value
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    components().get(name)
}

/// `{type}` of a property that is always of one JSON type; `None` for unions and nullables.
fn simple(property: &Value) -> Option<Value> {
    if let Some(target) = resolve(property) {
        if target.get("enum").is_some() {
            return Some(json!({"type": "string"}));
        }
        return match target.get("type").and_then(Value::as_str) {
            Some(t) => Some(json!({ "type": t })),
            None if target.get("properties").is_some() => Some(json!({"type": "object"})),
            None => None,
        };
    }
    match property.get("type")? {
        Value::String(t) => Some(json!({ "type": t })),
        _ => None,
    }
}

/// Every property (with the required ones) of a component, following `allOf`.
fn collect(schema: &Value, props: &mut Map<String, Value>, required: &mut Vec<String>) {
    let schema = resolve(schema).unwrap_or(schema);
    if let Some(map) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in map {
            if let Some(s) = simple(property) {
                props.insert(name.clone(), s);
            }
        }
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        required.push(name.to_string());
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(member, props, required);
    }
}

/// The flattened schema of an OpenAPI component of the REST door, e.g. `ProcessInstance`:
/// the fields that are always present, with their JSON types.
pub fn record(component: &str) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    if let Some(schema) = components().get(component) {
        collect(schema, &mut props, &mut required);
    }
    props.retain(|name, _| required.contains(name));
    let names: Vec<&String> = props.keys().collect();
    json!({"type": "object", "properties": props, "required": names})
}

/// An object with the given properties, all of them required.
pub fn object(properties: &[(&str, Value)]) -> Value {
    let props: Map<String, Value> = properties
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let required: Vec<&str> = properties.iter().map(|(k, _)| *k).collect();
    json!({"type": "object", "properties": props, "required": required})
}

/// An array of `item`.
pub fn array(item: Value) -> Value {
    json!({"type": "array", "items": item})
}

/// A page of a list: `{items, next_cursor?}`.
pub fn page(item: Value) -> Value {
    json!({
        "type": "object",
        "properties": {"items": array(item), "next_cursor": {"type": "string"}},
        "required": ["items"],
    })
}

/// Makes a JSON object of a schema value for `Tool::output_schema`.
pub fn to_object(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(JsonObject::new()),
    }
}
