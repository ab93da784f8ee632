//! Forms: the JSON Schema (2020-12 unless the schema names another draft) that a step's
//! output — or an instance's variables — must satisfy. Formats are checked. Remote `$ref`s are
//! never fetched (jsonschema is built without its HTTP and file resolvers), so a form cannot
//! make the service reach out or read files.

use crate::error::FieldError;

/// A compiled form.
pub struct Form {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Form")
    }
}

impl Form {
    /// Compiles `schema`; the message says what is wrong with it.
    pub fn compile(schema: &serde_json::Value) -> Result<Self, String> {
        let mut options = jsonschema::options().should_validate_formats(true);
        if schema.get("$schema").is_none() {
            options = options.with_draft(jsonschema::Draft::Draft202012);
        }
        options
            .build(schema)
            .map(|validator| Form { validator })
            .map_err(|e| format!("the schema is not valid: {e}"))
    }

    /// The fields a form declares at its top level (`properties`), or `None` when the form
    /// does not say (no `properties`, other properties allowed by a schema, or the object
    /// built by composition), so any field may appear.
    pub fn declared_fields(
        schema: &serde_json::Value,
    ) -> Option<std::collections::BTreeSet<String>> {
        let object = schema.as_object()?;
        let open = |key: &str| object.contains_key(key);
        let additional_allowed = matches!(
            object.get("additionalProperties"),
            Some(v) if v != &serde_json::Value::Bool(false)
        );
        if additional_allowed
            || [
                "patternProperties",
                "allOf",
                "anyOf",
                "oneOf",
                "$ref",
                "$dynamicRef",
                "if",
                "dependentSchemas",
                "unevaluatedProperties",
            ]
            .iter()
            .any(|k| open(k))
        {
            return None;
        }
        let properties = object.get("properties")?.as_object()?;
        Some(properties.keys().cloned().collect())
    }

    /// Every way `value` breaks the form, each at `base` + the value's JSON Pointer.
    pub fn check(&self, value: &serde_json::Value, base: &str) -> Vec<FieldError> {
        self.validator
            .iter_errors(value)
            .map(|e| {
                FieldError::new(
                    format!("{base}{}", e.instance_path()),
                    "form",
                    e.to_string(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form() -> Form {
        Form::compile(&json!({
            "type": "object",
            "required": ["approved", "amount"],
            "properties": {
                "approved": {"type": "boolean"},
                "amount": {"type": "number", "minimum": 0},
                "contact": {"type": "string", "format": "email"},
                "lines": {"type": "array", "items": {"type": "object", "required": ["sku"]}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn valid_output_passes() {
        assert!(form()
            .check(
                &json!({"approved": true, "amount": 10, "contact": "a@b.co"}),
                "/output"
            )
            .is_empty());
    }

    #[test]
    fn every_problem_is_named_with_its_pointer() {
        let errors = form().check(&json!({"approved": "yes", "amount": -1, "contact": "nope", "lines": [{"sku": "a"}, {}]}), "/output");
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            vec![
                "/output/amount",
                "/output/approved",
                "/output/contact",
                "/output/lines/1"
            ],
            "{errors:?}"
        );
        let missing = form().check(&json!({}), "/output");
        assert_eq!(missing.len(), 2);
        assert!(missing.iter().all(|e| e.field == "/output"));
    }

    #[test]
    fn remote_references_are_never_fetched_and_bad_schemas_are_refused() {
        assert!(Form::compile(&json!({"$ref": "http://127.0.0.1:9/schema.json"})).is_err());
        assert!(Form::compile(&json!({"$ref": "file:///etc/passwd"})).is_err());
        assert!(Form::compile(&json!({"type": "no-such-type"})).is_err());
        assert!(
            Form::compile(&json!({"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n"}))
                .is_ok()
        );
    }
}
