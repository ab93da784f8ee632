//! A migration that moves data keeps it: the schema is built up to the migration before, rows
//! are written as the old schema held them, and then the rest of the migrations run.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use sqlx::Row;

/// A new directory holding the SQLite migrations numbered below `before`.
fn migrations_before(before: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let dir = std::env::temp_dir().join(format!("orgata-migrations-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < before {
            std::fs::copy(&path, dir.join("migrations").join(&name)).unwrap();
        }
    }
    dir
}

#[tokio::test]
async fn imported_events_move_to_one_row_per_case_in_the_logs_order_and_runs_are_read_from_them() {
    let dir = migrations_before("0007");
    let options = SqliteConnectOptions::new()
        .filename(dir.join("db.sqlite"))
        .create_if_missing(true)
        .foreign_keys(false);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(dir.join("migrations"))
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let (team, first, second) = ([7u8; 16], [1u8; 16], [2u8; 16]);
    // Written out of order: the migration must order each case's events by seq.
    for (case, seq, activity, resource, attributes) in [
        (first, 1, "Check", None, "{}"),
        (second, 0, "Register", Some("clerk-2"), "{}"),
        (
            first,
            0,
            "Register",
            Some("clerk-1"),
            r#"{"cost": 5, "note": "a \"b\""}"#,
        ),
        (first, 2, "Decide", None, "{}"),
    ] {
        sqlx::query(
            "INSERT INTO history_events (team_id, process_instance_id, seq, activity, step_id, \
             lifecycle, occurred_at, resource, attributes) \
             VALUES ($1, $2, $3, $4, lower($4), 'complete', $5, $6, $7)",
        )
        .bind(&team[..])
        .bind(&case[..])
        .bind(seq)
        .bind(activity)
        .bind(format!("2025-01-01T0{seq}:00:00+00:00"))
        .bind(resource)
        .bind(attributes)
        .execute(&pool)
        .await
        .unwrap();
    }
    // The rows an import wrote for its cases' runs, and a run of an instance of this runtime.
    let native = [3u8; 16];
    for (n, case) in [first, first, second, native].into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO step_executions (id, team_id, process_instance_id, step_id, iteration, \
             status, input_data, created_at, updated_at) \
             VALUES ($1, $2, $3, 'check', $4, 'completed', '{}', '2025-01-01', '2025-01-01')",
        )
        .bind(&[10 + n as u8; 16][..])
        .bind(&team[..])
        .bind(&case[..])
        .bind(n as i64)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .unwrap();
    let kept: Vec<Vec<u8>> = sqlx::query_scalar("SELECT process_instance_id FROM step_executions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        kept,
        [native.to_vec()],
        "imported cases' runs are read from their events"
    );
    let rows = sqlx::query(
        "SELECT process_instance_id, team_id, events FROM history_traces ORDER BY process_instance_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    let events = |i: usize| -> Value { serde_json::from_str(rows[i].get::<&str, _>(2)).unwrap() };
    assert_eq!(rows[0].get::<Vec<u8>, _>(0), first.to_vec());
    assert_eq!(rows[0].get::<Vec<u8>, _>(1), team.to_vec());
    assert_eq!(
        events(0),
        json!([
            {"activity": "Register", "step_id": "register", "lifecycle": "complete",
             "timestamp": "2025-01-01T00:00:00+00:00", "resource": "clerk-1",
             "attributes": {"cost": 5, "note": "a \"b\""}},
            {"activity": "Check", "step_id": "check", "lifecycle": "complete",
             "timestamp": "2025-01-01T01:00:00+00:00", "resource": null, "attributes": {}},
            {"activity": "Decide", "step_id": "decide", "lifecycle": "complete",
             "timestamp": "2025-01-01T02:00:00+00:00", "resource": null, "attributes": {}},
        ])
    );
    assert_eq!(events(1)[0]["resource"], "clerk-2");
    let runs = orgata_core::analytics::import::imported_runs(
        uuid::Uuid::from_bytes(first),
        rows[0].get::<&str, _>(2),
    )
    .unwrap();
    let steps: Vec<_> = runs
        .iter()
        .map(|r| (r.step_id.as_str(), r.end.to_rfc3339()))
        .collect();
    assert_eq!(
        steps,
        [
            ("register", "2025-01-01T00:00:00+00:00".to_string()),
            ("check", "2025-01-01T01:00:00+00:00".to_string()),
            ("decide", "2025-01-01T02:00:00+00:00".to_string()),
        ]
    );
    let old: Option<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE name = 'history_events'")
            .fetch_optional(&pool)
            .await
            .unwrap();
    assert_eq!(old, None, "the per-event table is gone");
    pool.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
