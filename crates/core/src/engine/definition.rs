//! Checking a playbook before it is saved: every problem is reported at once, each with a JSON
//! Pointer into the document. A playbook that passes has explicit dependencies and an id on
//! every step, and every expression, form and automation in it compiles.

use std::collections::{BTreeSet, HashMap, HashSet};

use uuid::Uuid;

use super::automation::Automation;
use super::dependencies::{self, ExecutionType, StepLinks};
use super::expr::{Expression, Scope};
use super::forms::Form;
use crate::error::{FieldError, Violations};
use crate::model::{PlaybookBody, StepExecutionType, StepType};

/// The most steps a playbook has.
pub const MAX_STEPS: usize = 500;

/// What a playbook may refer to outside itself.
#[derive(Debug, Default)]
pub struct Known {
    /// Business roles of the team.
    pub roles: HashSet<Uuid>,
    /// Documents on the same ref, with their schemas.
    pub documents: HashMap<Uuid, serde_json::Value>,
}

fn execution_type(t: StepExecutionType) -> ExecutionType {
    match t {
        StepExecutionType::Sequential => ExecutionType::Sequential,
        StepExecutionType::Parallel => ExecutionType::Parallel,
        StepExecutionType::Conditional => ExecutionType::Conditional,
    }
}

/// A slug made once from a step's name, unique among `taken`.
pub fn generated_id(name: &str, taken: &HashSet<String>) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(|c| c.to_lowercase()) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    let slug = slug.trim_end_matches('_');
    let mut base: String = if slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug.to_string()
    } else {
        format!("step_{slug}")
    };
    base.truncate(56);
    let base = base.trim_end_matches('_').to_string();
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

/// Step ids an expression refers to as `steps.<id>` or `steps["<id>"]`.
pub fn step_references(expression: &Expression) -> BTreeSet<String> {
    expression
        .paths("steps", 1)
        .into_iter()
        .filter_map(|mut path| path.pop())
        .collect()
}

/// Fields of steps' outputs an expression reads, as `(step id, field)` from
/// `steps.<id>.output.<field>`.
pub fn output_field_references(expression: &Expression) -> BTreeSet<(String, String)> {
    expression
        .paths("steps", 3)
        .into_iter()
        .filter(|path| path.len() == 3 && path[1] == "output")
        .map(|mut path| {
            let field = path.pop().unwrap_or_default();
            (path.swap_remove(0), field)
        })
        .collect()
}

/// Fields of the step's own output a validation rule reads, from `output.<field>`.
fn own_output_fields(expression: &Expression) -> BTreeSet<String> {
    expression
        .paths("output", 1)
        .into_iter()
        .filter_map(|mut path| path.pop())
        .collect()
}

fn check_text(v: &mut Violations, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        v.add(
            field,
            "too_long",
            format!("must have at most {max} characters"),
        );
    }
}

/// Checks `body`, gives steps without an id one, and stores each step's resolved dependencies.
pub fn normalize(body: &mut PlaybookBody, known: &Known) -> Result<(), Vec<FieldError>> {
    let mut v = Violations::new();
    crate::validate::text(&mut v, "/name", &body.name, 1, 200);
    check_text(&mut v, "/description", &body.description, 4000);
    check_text(&mut v, "/category", &body.category, 200);
    for (i, tag) in body.compliance_tags.iter().enumerate() {
        crate::validate::text(&mut v, &format!("/compliance_tags/{i}"), tag, 1, 100);
    }
    if body.compliance_tags.len() > 50 {
        v.add("/compliance_tags", "too_many", "at most 50 tags");
    }
    if body.steps.len() > MAX_STEPS {
        v.add("/steps", "too_many", format!("at most {MAX_STEPS} steps"));
        return Err(v.into_errors());
    }
    if let Some(schema) = &body.variables_schema {
        if let Err(e) = Form::compile(schema) {
            v.add("/variables_schema", "invalid_schema", e);
        }
    }
    for (field, d) in [("/estimated_duration", &body.estimated_duration)] {
        if let Some(d) = d {
            check_duration(&mut v, field, d);
        }
    }

    // Ids: keep the client's, generate the missing ones once.
    let mut taken: HashSet<String> = body
        .steps
        .iter()
        .filter(|s| !s.id.is_empty())
        .map(|s| s.id.clone())
        .collect();
    for step in body.steps.iter_mut().filter(|s| s.id.is_empty()) {
        step.id = generated_id(&step.name, &taken);
        taken.insert(step.id.clone());
    }

    let links: Vec<StepLinks<'_>> = body
        .steps
        .iter()
        .map(|s| StepLinks {
            id: &s.id,
            execution_type: execution_type(s.execution_type),
            dependencies: s.dependencies.as_deref(),
        })
        .collect();
    let resolved = match dependencies::resolve(&links) {
        Ok(resolved) => Some(resolved),
        Err(problems) => {
            for p in problems {
                v.add(&p.field, &p.code, p.message);
            }
            None
        }
    };
    let ids: Vec<&str> = body.steps.iter().map(|s| s.id.as_str()).collect();
    let ancestors = resolved.as_ref().map(|deps| ancestor_sets(&ids, deps));

    // The fields each step's form declares, where it says.
    let declared: HashMap<&str, BTreeSet<String>> = body
        .steps
        .iter()
        .filter_map(|s| {
            let schema = match (&s.form, s.form_document_id) {
                (Some(form), _) => Some(form),
                (None, Some(doc)) => known.documents.get(&doc),
                (None, None) => None,
            }?;
            Some((s.id.as_str(), Form::declared_fields(schema)?))
        })
        .collect();
    let unknown_field = |v: &mut Violations, field: &str, step: &str, name: &str| {
        if declared
            .get(step)
            .is_some_and(|fields| !fields.contains(name))
        {
            v.add(
                field,
                "unknown_field",
                format!("{name} is not a field of the form of step {step}"),
            );
        }
    };

    let empty = serde_json::Value::Object(Default::default());
    for (i, step) in body.steps.iter().enumerate() {
        let at = |f: &str| format!("/steps/{i}/{f}");
        crate::validate::text(&mut v, &at("name"), &step.name, 1, 200);
        check_text(&mut v, &at("description"), &step.description, 4000);
        // An expression: compiles, and names only steps that finish before this one.
        let expression = |v: &mut Violations, field: String, source: &str| {
            let compiled = match Expression::compile(source) {
                Ok(compiled) => compiled,
                Err(e) => {
                    v.add(&field, "invalid_expression", e);
                    return None;
                }
            };
            for name in step_references(&compiled) {
                if !ids.contains(&name.as_str()) {
                    v.add(
                        &field,
                        "unknown_step",
                        format!("the expression refers to steps.{name}, which is not a step of this playbook"),
                    );
                } else if let Some(anc) = &ancestors {
                    if name != step.id && !anc[i].contains(&name) {
                        v.add(
                            &field,
                            "not_upstream",
                            format!("steps.{name} does not always finish before this step; add it to the dependencies"),
                        );
                    }
                }
            }
            for (name, field_name) in output_field_references(&compiled) {
                unknown_field(v, &field, &name, &field_name);
            }
            Some(compiled)
        };
        match (step.execution_type, &step.condition) {
            (StepExecutionType::Conditional, None) => {
                v.add(
                    &at("condition"),
                    "required",
                    "a conditional step needs a condition",
                );
            }
            (_, Some(condition)) => {
                let compiled = expression(&mut v, at("condition"), condition);
                if let Some(compiled) = compiled.filter(|c| !c.reads_instance()) {
                    let scope = Scope {
                        variables: &empty,
                        steps: &empty,
                        output: None,
                    };
                    match compiled.evaluate_bool(scope) {
                        Ok(false) => v.add(
                            &at("condition"),
                            "unreachable",
                            "the condition is always false, so the step can never run",
                        ),
                        Ok(true) => {}
                        Err(e) => v.add(&at("condition"), "invalid_expression", e),
                    }
                }
            }
            _ => {}
        }
        let mut names = HashSet::new();
        for (j, input) in step.inputs.iter().enumerate() {
            let field = format!("/steps/{i}/inputs/{j}");
            if !is_name(&input.name) {
                v.add(
                    &format!("{field}/name"),
                    "invalid_name",
                    "must match ^[A-Za-z_][A-Za-z0-9_]{0,63}$",
                );
            } else if !names.insert(input.name.as_str()) {
                v.add(
                    &format!("{field}/name"),
                    "duplicate",
                    "another input has this name",
                );
            }
            expression(&mut v, format!("{field}/expression"), &input.expression);
        }
        for (j, rule) in step.validation_rules.iter().enumerate() {
            let field = format!("/steps/{i}/validation_rules/{j}");
            let compiled = expression(&mut v, format!("{field}/expression"), &rule.expression);
            for name in compiled.iter().flat_map(own_output_fields) {
                unknown_field(&mut v, &format!("{field}/expression"), &step.id, &name);
            }
            crate::validate::text(&mut v, &format!("{field}/message"), &rule.message, 1, 1000);
        }
        match (&step.form, step.form_document_id) {
            (Some(_), Some(_)) => v.add(
                &at("form_document_id"),
                "exclusive",
                "give either form or form_document_id, not both",
            ),
            (Some(form), None) => {
                if let Err(e) = Form::compile(form) {
                    v.add(&at("form"), "invalid_schema", e);
                }
            }
            (None, Some(doc)) => {
                if !known.documents.contains_key(&doc) {
                    v.add(
                        &at("form_document_id"),
                        "unknown_document",
                        "no document with this id on this ref",
                    );
                }
            }
            (None, None) => {}
        }
        if let Some(role) = step.assigned_role {
            if !known.roles.contains(&role) {
                v.add(
                    &at("assigned_role"),
                    "unknown_role",
                    "no business role of this team has this id",
                );
            }
        }
        if let Some(due) = &step.due {
            check_duration(&mut v, &at("due"), due);
        }
        if let Some(d) = &step.estimated_duration {
            check_duration(&mut v, &at("estimated_duration"), d);
        }
        match (step.kind, &step.automation_config) {
            (StepType::Algorithm, None) => v.add(
                &at("automation_config"),
                "required",
                "an algorithm step needs an automation_config with an action",
            ),
            (StepType::Algorithm, Some(config)) => match Automation::parse(config) {
                Ok(automation) => {
                    for (field, source) in automation.expressions() {
                        expression(
                            &mut v,
                            format!("/steps/{i}/automation_config{field}"),
                            source,
                        );
                    }
                    if let Automation::Wait { duration } = &automation {
                        check_duration(&mut v, &at("automation_config/duration"), duration);
                    }
                }
                Err(e) => v.add(&at("automation_config"), "invalid_automation", e),
            },
            (_, Some(_)) => v.add(
                &at("automation_config"),
                "not_allowed",
                "only algorithm steps have an automation_config",
            ),
            _ => {}
        }
        if let Some(config) = &step.agent_config {
            if !config.is_object() {
                v.add(&at("agent_config"), "type", "must be an object");
            }
        }
    }
    let errors = v.into_errors();
    if !errors.is_empty() {
        return Err(errors);
    }
    let resolved = resolved.expect("no problems, so dependencies resolved");
    for (step, deps) in body.steps.iter_mut().zip(resolved) {
        step.dependencies = Some(deps);
    }
    Ok(())
}

fn check_duration(v: &mut Violations, field: &str, d: &super::due::DurationSpec) {
    if !d.value.is_finite() || d.value < 0.0 || d.value > 1.0e7 {
        v.add(
            &format!("{field}/value"),
            "out_of_range",
            "must be a number from 0 to 10000000",
        );
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// For each step, every step that always finishes before it (its transitive dependencies).
pub fn ancestor_sets(ids: &[&str], deps: &[Vec<String>]) -> Vec<HashSet<String>> {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let order = dependencies::topological_order(deps, ids).unwrap_or_default();
    let mut sets: Vec<HashSet<String>> = vec![HashSet::new(); ids.len()];
    for i in order {
        let mut set = HashSet::new();
        for d in &deps[i] {
            set.insert(d.clone());
            if let Some(&j) = index.get(d.as_str()) {
                set.extend(sets[j].iter().cloned());
            }
        }
        sets[i] = set;
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: serde_json::Value) -> PlaybookBody {
        serde_json::from_value(value).unwrap()
    }

    fn fields(errors: &[FieldError]) -> Vec<(String, String)> {
        errors
            .iter()
            .map(|e| (e.field.clone(), e.code.clone()))
            .collect()
    }

    #[test]
    fn generates_ids_and_resolves_dependencies() {
        let mut b = body(json!({"name": "P", "steps": [
            {"name": "Collect data", "type": "human"},
            {"name": "Check A", "type": "human", "execution_type": "parallel"},
            {"name": "Check B", "type": "human", "execution_type": "parallel"},
            {"name": "Collect data", "type": "human"}
        ]}));
        normalize(&mut b, &Known::default()).unwrap();
        let ids: Vec<_> = b.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["collect_data", "check_a", "check_b", "collect_data_2"]
        );
        assert_eq!(
            b.steps[3].dependencies.as_deref().unwrap(),
            ["check_a", "check_b"]
        );
        assert_eq!(
            b.steps[2].dependencies.as_deref().unwrap(),
            ["collect_data"]
        );
    }

    #[test]
    fn names_every_problem() {
        let mut b = body(
            json!({"name": "P", "variables_schema": {"type": 12}, "steps": [
                {"id": "a", "name": "A", "type": "human", "condition": "variables.x >"},
                {"id": "b", "name": "B", "type": "human", "execution_type": "conditional",
                 "condition": "steps.zzz.output.ok"},
                {"id": "c", "name": "C", "type": "human", "dependencies": ["d"]},
                {"id": "d", "name": "D", "type": "human", "dependencies": ["c"]},
                {"id": "e", "name": "E", "type": "human", "form": {"type": "nope"}},
                {"id": "f", "name": "F", "type": "algorithm"},
                {"id": "g", "name": "G", "type": "human", "execution_type": "conditional", "condition": "1 > 2"}
            ]}),
        );
        let errors = normalize(&mut b, &Known::default()).unwrap_err();
        let got = fields(&errors);
        for expected in [
            ("/variables_schema", "invalid_schema"),
            ("/steps/0/condition", "invalid_expression"),
            ("/steps/1/condition", "unknown_step"),
            ("/steps/2/dependencies", "cycle"),
            ("/steps/4/form", "invalid_schema"),
            ("/steps/5/automation_config", "required"),
            ("/steps/6/condition", "unreachable"),
        ] {
            assert!(
                got.iter().any(|(f, c)| f == expected.0 && c == expected.1),
                "{expected:?} missing from {got:?}"
            );
        }
    }

    #[test]
    fn a_reference_to_a_later_step_is_not_upstream() {
        let mut b = body(json!({"name": "P", "steps": [
            {"id": "a", "name": "A", "type": "human", "inputs": [{"name": "x", "expression": "steps.b.output"}]},
            {"id": "b", "name": "B", "type": "human"}
        ]}));
        let errors = normalize(&mut b, &Known::default()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [(
                "/steps/0/inputs/0/expression".to_string(),
                "not_upstream".to_string()
            )]
        );
    }

    #[test]
    fn finds_step_references() {
        let e = |s: &str| Expression::compile(s).unwrap();
        let refs = step_references(&e(
            "steps.a.output.x && steps[\"b\"].status == 'x' && mysteps.c && variables.n == 'steps.d'",
        ));
        assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        let fields = output_field_references(&e(
            "steps.a.output.x.y > 1 && steps['b'][\"output\"]['z'] && steps.c.output != null \
             && steps.d.status == 'done' && has(steps.e.output.f) && variables.s == 'steps.g.output.h'",
        ));
        assert_eq!(
            fields.into_iter().collect::<Vec<_>>(),
            [
                ("a".into(), "x".into()),
                ("b".into(), "z".into()),
                ("e".into(), "f".into())
            ]
        );
        assert_eq!(
            own_output_fields(&e("output.count <= steps.a.output.n && has(output.b)"))
                .into_iter()
                .collect::<Vec<_>>(),
            ["b", "count"]
        );
    }

    #[test]
    fn a_reference_to_a_field_the_form_lacks_is_named() {
        let doc = Uuid::from_u128(7);
        let known = Known {
            documents: HashMap::from([(
                doc,
                json!({"type": "object", "properties": {"total": {"type": "number"}}}),
            )]),
            ..Known::default()
        };
        let mut b = body(json!({"name": "P", "steps": [
            {"id": "a", "name": "A", "type": "human",
             "form": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
             "validation_rules": [{"expression": "output.ok || output.gone", "message": "m"}]},
            {"id": "b", "name": "B", "type": "human", "form_document_id": doc},
            {"id": "c", "name": "C", "type": "human",
             "form": {"type": "object", "additionalProperties": true, "properties": {}}},
            {"id": "d", "name": "D", "type": "human", "execution_type": "conditional",
             "dependencies": ["a", "b", "c"],
             "condition": "steps.a.output.ok && steps.b.output.total > 1 && steps.b.output.missing && steps.c.output.anything"}
        ]}));
        let errors = normalize(&mut b, &known).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                (
                    "/steps/0/validation_rules/0/expression".to_string(),
                    "unknown_field".to_string()
                ),
                (
                    "/steps/3/condition".to_string(),
                    "unknown_field".to_string()
                ),
            ]
        );
        assert!(errors[1].message.contains("missing"), "{errors:?}");
    }
}
