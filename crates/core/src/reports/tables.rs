//! A section's JSON flattened into titled tables, for the formats that show tables.
//!
//! An array of objects is a table (one row each; nested objects become dotted columns, a
//! Duration object `{value, unit: "seconds"}` its number of seconds, other arrays JSON text);
//! an object's scalar fields are a two-column table; its arrays and objects are tables of
//! their own, titled by their path.

use serde_json::{Map, Value};

use super::Section;

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(String),
}

impl Cell {
    /// The cell as text.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Cell::Number(n) => format!("{n:.4}"),
            Cell::Text(t) => t.clone(),
        }
    }
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn seconds(v: &Value) -> Option<f64> {
    let o = v.as_object()?;
    (o.len() == 2 && o.get("unit")?.as_str()? == "seconds")
        .then(|| o.get("value")?.as_f64())
        .flatten()
}

fn scalar(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Text(b.to_string()),
        Value::Number(n) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

/// An object flattened to `(column, cell)` pairs.
fn flatten(prefix: &str, o: &Map<String, Value>, out: &mut Vec<(String, Cell)>) {
    for (k, v) in o {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let Some(s) = seconds(v) {
            out.push((key, Cell::Number(s)));
        } else if let Value::Object(inner) = v {
            flatten(&key, inner, out);
        } else {
            out.push((key, scalar(v)));
        }
    }
}

fn rows_table(title: String, items: &[Value]) -> Table {
    let mut columns: Vec<String> = Vec::new();
    let flat: Vec<Vec<(String, Cell)>> = items
        .iter()
        .map(|item| {
            let mut pairs = Vec::new();
            match item {
                Value::Object(o) => flatten("", o, &mut pairs),
                other => pairs.push(("value".into(), scalar(other))),
            }
            for (c, _) in &pairs {
                if !columns.contains(c) {
                    columns.push(c.clone());
                }
            }
            pairs
        })
        .collect();
    let rows = flat
        .into_iter()
        .map(|pairs| {
            columns
                .iter()
                .map(|c| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == c)
                        .map_or(Cell::Empty, |(_, v)| v.clone())
                })
                .collect()
        })
        .collect();
    Table {
        title,
        columns,
        rows,
    }
}

fn walk(title: &str, v: &Value, out: &mut Vec<Table>) {
    match v {
        Value::Array(items) => out.push(rows_table(title.to_string(), items)),
        Value::Object(o) => {
            let mut fields = Vec::new();
            for (k, inner) in o {
                if let Some(s) = seconds(inner) {
                    fields.push(vec![Cell::Text(k.clone()), Cell::Number(s)]);
                } else if inner.is_object() || inner.is_array() {
                    continue;
                } else {
                    fields.push(vec![Cell::Text(k.clone()), scalar(inner)]);
                }
            }
            if !fields.is_empty() {
                out.push(Table {
                    title: title.to_string(),
                    columns: vec!["field".into(), "value".into()],
                    rows: fields,
                });
            }
            for (k, inner) in o {
                if seconds(inner).is_none() && (inner.is_object() || inner.is_array()) {
                    walk(&format!("{title} / {k}"), inner, out);
                }
            }
        }
        other => out.push(Table {
            title: title.to_string(),
            columns: vec!["value".into()],
            rows: vec![vec![scalar(other)]],
        }),
    }
}

/// The tables of a section.
pub fn tables(section: &Section) -> Vec<Table> {
    let mut out = Vec::new();
    walk(&section.title, &section.data, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AnalyticsSource;
    use serde_json::json;

    #[test]
    fn json_becomes_tables() {
        let section = Section {
            source: AnalyticsSource::Users,
            title: "People".into(),
            data: json!({
                "from": "2026-03-01",
                "users": [
                    {"email": "a@x", "median_handling_time": {"value": 60.0, "unit": "seconds"}, "tasks_completed": 2},
                    {"email": "b@x", "median_handling_time": null, "tasks_completed": 0, "extra": {"k": true}}
                ],
                "team": {"tasks_completed": 2, "workload": {"members": 2}}
            }),
        };
        let t = tables(&section);
        let titles: Vec<&str> = t.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "People",
                "People / team",
                "People / team / workload",
                "People / users"
            ]
        );
        let users = &t[3];
        assert_eq!(
            users.columns,
            [
                "email",
                "median_handling_time",
                "tasks_completed",
                "extra.k"
            ]
        );
        assert_eq!(users.rows[0][1], Cell::Number(60.0));
        assert_eq!(users.rows[1][1], Cell::Empty);
        assert_eq!(users.rows[1][3], Cell::Text("true".into()));
        assert_eq!(
            t[0].rows,
            [vec![
                Cell::Text("from".into()),
                Cell::Text("2026-03-01".into())
            ]]
        );
        assert_eq!(Cell::Number(2.0).text(), "2");
        assert_eq!(Cell::Number(0.66666).text(), "0.6667");
    }
}
