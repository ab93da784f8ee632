//! CEL expressions of playbooks: step conditions, computed inputs and validation rules. They
//! see `variables` (the instance's), `steps` (step id → `{status, output}`) and, in validation
//! rules, `output`. JSON integers are CEL `int`, other numbers `double`; the two compare. An
//! expression that fails at run time (a missing field, a wrong type) is an error for the caller
//! to raise as an exception — never a guess.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use cel::common::ast::{operators, Expr, LiteralValue};
use cel::objects::{Key, Map};
use cel::{Context, IdedExpr, Program, Value};

/// The names an expression may use.
pub const ROOTS: &[&str] = &["variables", "steps", "output"];

/// A compiled expression.
pub struct Expression {
    source: String,
    program: Program,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

/// What an expression is evaluated over.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub variables: &'a serde_json::Value,
    pub steps: &'a serde_json::Value,
    /// The step's output (validation rules only).
    pub output: Option<&'a serde_json::Value>,
}

impl Expression {
    /// Parses `source`; the message says what is wrong with it.
    pub fn compile(source: &str) -> Result<Self, String> {
        if source.trim().is_empty() {
            return Err("the expression is empty".into());
        }
        if source.len() > 4096 {
            return Err("the expression is longer than 4096 characters".into());
        }
        let program =
            Program::compile(source).map_err(|e| format!("the expression does not parse: {e}"))?;
        Ok(Self {
            source: source.to_string(),
            program,
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether it reads anything from the instance (else its value never changes).
    pub fn reads_instance(&self) -> bool {
        let refs = self.program.references();
        ROOTS.iter().any(|root| refs.has_variable(root))
    }

    /// The names it selects from `root`, as in `root.a.b` or `root["a"]['b']` (a presence test
    /// included): each path cut at `depth` names, its shorter prefixes too. Read from the
    /// parsed expression, so text inside string literals is never taken for a path.
    pub fn paths(&self, root: &str, depth: usize) -> BTreeSet<Vec<String>> {
        let mut found = BTreeSet::new();
        collect_paths(self.program.expression(), root, depth, &mut found);
        found
    }

    /// Evaluates to JSON.
    pub fn evaluate(&self, scope: Scope<'_>) -> Result<serde_json::Value, String> {
        let mut context = Context::default();
        context.add_variable_from_value("variables", to_cel(scope.variables));
        context.add_variable_from_value("steps", to_cel(scope.steps));
        if let Some(output) = scope.output {
            context.add_variable_from_value("output", to_cel(output));
        }
        let value = self
            .program
            .execute(&context)
            .map_err(|e| format!("{}: {e}", self.source))?;
        from_cel(&value).map_err(|e| format!("{}: {e}", self.source))
    }

    /// Evaluates to a boolean; any other result is an error.
    pub fn evaluate_bool(&self, scope: Scope<'_>) -> Result<bool, String> {
        match self.evaluate(scope)? {
            serde_json::Value::Bool(b) => Ok(b),
            other => Err(format!(
                "{}: expected true or false, got {other}",
                self.source
            )),
        }
    }
}

/// The names `expr` selects from the identifier `root`, root first, when it is such a path.
fn path_of<'a>(mut expr: &'a IdedExpr, root: &str) -> Option<Vec<&'a str>> {
    let mut names = Vec::new();
    loop {
        match &expr.expr {
            Expr::Ident(name) if name == root => {
                names.reverse();
                return Some(names);
            }
            Expr::Select(select) => {
                names.push(select.field.as_str());
                expr = &select.operand;
            }
            Expr::Call(call) if call.func_name == operators::INDEX && call.args.len() == 2 => {
                let Expr::Literal(LiteralValue::String(key)) = &call.args[1].expr else {
                    return None;
                };
                names.push(key.inner());
                expr = &call.args[0];
            }
            _ => return None,
        }
    }
}

fn collect_paths(expr: &IdedExpr, root: &str, depth: usize, found: &mut BTreeSet<Vec<String>>) {
    if let Some(names) = path_of(expr, root).filter(|n| !n.is_empty()) {
        found.insert(names.iter().take(depth).map(|n| n.to_string()).collect());
    }
    let mut visit = |e: &IdedExpr| collect_paths(e, root, depth, found);
    match &expr.expr {
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                visit(target);
            }
            call.args.iter().for_each(visit);
        }
        Expr::Comprehension(c) => {
            for e in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                visit(e);
            }
        }
        Expr::List(list) => list.elements.iter().for_each(visit),
        Expr::Map(map) => {
            for entry in &map.entries {
                if let cel::common::ast::EntryExpr::MapEntry(e) = &entry.expr {
                    visit(&e.key);
                    visit(&e.value);
                }
            }
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                    visit(&f.value);
                }
            }
        }
        Expr::Select(select) => visit(&select.operand),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// JSON to CEL: integers that fit are `int`, other numbers `double`.
pub fn to_cel(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(to_cel).collect()))
        }
        serde_json::Value::Object(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// CEL to JSON, for computed inputs and variables.
pub fn from_cel(value: &Value) -> Result<serde_json::Value, String> {
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::UInt(u) => serde_json::Value::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .ok_or("the result is not a finite number")?,
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(from_cel).collect::<Result<_, _>>()?)
        }
        Value::Map(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.map.iter() {
                let key = match k {
                    Key::String(s) => s.to_string(),
                    Key::Int(i) => i.to_string(),
                    Key::Uint(u) => u.to_string(),
                    Key::Bool(b) => b.to_string(),
                };
                out.insert(key, from_cel(v)?);
            }
            serde_json::Value::Object(out)
        }
        Value::Timestamp(t) => serde_json::Value::String(t.to_rfc3339()),
        Value::Duration(d) => serde_json::Value::from(d.num_milliseconds() as f64 / 1000.0),
        other => return Err(format!("a {:?} result cannot be stored", other.type_of())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(
        source: &str,
        variables: serde_json::Value,
        steps: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        Expression::compile(source)?.evaluate(Scope {
            variables: &variables,
            steps: &steps,
            output: None,
        })
    }

    #[test]
    fn the_contract_example_holds() {
        let steps = json!({"review": {"status": "completed", "output": {"approved": true}}});
        let e =
            Expression::compile("variables.amount > 100 && steps.review.output.approved").unwrap();
        assert!(e
            .evaluate_bool(Scope {
                variables: &json!({"amount": 250}),
                steps: &steps,
                output: None
            })
            .unwrap());
        assert!(!e
            .evaluate_bool(Scope {
                variables: &json!({"amount": 99.5}),
                steps: &steps,
                output: None
            })
            .unwrap());
    }

    #[test]
    fn ints_and_doubles_compare() {
        assert_eq!(
            eval("variables.a > 1.5", json!({"a": 2}), json!({})).unwrap(),
            json!(true)
        );
        assert_eq!(
            eval("variables.a == 2", json!({"a": 2.0}), json!({})).unwrap(),
            json!(true)
        );
        assert_eq!(
            eval("variables.a + 1", json!({"a": 2}), json!({})).unwrap(),
            json!(3)
        );
    }

    #[test]
    fn a_missing_field_is_an_error_not_a_guess() {
        let err = eval("variables.missing > 1", json!({}), json!({})).unwrap_err();
        assert!(err.contains("variables.missing > 1"), "{err}");
        assert!(Expression::compile("variables.a >").is_err());
        assert!(Expression::compile("  ").is_err());
        let not_bool = Expression::compile("variables.a").unwrap();
        assert!(not_bool
            .evaluate_bool(Scope {
                variables: &json!({"a": 1}),
                steps: &json!({}),
                output: None
            })
            .is_err());
    }

    #[test]
    fn results_come_back_as_json() {
        let v = eval(
            "{'total': variables.n * 2, 'tags': ['a', variables.t], 'ok': true}",
            json!({"n": 21, "t": "b"}),
            json!({}),
        )
        .unwrap();
        assert_eq!(v, json!({"total": 42, "tags": ["a", "b"], "ok": true}));
        let rule = Expression::compile("output.count <= variables.max").unwrap();
        let ok = rule
            .evaluate_bool(Scope {
                variables: &json!({"max": 3}),
                steps: &json!({}),
                output: Some(&json!({"count": 4})),
            })
            .unwrap();
        assert!(!ok);
    }
}
