//! Interface parity: `docs/PARITY.md` lists every service operation with its REST route,
//! GraphQL root field, MCP tool or resource, and the UI pages where people do it. This test fails
//! when an operation of `impl Services` is missing from the table, when a route, field, tool,
//! resource or page it names does not exist, when a page is named for an operation the UI never
//! calls the REST route of, or when a cell names nothing without saying why.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

/// The public functions of every `impl Services` block of the service layer.
fn service_operations() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src/services");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut ops = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let mut rest = source.as_str();
        while let Some(at) = rest.find("\nimpl Services {") {
            let body = &rest[at + "\nimpl Services {".len()..];
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            for line in body[..end].lines() {
                let line = line.strip_prefix("    pub ").unwrap_or("");
                let line = line.strip_prefix("async ").unwrap_or(line);
                if let Some(name) = line.strip_prefix("fn ") {
                    let name: String = name
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    ops.insert(name);
                }
            }
            rest = &body[end..];
        }
    }
    ops
}

/// The table: operation → [REST, GraphQL, MCP, UI] cells.
fn table() -> HashMap<String, [String; 4]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PARITY.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = HashMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        assert_eq!(cells.len(), 5, "a row has five cells: {line}");
        let op = cells[0].trim_matches('`').to_string();
        let previous = rows.insert(
            op.clone(),
            [
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                cells[4].clone(),
            ],
        );
        assert!(previous.is_none(), "{op} is listed twice");
    }
    rows
}

/// The names a cell gives, or `None` when it gives a reason instead.
fn named(cell: &str, op: &str, door: &str) -> Option<Vec<String>> {
    if let Some(reason) = cell.strip_prefix("—") {
        assert!(
            reason.split_whitespace().count() >= 3,
            "{op}: the {door} cell needs a reason, not {cell:?}"
        );
        return None;
    }
    let items: Vec<String> = cell.split(", ").map(|i| i.trim().to_string()).collect();
    for i in &items {
        assert!(
            i.len() > 2 && i.starts_with('`') && i.ends_with('`'),
            "{op}: {door} cell item {i:?} is neither a `name` nor a reason"
        );
    }
    Some(
        items
            .iter()
            .map(|i| i.trim_matches('`').to_string())
            .collect(),
    )
}

async fn graphql_root_fields() -> BTreeSet<String> {
    let schema = orgata_graphql::schema(&orgata_graphql::GraphqlConfig::default()).unwrap();
    let answer = schema
        .execute("{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }")
        .await;
    let data = answer.data.into_json().unwrap();
    let mut fields = BTreeSet::new();
    for (kind, prefix) in [
        ("queryType", "Query"),
        ("mutationType", "Mutation"),
        ("subscriptionType", "Subscription"),
    ] {
        for f in data["__schema"][kind]["fields"].as_array().unwrap() {
            fields.insert(format!("{prefix}.{}", f["name"].as_str().unwrap()));
        }
    }
    fields
}

fn rest_routes() -> BTreeSet<String> {
    let doc = orgata_rest::openapi();
    let mut routes = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes
}

fn mcp_names() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/mcp.json");
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut names = BTreeSet::new();
    for (list, key) in [
        ("tools", "name"),
        ("resources", "uri"),
        ("resourceTemplates", "uriTemplate"),
    ] {
        for item in snapshot[list].as_array().unwrap() {
            names.insert(item[key].as_str().unwrap().to_string());
        }
    }
    names
}

fn ui_source() -> Vec<String> {
    let mut texts = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ts" || e == "tsx") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    texts
}

/// The app's page routes (`ui/src/routes.tsx`), as `/segment/:param`.
fn ui_pages() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/routes.tsx");
    let source = std::fs::read_to_string(path).unwrap();
    let mut pages: BTreeSet<String> = source
        .split("path: '")
        .skip(1)
        .map(|rest| {
            format!(
                "/{}",
                rest.split('\'').next().unwrap().trim_start_matches('/')
            )
        })
        .filter(|p| p != "/*")
        .collect();
    if source.contains("index: true") {
        pages.insert("/".into());
    }
    pages
}

/// A path with every parameter (`{team_id}`, `${teamId}`) written `{}`, and without a query.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '?' => break,
            '$' | '{' => {
                if c == '$' && chars.peek() != Some(&'{') {
                    out.push(c);
                    continue;
                }
                if c == '$' {
                    chars.next();
                }
                let mut depth = 1;
                for n in chars.by_ref() {
                    match n {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
                // a parameter glued to a segment (`imports${query}`) is a query string
                if out.ends_with('/') {
                    out.push_str("{}");
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The REST routes the UI calls: `METHOD shape` for the typed client's calls (`api.GET('…')`),
/// `* shape` for every other API path the app writes (fetched as files or streams).
fn ui_calls() -> BTreeSet<String> {
    let mut calls = BTreeSet::new();
    for text in ui_source() {
        for (i, _) in text.match_indices("/v1/") {
            let quote = text[..i].chars().last().unwrap_or(' ');
            let line = text[..i].rsplit('\n').next().unwrap_or("").trim_start();
            // a path in a comment calls nothing
            if !matches!(quote, '\'' | '`') || line.starts_with("//") || line.starts_with('*') {
                continue;
            }
            let end = text[i..].find(quote).map_or(text.len(), |e| i + e);
            let shape = path_shape(&text[i..end]);
            let before = &text[..i - 1];
            let method = ["GET", "POST", "PUT", "DELETE", "PATCH"]
                .into_iter()
                .find(|m| before.ends_with(&format!("api.{m}(")));
            calls.insert(format!("{} {shape}", method.unwrap_or("*")));
        }
    }
    calls
}

#[test]
fn ui_paths_take_their_shape() {
    assert_eq!(
        path_shape("/v1/teams/{team_id}/tasks"),
        "/v1/teams/{}/tasks"
    );
    assert_eq!(
        path_shape("/v1/teams/${teamId}/analytics/imports${query.size ? `?${query}` : ''}"),
        "/v1/teams/{}/analytics/imports"
    );
    assert_eq!(path_shape("/v1/auth/refresh?x=1"), "/v1/auth/refresh");
}

#[tokio::test]
async fn every_operation_reaches_every_door_or_says_why_not() {
    let ops = service_operations();
    assert!(ops.len() > 100, "the service layer was not read: {ops:?}");
    let table = table();
    let missing: Vec<&String> = ops.iter().filter(|op| !table.contains_key(*op)).collect();
    assert!(
        missing.is_empty(),
        "docs/PARITY.md lacks these service operations: {missing:?}"
    );
    let stale: Vec<&String> = table.keys().filter(|op| !ops.contains(*op)).collect();
    assert!(
        stale.is_empty(),
        "docs/PARITY.md lists operations the service layer no longer has: {stale:?}"
    );

    let (rest, graphql, mcp) = (rest_routes(), graphql_root_fields().await, mcp_names());
    let (pages, calls) = (ui_pages(), ui_calls());
    let mut reached = [0, 0, 0, 0];
    for (op, cells) in &table {
        if named(&cells[3], op, "UI").is_some() {
            // the UI reaches an operation through its REST route
            let routes = named(&cells[0], op, "REST").unwrap_or_default();
            let called = routes.iter().any(|r| {
                let (method, path) = r.split_once(' ').unwrap();
                let shape = path_shape(path);
                calls.contains(&format!("{method} {shape}"))
                    || calls.contains(&format!("* {shape}"))
            });
            assert!(
                called,
                "{op}: the UI names pages but never calls {routes:?}"
            );
        }
        for (i, (door, known)) in [
            ("REST", &rest),
            ("GraphQL", &graphql),
            ("MCP", &mcp),
            ("UI", &pages),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(names) = named(&cells[i], op, door) {
                reached[i] += 1;
                for n in names {
                    assert!(known.contains(&n), "{op}: {door} has no {n:?}");
                }
            }
        }
    }
    // Every GraphQL root field serves an operation of the table.
    let listed: BTreeSet<String> = table
        .values()
        .filter_map(|c| named(&c[1], "", "GraphQL"))
        .flatten()
        .collect();
    let unlisted: Vec<&String> = graphql.iter().filter(|f| !listed.contains(*f)).collect();
    assert!(
        unlisted.is_empty(),
        "GraphQL root fields not in docs/PARITY.md: {unlisted:?}"
    );
    println!(
        "{} operations: REST reaches {}, GraphQL {}, MCP {}, UI {}",
        table.len(),
        reached[0],
        reached[1],
        reached[2],
        reached[3]
    );
}
