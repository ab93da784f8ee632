//! What the benchmarks share: an `orgata` server in this process, requests, a registered team.

use orgata::{SettingArgs, Settings};
use serde_json::{json, Value};

/// A server running in this process until dropped.
pub struct Server {
    pub base: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts a server on `database_url`, its master key in `dir`.
pub async fn start(database_url: String, dir: &std::path::Path) -> Server {
    let settings = Settings::load(&SettingArgs {
        database_url: Some(database_url),
        master_key_file: Some(dir.join("master.key")),
        log: Some("warn".into()),
        rate_limit_per_minute: Some(10_000_000),
        rate_limit_burst: Some(10_000_000),
        auth_rate_limit_per_minute: Some(10_000_000),
        ..Default::default()
    })
    .expect("settings");
    let router = orgata::app(&settings).await.expect("app starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(orgata::serve(listener, router, async {
        let _ = rx.await;
    }));
    Server {
        base,
        _shutdown: tx,
    }
}

/// POSTs `body`; panics unless the answer is a success.
pub async fn post(client: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

/// Registers bench@example.com with a team; returns (token, team path).
pub async fn register(client: &reqwest::Client, base: &str) -> (String, String) {
    let session = post(
        client,
        &format!("{base}/v1/auth/register"),
        None,
        json!({"email": format!("bench-{}@example.com", uuid::Uuid::now_v7().simple()), "password": "correct horse battery staple",
               "display_name": "Bench", "organization_name": "Bench Org", "team_name": "Bench"}),
    )
    .await;
    let token = session["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let team = format!(
        "{base}/v1/teams/{}",
        session["data"]["team"]["id"].as_str().unwrap()
    );
    (token, team)
}

/// A fresh PostgreSQL schema for one run, dropped by [`PgSchema::drop`].
pub struct PgSchema {
    conn: sqlx::PgConnection,
    name: String,
    /// The database URL with the schema as its search path.
    pub url: String,
}

impl PgSchema {
    /// A new schema in the database at `ORGATA_BENCH_POSTGRES_URL`, if that is set.
    pub async fn create() -> Option<Self> {
        use sqlx::Connection;
        let url = std::env::var("ORGATA_BENCH_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL");
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}options=-c%20search_path%3D{name}");
        Some(PgSchema { conn, name, url })
    }

    /// Drops the schema and everything in it.
    pub async fn drop(mut self) {
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&mut self.conn)
            .await
            .unwrap();
    }
}

/// A SQLite database file in a fresh temporary directory (removed by the caller).
pub fn sqlite_file() -> (std::path::PathBuf, String) {
    let dir =
        std::env::temp_dir().join(format!("orgata-bench-db-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    (dir, url)
}
