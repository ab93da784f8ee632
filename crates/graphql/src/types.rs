//! GraphQL types made from the REST door's OpenAPI components. The same Rust types answer both
//! doors, so a field means the same thing everywhere: an object resolves from the JSON its
//! service result serializes to, and field names are the camelCase of the JSON keys.
//!
//! Mapping: `$ref` → the component's type (objects, enums); `format: uuid` → `ID`;
//! `format: date-time` → `DateTime`; objects without declared properties, maps and unions →
//! the `JSON` scalar; a property is non-null when it is required and not nullable. Input objects
//! take the component's name with `Input` appended (unless it ends so already).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, Scalar, SchemaBuilder,
    TypeRef,
};
use async_graphql::Value;
use serde_json::Map;

/// A JSON value: what service results serialize to and objects resolve from.
pub type Json = serde_json::Value;

/// The scalar for free-form JSON (variables, form data, analytics detail).
pub const JSON: &str = "JSON";
/// The scalar for RFC 3339 timestamps.
pub const DATE_TIME: &str = "DateTime";

/// How a resolved JSON value becomes a GraphQL value.
#[derive(Debug, Clone)]
pub enum Out {
    /// A scalar or enum: the JSON as it is.
    Leaf,
    /// An object type resolving its fields from the JSON.
    Object,
    List(Box<Out>),
}

/// How a GraphQL input value becomes the JSON a service reads.
#[derive(Debug, Clone)]
pub enum In {
    Leaf,
    /// An input object, by name (see [`InputShapes`]).
    Object(String),
    List(Box<In>),
}

/// Each input object's fields: GraphQL name, JSON key, shape.
#[derive(Debug, Default)]
pub struct InputShapes(HashMap<String, Vec<(String, String, In)>>);

impl InputShapes {
    /// The JSON of a GraphQL input value.
    pub fn to_json(&self, shape: &In, value: &Value) -> Json {
        match (shape, value) {
            (_, Value::Null) => Json::Null,
            (In::Object(name), Value::Object(map)) => {
                let mut out = Map::new();
                for (gql, key, inner) in self.0.get(name).into_iter().flatten() {
                    if let Some(v) = map.get(gql.as_str()) {
                        out.insert(key.clone(), self.to_json(inner, v));
                    }
                }
                Json::Object(out)
            }
            (In::List(inner), Value::List(items)) => {
                Json::Array(items.iter().map(|v| self.to_json(inner, v)).collect())
            }
            // A single value where a list is expected (GraphQL input coercion).
            (In::List(inner), v) => Json::Array(vec![self.to_json(inner, v)]),
            (_, Value::Enum(name)) => Json::String(name.to_string()),
            (_, v) => v.clone().into_json().unwrap_or(Json::Null),
        }
    }
}

/// A type as a field refers to it.
#[derive(Debug, Clone)]
enum Kind {
    Named(String),
    List(Box<Kind>, bool),
}

impl Kind {
    fn type_ref(&self, nullable: bool) -> TypeRef {
        let inner = match self {
            Kind::Named(n) => TypeRef::Named(n.clone().into()),
            Kind::List(item, item_nullable) => {
                TypeRef::List(Box::new(item.type_ref(*item_nullable)))
            }
        };
        if nullable {
            inner
        } else {
            TypeRef::NonNull(Box::new(inner))
        }
    }
}

/// The GraphQL name of a component where it differs (the spec's names).
fn renamed(component: &str) -> &str {
    match component {
        "Playbook" => "Process",
        "StepInput" => "StepVariable",
        other => other,
    }
}

/// The input object name of a component (the spec's names where it gives them).
fn input_name(component: &str) -> String {
    match component {
        "PlaybookInput" => "CreateProcessInput".into(),
        "ExecuteStep" => "StepInput".into(),
        "ProposalInput" => "ChangeProposalInput".into(),
        other => {
            let base = renamed(other);
            if base.ends_with("Input") {
                base.to_string()
            } else {
                format!("{base}Input")
            }
        }
    }
}

/// `due_date` → `dueDate`.
pub fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `due_date` → `DueDate`.
fn pascal(key: &str) -> String {
    let c = camel(key);
    let mut chars = c.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__")
}

/// The JSON value of a leaf as GraphQL returns it.
pub fn leaf(value: &Json) -> Value {
    Value::from_json(value.clone()).unwrap_or(Value::Null)
}

/// A resolved JSON value (borrowed from its parent) as a field value of `shape`.
pub fn field_value<'a>(shape: &Out, value: &'a Json) -> Option<FieldValue<'a>> {
    match (shape, value) {
        (_, Json::Null) => None,
        (Out::Leaf, v) => Some(FieldValue::value(leaf(v))),
        (Out::Object, v) => Some(FieldValue::borrowed_any(v)),
        (Out::List(inner), Json::Array(items)) => Some(FieldValue::list(
            items
                .iter()
                .map(|v| field_value(inner, v).unwrap_or(FieldValue::NULL)),
        )),
        (Out::List(_), _) => None,
    }
}

/// An owned JSON value (a service result) as a field value of `shape`.
pub fn owned_value(shape: &Out, value: Json) -> Option<FieldValue<'static>> {
    match (shape, value) {
        (_, Json::Null) => None,
        (Out::Leaf, v) => Some(FieldValue::value(leaf(&v))),
        (Out::Object, v) => Some(FieldValue::owned_any(v)),
        (Out::List(inner), Json::Array(items)) => Some(FieldValue::list(
            items
                .into_iter()
                .map(|v| owned_value(inner, v).unwrap_or(FieldValue::NULL)),
        )),
        (Out::List(_), _) => None,
    }
}

/// The JSON object a field's parent resolved to.
pub fn parent<'a>(
    ctx: &async_graphql::dynamic::ResolverContext<'a>,
) -> async_graphql::Result<&'a Json> {
    if let Some(v) = ctx.parent_value.downcast_ref::<Json>() {
        return Ok(v);
    }
    ctx.parent_value
        .try_downcast_ref::<Arc<Json>>()
        .map(|v| v.as_ref())
}

/// Every type of the schema, made on demand from the components.
pub struct Types {
    components: Map<String, Json>,
    objects: indexmap_like::Ordered<Object>,
    inputs: indexmap_like::Ordered<InputObject>,
    enums: indexmap_like::Ordered<Enum>,
    shapes: InputShapes,
    /// Fields other modules add to component objects (nested reads).
    extra: HashMap<String, Vec<Field>>,
}

/// A tiny insertion-ordered map, so the SDL comes out in a stable order.
mod indexmap_like {
    use std::collections::BTreeMap;

    pub struct Ordered<T>(pub BTreeMap<String, Option<T>>);

    impl<T> Default for Ordered<T> {
        fn default() -> Self {
            Self(BTreeMap::new())
        }
    }

    impl<T> Ordered<T> {
        /// Marks `name` as taken (before its fields are built, for recursive types).
        pub fn reserve(&mut self, name: &str) -> bool {
            if self.0.contains_key(name) {
                return false;
            }
            self.0.insert(name.to_string(), None);
            true
        }
        pub fn put(&mut self, name: &str, value: T) {
            self.0.insert(name.to_string(), Some(value));
        }
    }
}

impl Types {
    /// The types of the REST door's OpenAPI document.
    pub fn from_openapi(doc: &Json) -> Self {
        let components = doc
            .pointer("/components/schemas")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        Self {
            components,
            objects: Default::default(),
            inputs: Default::default(),
            enums: Default::default(),
            shapes: InputShapes::default(),
            extra: HashMap::new(),
        }
    }

    /// The GraphQL name of a component's output type (made if needed).
    pub fn object(&mut self, component: &str) -> (String, Out) {
        let schema = Json::Object(
            [(
                "$ref".to_string(),
                Json::String(format!("#/components/schemas/{component}")),
            )]
            .into_iter()
            .collect(),
        );
        let (kind, _, out) = self.output(&schema, component);
        match kind {
            Kind::Named(n) => (n, out),
            Kind::List(..) => (JSON.into(), Out::Leaf),
        }
    }

    /// The GraphQL name of a component's input type (made if needed).
    pub fn input_object(&mut self, component: &str) -> (String, In) {
        let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{component}") });
        let (kind, _, shape) = self.input(&schema, component);
        match kind {
            Kind::Named(n) => (n, shape),
            Kind::List(..) => (JSON.into(), In::Leaf),
        }
    }

    /// Adds a schema of the GraphQL door's own (the spec's `Analytics`), usable as a component.
    pub fn define(&mut self, name: &str, schema: Json) {
        self.components.insert(name.to_string(), schema);
    }

    /// Adds a field to a component's object type (a nested read).
    pub fn extend(&mut self, component: &str, field: Field) {
        let name = renamed(component).to_string();
        self.extra.entry(name).or_default().push(field);
    }

    /// Registers every made type (and the scalars) with the schema.
    pub fn register(mut self, mut builder: SchemaBuilder) -> (SchemaBuilder, InputShapes) {
        builder = builder
            .register(Scalar::new(JSON).description("Any JSON value."))
            .register(
                Scalar::new(DATE_TIME)
                    .description("An RFC 3339 timestamp, e.g. `2026-01-31T09:30:00Z`.")
                    .specified_by_url("https://datatracker.ietf.org/doc/html/rfc3339")
                    .validator(|v| matches!(v, Value::String(_))),
            );
        for (name, object) in std::mem::take(&mut self.objects.0) {
            let Some(mut object) = object else { continue };
            for field in self.extra.remove(&name).unwrap_or_default() {
                object = object.field(field);
            }
            builder = builder.register(object);
        }
        for (_, input) in std::mem::take(&mut self.inputs.0) {
            builder = builder.register(input.expect("input object built"));
        }
        for (_, e) in std::mem::take(&mut self.enums.0) {
            builder = builder.register(e.expect("enum built"));
        }
        (builder, self.shapes)
    }

    fn component(&self, schema: &Json) -> Option<(String, Json)> {
        let name = schema
            .get("$ref")?
            .as_str()?
            .strip_prefix("#/components/schemas/")?;
        Some((name.to_string(), self.components.get(name)?.clone()))
    }

    /// Splits a schema into its non-null part and whether it allows null.
    fn nullable(schema: &Json) -> (Json, bool) {
        if let Some(options) = schema.get("oneOf").and_then(Json::as_array) {
            let rest: Vec<&Json> = options
                .iter()
                .filter(|o| o.get("type") != Some(&Json::String("null".into())))
                .collect();
            if let [only] = rest.as_slice() {
                return ((*only).clone(), rest.len() < options.len());
            }
        }
        if let Some(Json::Array(types)) = schema.get("type") {
            let rest: Vec<Json> = types.iter().filter(|t| *t != "null").cloned().collect();
            let mut copy = schema.clone();
            if let [only] = rest.as_slice() {
                copy["type"] = only.clone();
            }
            return (copy, rest.len() < types.len());
        }
        (schema.clone(), false)
    }

    /// The properties and required keys of an object schema, following `allOf` and `$ref`.
    fn properties(&self, schema: &Json, props: &mut Map<String, Json>, required: &mut Vec<String>) {
        if let Some((_, target)) = self.component(schema) {
            return self.properties(&target, props, required);
        }
        if let Some(map) = schema.get("properties").and_then(Json::as_object) {
            for (k, v) in map {
                props.insert(k.clone(), v.clone());
            }
        }
        for r in schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            required.push(r.to_string());
        }
        for member in schema
            .get("allOf")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.properties(member, props, required);
        }
    }

    fn is_object(&self, schema: &Json) -> bool {
        let mut props = Map::new();
        self.properties(schema, &mut props, &mut Vec::new());
        props.keys().any(|k| valid_name(k))
    }

    /// A scalar, enum or list type, or `None` for objects.
    fn leaf_kind(&mut self, schema: &Json, name: &str) -> Option<Kind> {
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            let names: Vec<&str> = values.iter().filter_map(Json::as_str).collect();
            if names.len() == values.len() && names.iter().all(|n| valid_name(n)) {
                if self.enums.reserve(name) {
                    let mut e = Enum::new(name);
                    if let Some(d) = schema.get("description").and_then(Json::as_str) {
                        e = e.description(d);
                    }
                    for n in names {
                        e = e.item(async_graphql::dynamic::EnumItem::new(n));
                    }
                    self.enums.put(name, e);
                }
                return Some(Kind::Named(name.to_string()));
            }
            return Some(Kind::Named(TypeRef::STRING.into()));
        }
        let format = schema.get("format").and_then(Json::as_str);
        let named = |n: &str| Some(Kind::Named(n.to_string()));
        match schema.get("type").and_then(Json::as_str) {
            Some("string") => match format {
                Some("uuid") => named(TypeRef::ID),
                Some("date-time") => named(DATE_TIME),
                _ => named(TypeRef::STRING),
            },
            Some("integer") => named(TypeRef::INT),
            Some("number") => named(TypeRef::FLOAT),
            Some("boolean") => named(TypeRef::BOOLEAN),
            Some("array") | Some("object") => None,
            _ if schema.get("allOf").is_some() || schema.get("properties").is_some() => None,
            _ => named(JSON),
        }
    }

    /// The output type of a schema: kind, nullability, shape. `hint` names inline types.
    fn output(&mut self, schema: &Json, hint: &str) -> (Kind, bool, Out) {
        let (schema, nullable) = Self::nullable(schema);
        let (name, schema) = match self.component(&schema) {
            Some((component, target)) => (renamed(&component).to_string(), target),
            None => (hint.to_string(), schema),
        };
        let (schema, also_null) = Self::nullable(&schema);
        let nullable = nullable || also_null;
        if schema.get("type").and_then(Json::as_str) == Some("array") {
            let items = schema.get("items").cloned().unwrap_or(Json::Null);
            let (kind, item_null, out) = self.output(&items, &format!("{name}Item"));
            return (
                Kind::List(Box::new(kind), item_null),
                nullable,
                Out::List(Box::new(out)),
            );
        }
        if let Some(kind) = self.leaf_kind(&schema, &name) {
            return (kind, nullable, Out::Leaf);
        }
        if !self.is_object(&schema) {
            return (Kind::Named(JSON.into()), nullable, Out::Leaf);
        }
        if self.objects.reserve(&name) {
            let object = self.build_object(&name, &schema);
            self.objects.put(&name, object);
        }
        (Kind::Named(name), nullable, Out::Object)
    }

    fn build_object(&mut self, name: &str, schema: &Json) -> Object {
        let mut props = Map::new();
        let mut required = Vec::new();
        self.properties(schema, &mut props, &mut required);
        let mut object = Object::new(name);
        if let Some(d) = schema.get("description").and_then(Json::as_str) {
            object = object.description(d);
        }
        for (key, prop) in props {
            if !valid_name(&key) {
                continue;
            }
            let (kind, nullable, shape) = self.output(&prop, &format!("{name}{}", pascal(&key)));
            let nullable = nullable || !required.contains(&key);
            let shape = Arc::new(shape);
            let json_key = key.clone();
            let list = matches!(kind, Kind::List(..));
            let mut field = Field::new(camel(&key), kind.type_ref(nullable), move |ctx| {
                let shape = shape.clone();
                let json_key = json_key.clone();
                FieldFuture::new(async move {
                    let value = parent(&ctx)?.get(&json_key);
                    Ok(match value {
                        Some(v) => field_value(&shape, v),
                        // Lists a serializer leaves out when empty read as empty.
                        None if list => Some(FieldValue::list(Vec::<FieldValue>::new())),
                        None => None,
                    })
                })
            });
            if let Some(d) = prop.get("description").and_then(Json::as_str) {
                field = field.description(d);
            }
            object = object.field(field);
        }
        object
    }

    /// The input type of a schema: kind, nullability, shape.
    fn input(&mut self, schema: &Json, hint: &str) -> (Kind, bool, In) {
        let (schema, nullable) = Self::nullable(schema);
        let (enum_name, name, schema) = match self.component(&schema) {
            Some((component, target)) => (
                renamed(&component).to_string(),
                input_name(&component),
                target,
            ),
            None => (hint.to_string(), format!("{hint}Input"), schema),
        };
        let (schema, also_null) = Self::nullable(&schema);
        let nullable = nullable || also_null || schema.get("default").is_some();
        if schema.get("type").and_then(Json::as_str) == Some("array") {
            let items = schema.get("items").cloned().unwrap_or(Json::Null);
            let (kind, item_null, shape) = self.input(&items, &format!("{enum_name}Item"));
            return (
                Kind::List(Box::new(kind), item_null),
                nullable,
                In::List(Box::new(shape)),
            );
        }
        if let Some(kind) = self.leaf_kind(&schema, &enum_name) {
            return (kind, nullable, In::Leaf);
        }
        if !self.is_object(&schema) {
            return (Kind::Named(JSON.into()), nullable, In::Leaf);
        }
        if self.inputs.reserve(&name) {
            let mut props = Map::new();
            let mut required = Vec::new();
            self.properties(&schema, &mut props, &mut required);
            let mut input = InputObject::new(&name);
            if let Some(d) = schema.get("description").and_then(Json::as_str) {
                input = input.description(d);
            }
            let mut fields = Vec::new();
            let base = name.strip_suffix("Input").unwrap_or(&name).to_string();
            for (key, prop) in props {
                if !valid_name(&key) {
                    continue;
                }
                let (kind, null, shape) = self.input(&prop, &format!("{base}{}", pascal(&key)));
                let null = null || !required.contains(&key);
                let mut value = InputValue::new(camel(&key), kind.type_ref(null));
                if let Some(d) = prop.get("description").and_then(Json::as_str) {
                    value = value.description(d);
                }
                input = input.field(value);
                fields.push((camel(&key), key, shape));
            }
            self.shapes.0.insert(name.clone(), fields);
            self.inputs.put(&name, input);
        }
        (Kind::Named(name.clone()), nullable, In::Object(name))
    }
}
